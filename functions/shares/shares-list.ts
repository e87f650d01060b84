import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { publicBaseUrl } from '../http/public-base-url';
import { ShareList } from '../openapi/components';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { shareResponse } from './share-response';

/**
 * `GET /api/cameras/{cameraId}/shares` (Viewer and up, the camera in scope) → `200 { shares: ShareResponse[] }`,
 * newest first, expired and revoked ones too (with their `status`; `url` only on active ones). Errors: 400
 * `InvalidCameraId`; 503 when storage is unavailable.
 */
export async function sharesList(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'shares' | 'settings' | 'now'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const nowMs = deps.now();
    const rows = await deps.shares.list(cameraId);
    const base = rows.length ? publicBaseUrl(deps.settings.publicBaseUrl, new URL(request.url).origin) : '';
    return { status: 200, jsonBody: { shares: rows.map((s) => shareResponse(s, nowMs, deps.settings, base)) }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/shares`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/shares',
  operationId: 'shares-list',
  summary: "A camera's share links, active, expired and revoked",
  tags: ['shares'],
  access: ACCESS.viewer,
  parameters: [parameterRef('cameraId')],
  responses: {
    '200': { description: 'the share links, newest first', content: json(ShareList) },
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => sharesList(request, context));
