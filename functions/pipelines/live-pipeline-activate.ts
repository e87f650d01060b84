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
 * `POST /api/devices/{deviceId}/livePipelines/{name}/activate` (function key; AVA livePipelineActivate; a body, e.g. AVA's
 * `{"@apiVersion": "1.1", "name": ...}`, is accepted and ignored) → 200 PipelineResource once the device reported the
 * new state, 202 with the current state when it has not within `KEEPWATCH_PIPELINE_STATE_WAIT` (the device applies
 * the command when it reconnects; GET shows the state). Flow and rules: functions/pipelines/pipeline-transition.ts.
 * Errors: 400 `InvalidDeviceId`, `InvalidName`, `InvalidResource` (the topology no longer imports with the parameters); 404 `NotFound`; 409
 * `OperationNotAllowedInState` (while deactivating), `DeviceNotProvisioned` (its camera credentials could only travel in
 * clear: functions/pipelines/activate-command.ts), `Conflict`; 503 (storage or broker unavailable).
 */
export async function livePipelineActivate(request: HttpRequest, context: InvocationContext, deps: TransitionDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'live pipeline');
    return await pipelineTransition('activate', deviceId, name, context, deps);
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/devices/{deviceId}/livePipelines/{name}/activate`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/devices/{deviceId}/livePipelines/{name}/activate',
  operationId: 'live-pipeline-activate',
  summary: 'Activates a live pipeline on its device (AVA livePipelineActivate)',
  description:
    "Stores each camera's recording policy, gives a provisioned device the pipeline's cameras (409 `CameraOwned` when another device records one; nothing changed), sends the device the activate command (MQTT QoS 1) and waits up to `KEEPWATCH_PIPELINE_STATE_WAIT` (default PT30S) for its `pipeline.state` report: 200 once active, " +
    '202 with state `activating` when the device has not reported (it applies the command when it reconnects; GET shows the state). Idempotent on active; 409 `OperationNotAllowedInState` while deactivating. A body is ignored.',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  responses: {
    '200': { description: 'active', content: json(LivePipeline) },
    '202': { description: 'activating: the device has not reported yet', content: json(LivePipeline) },
    ...keyedErrors(400, 404, 409),
  },
};

registerHttp(route, (request, context) => livePipelineActivate(request, context));
