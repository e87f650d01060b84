import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { PipelineTopology } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { topologyResource } from './pipeline-resources';
import { routeParams } from './route-params';

/**
 * `GET /api/devices/{deviceId}/pipelineTopologies/{name}` (function key; AVA pipelineTopologyGet) → `200
 * TopologyResource` (`{ name, properties, systemData: { createdAt, lastModifiedAt } }`).
 * Errors: 400 `InvalidDeviceId`, `InvalidName`; 404 `NotFound`; 503 when storage is unavailable.
 */
export async function pipelineTopologyGet(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'pipelines'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'pipeline topology');
    const t = await deps.pipelines.getTopology(deviceId, name);
    if (!t) throw new NotFoundError(`device '${deviceId}' has no pipeline topology '${name}'`);
    return { status: 200, jsonBody: topologyResource(t), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/devices/{deviceId}/pipelineTopologies/{name}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/devices/{deviceId}/pipelineTopologies/{name}',
  operationId: 'pipeline-topology-get',
  summary: 'One pipeline topology (AVA pipelineTopologyGet)',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  responses: {
    '200': { description: 'the topology', content: json(PipelineTopology) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => pipelineTopologyGet(request, context));
