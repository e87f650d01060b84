import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { SHARE_ID } from './share-link';

/**
 * `DELETE /api/cameras/{cameraId}/shares/{shareId}` (Viewer and up, the camera in scope) → `204`: the share is revoked
 * at once (its row keeps `revokedAt`; the next request of its playlist is refused with 403 `ShareRevoked`). Revoking a
 * revoked share is a 204 again. Segment SAS URLs already handed out keep working until they expire (at the latest the
 * share's expiry, docs/security.md "Share links").
 * Errors: 400 `InvalidCameraId`, `InvalidShareId`; 404 `ShareNotFound`; 503 when storage is unavailable.
 */
export async function shareDelete(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'shares' | 'now'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const shareId = request.params.shareId ?? '';
    if (!SHARE_ID.test(shareId)) throw new ValidationError(`share id ${JSON.stringify(shareId.slice(0, 80))} is invalid: use the id POST returned`, undefined, 'InvalidShareId');
    if (!(await deps.shares.revoke(cameraId, shareId, deps.now()))) throw new NotFoundError(`camera '${cameraId}' has no share '${shareId}'`, 'ShareNotFound');
    context.log('share revoked', { cameraId, shareId });
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `DELETE /api/cameras/{cameraId}/shares/{shareId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'DELETE',
  path: '/cameras/{cameraId}/shares/{shareId}',
  operationId: 'share-delete',
  summary: 'Revokes a share link at once',
  tags: ['shares'],
  access: ACCESS.viewer,
  parameters: [parameterRef('cameraId'), { name: 'shareId', in: 'path', required: true, description: 'id of the share', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } }],
  responses: {
    '204': { description: 'revoked' },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => shareDelete(request, context));
