import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { HoldList } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { holdResponse } from './hold-response';
import { errorResponse } from '../http/http-errors';

/**
 * `GET /api/cameras/{cameraId}/holds` (function key) → `200 { holds: HoldResponse[] }`, sorted by start (empty for a
 * camera without holds). Errors: 400 `InvalidCameraId`; 503 when storage is unavailable.
 */
export async function holdsList(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'holds'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const holds = (await deps.holds.list(cameraId)).map(holdResponse);
    return { status: 200, jsonBody: { holds }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/holds`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/holds',
  operationId: 'holds-list',
  summary: "A camera's holds (time ranges retention never deletes)",
  tags: ['retention'],
  access: ACCESS.operator,
  parameters: [parameterRef('cameraId')],
  responses: {
    '200': { description: 'the holds', content: json(HoldList) },
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => holdsList(request, context));
