import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
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

registerHttp('live-pipeline-activate', {
  methods: ['POST'],
  route: 'devices/{deviceId}/livePipelines/{name}/activate',
  authLevel: 'function',
  handler: (request, context) => livePipelineActivate(request, context),
});
