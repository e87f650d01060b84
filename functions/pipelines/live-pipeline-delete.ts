import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { decideDeletePipeline, lifecycleView } from '../../shared/pipelines/pipeline-lifecycle';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
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

/** `DELETE /api/devices/{deviceId}/livePipelines/{name}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'DELETE',
  path: '/devices/{deviceId}/livePipelines/{name}',
  operationId: 'live-pipeline-delete',
  summary: 'Deletes an inactive live pipeline (AVA livePipelineDelete)',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  responses: {
    '200': { description: 'deleted' },
    '204': { description: 'there was no such live pipeline' },
    ...keyedErrors(400, 409),
  },
};

registerHttp(route, (request, context) => livePipelineDelete(request, context));
