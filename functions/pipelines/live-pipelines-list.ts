import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { LivePipelineList } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { pipelineResource } from './pipeline-resources';

/**
 * `GET /api/devices/{deviceId}/livePipelines` (function key; AVA livePipelineList) → `200 { value: PipelineResource[] }`
 * sorted by name, SecretString parameter values left out.
 * Errors: 400 `InvalidDeviceId`; 503 when storage is unavailable.
 */
export async function livePipelinesList(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'pipelines'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    const value = (await deps.pipelines.listPipelines(deviceId)).map(pipelineResource);
    return { status: 200, jsonBody: { value }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/devices/{deviceId}/livePipelines`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/devices/{deviceId}/livePipelines',
  operationId: 'live-pipelines-list',
  summary: "A device's live pipelines (AVA livePipelineList)",
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId')],
  responses: {
    '200': { description: 'the live pipelines, sorted by name', content: json(LivePipelineList) },
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => livePipelinesList(request, context));
