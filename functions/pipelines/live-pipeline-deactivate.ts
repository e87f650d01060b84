import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { LivePipeline } from '../openapi/components';
import { defaultDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { pipelineTransition, type TransitionDeps } from './pipeline-transition';
import { routeParams } from './route-params';

/**
 * `POST /api/devices/{deviceId}/livePipelines/{name}/deactivate` (function key; AVA livePipelineDeactivate; a body, e.g. AVA's
 * `{"@apiVersion": "1.1", "name": ...}`, is accepted and ignored) → 200 PipelineResource once the device reported the
 * new state, 202 with the current state when it has not within `KEEPWATCH_PIPELINE_STATE_WAIT` (the device applies
 * the command when it reconnects; GET shows the state). Flow and rules: functions/pipelines/pipeline-transition.ts.
 * Errors: 400 `InvalidDeviceId`, `InvalidName`; 404 `NotFound`; 409
 * `OperationNotAllowedInState` (while activating), `Conflict`; 503 (storage or broker unavailable).
 */
export async function livePipelineDeactivate(request: HttpRequest, context: InvocationContext, deps: TransitionDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'live pipeline');
    return await pipelineTransition('deactivate', deviceId, name, context, deps);
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/devices/{deviceId}/livePipelines/{name}/deactivate`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/devices/{deviceId}/livePipelines/{name}/deactivate',
  operationId: 'live-pipeline-deactivate',
  summary: 'Deactivates a live pipeline (AVA livePipelineDeactivate)',
  description:
    "Sends the device the deactivate command and waits up to `KEEPWATCH_PIPELINE_STATE_WAIT` for its report, which comes only once the pipeline's cameras stopped and their cached segments are uploaded: 200 once inactive, " +
    '202 with state `deactivating` otherwise. 200 at once when inactive; 409 `OperationNotAllowedInState` while activating. A body is ignored.',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  responses: {
    '200': { description: 'inactive', content: json(LivePipeline) },
    '202': { description: 'deactivating: the device has not reported yet', content: json(LivePipeline) },
    ...keyedErrors(400, 404, 409),
  },
};

registerHttp(route, (request, context) => livePipelineDeactivate(request, context));
