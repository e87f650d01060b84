import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { PipelineTopologyList } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { topologyResource } from './pipeline-resources';

/**
 * `GET /api/devices/{deviceId}/pipelineTopologies` (function key; AVA pipelineTopologyList) → `200 { value:
 * TopologyResource[] }` sorted by name (at most 50 per device, so no continuation token).
 * Errors: 400 `InvalidDeviceId`; 503 when storage is unavailable.
 */
export async function pipelineTopologiesList(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'pipelines'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    const value = (await deps.pipelines.listTopologies(deviceId)).map(topologyResource);
    return { status: 200, jsonBody: { value }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/devices/{deviceId}/pipelineTopologies`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/devices/{deviceId}/pipelineTopologies',
  operationId: 'pipeline-topologies-list',
  summary: "A device's AVA pipeline topologies (AVA pipelineTopologyList)",
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId')],
  responses: {
    '200': { description: 'the topologies, sorted by name', content: json(PipelineTopologyList) },
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => pipelineTopologiesList(request, context));
