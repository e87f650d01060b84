import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { decideDeleteTopology, lifecycleView } from '../../shared/pipelines/pipeline-lifecycle';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { withEtagRetry } from './etag-retry';
import { routeParams } from './route-params';

/**
 * `DELETE /api/devices/{deviceId}/pipelineTopologies/{name}` (function key; AVA pipelineTopologyDelete) → `200`
 * deleted, `204` when there was no such topology (no body either way).
 * Errors: 400 `InvalidDeviceId`, `InvalidName`; 409 `PipelineTopologyInUse` naming the live pipelines that reference
 * it, `Conflict`; 503.
 */
export async function pipelineTopologyDelete(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'pipelines'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'pipeline topology');
    return await withEtagRetry(`pipeline topology '${name}'`, async () => {
      const [existing, pipelines] = await Promise.all([deps.pipelines.getTopology(deviceId, name), deps.pipelines.listPipelines(deviceId)]);
      const referencing = pipelines.filter((p) => p.topologyName === name).map(lifecycleView);
      const { status } = decideDeleteTopology(name, existing !== undefined, referencing);
      if (existing) await deps.pipelines.deleteTopology(deviceId, name, existing.etag);
      context.log('pipeline topology delete', { deviceId, name, status });
      return { status, headers: { 'cache-control': 'no-store' } };
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `DELETE /api/devices/{deviceId}/pipelineTopologies/{name}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'DELETE',
  path: '/devices/{deviceId}/pipelineTopologies/{name}',
  operationId: 'pipeline-topology-delete',
  summary: 'Deletes a pipeline topology (AVA pipelineTopologyDelete)',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  responses: {
    '200': { description: 'deleted' },
    '204': { description: 'there was no such topology' },
    ...keyedErrors(400, 409),
  },
};

registerHttp(route, (request, context) => pipelineTopologyDelete(request, context));
