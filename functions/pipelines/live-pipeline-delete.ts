import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { decideDeletePipeline, lifecycleView } from '../../shared/pipelines/pipeline-lifecycle';
import { registerHttp } from '../app';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { withEtagRetry } from './etag-retry';
import { routeParams } from './route-params';

/**
 * `DELETE /api/devices/{deviceId}/livePipelines/{name}` (function key; AVA livePipelineDelete) → `200` deleted, `204`
 * when there was no such pipeline (no body either way). The cameras' recordings and policies stay.
 * Errors: 400 `InvalidDeviceId`, `InvalidName`; 409 `OperationNotAllowedInState` unless inactive, `Conflict`; 503.
 */
export async function livePipelineDelete(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'pipelines'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'live pipeline');
    return await withEtagRetry(`live pipeline '${name}'`, async () => {
      const existing = await deps.pipelines.getPipeline(deviceId, name);
      const { status } = decideDeletePipeline(existing && lifecycleView(existing), name);
      if (existing) await deps.pipelines.deletePipeline(deviceId, name, existing.etag);
      context.log('live pipeline delete', { deviceId, name, status });
      return { status, headers: { 'cache-control': 'no-store' } };
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('live-pipeline-delete', {
  methods: ['DELETE'],
  route: 'devices/{deviceId}/livePipelines/{name}',
  authLevel: 'function',
  handler: (request, context) => livePipelineDelete(request, context),
});
