import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { LivePipeline } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { pipelineResource } from './pipeline-resources';
import { routeParams } from './route-params';

/**
 * `GET /api/devices/{deviceId}/livePipelines/{name}` (function key; AVA livePipelineGet) → `200 PipelineResource`
 * (`{ name, properties: { topologyName, description?, parameters: [{name, value?}], state, cameraIds }, systemData }`;
 * SecretString parameters without `value`).
 * Errors: 400 `InvalidDeviceId`, `InvalidName`; 404 `NotFound`; 503.
 */
export async function livePipelineGet(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'pipelines'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'live pipeline');
    const p = await deps.pipelines.getPipeline(deviceId, name);
    if (!p) throw new NotFoundError(`device '${deviceId}' has no live pipeline '${name}'`);
    return { status: 200, jsonBody: pipelineResource(p), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/devices/{deviceId}/livePipelines/{name}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/devices/{deviceId}/livePipelines/{name}',
  operationId: 'live-pipeline-get',
  summary: 'One live pipeline with its state (AVA livePipelineGet)',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  responses: {
    '200': { description: 'the live pipeline; SecretString parameters without value', content: json(LivePipeline) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => livePipelineGet(request, context));
