import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { randomSecret } from '../../shared/random-secret';
import { parseShareBody } from '../../shared/schemas/share';
import type { Share } from '../adapters/table/table-share-store';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { callerName } from '../auth/principal';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';
import { publicBaseUrl } from '../http/public-base-url';
import { ShareRequest, ShareSchema } from '../openapi/components';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { shareResponse } from './share-response';

/** Active (unexpired, unrevoked) share links one camera may have at once. */
export const MAX_ACTIVE_SHARES_PER_CAMERA = 100;

/**
 * `POST /api/cameras/{cameraId}/shares` (Viewer and up, the camera in scope), body `{ start, end, expiresIn?, label? }`
 * (shared/schemas/share.ts) → `201 ShareResponse` with `url`, a read-only page of `[start, end)` that opens without an
 * account until `expiresAt` (AVA's `listContentToken`: a short-lived content token for one video; here revocable).
 * A viewer may share what it may see: it can already export the same range as MP4 (docs/security.md "Share links").
 * Errors: 400 `InvalidCameraId`, `MissingBody`, `InvalidJson`, `InvalidShare`, `InvalidDateTime`, `InvalidRange`,
 * `RangeTooLong` (> 24 h), `InvalidDuration` (expiresIn outside PT1M..P7D), `TooManyShares` (over
 * {@link MAX_ACTIVE_SHARES_PER_CAMERA} active); 404 `CameraNotFound` (never recorded); 503 when storage is down.
 */
export async function sharesCreate(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'shares' | 'cameras' | 'settings' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const body = parseShareBody(await readJsonBody(request));
    if (!(await deps.cameras.getCamera(cameraId))) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    const nowMs = deps.now();
    const active = (await deps.shares.list(cameraId)).filter((s) => s.revokedAtMs === undefined && nowMs < s.expiresMs);
    if (active.length >= MAX_ACTIVE_SHARES_PER_CAMERA) {
      throw new ValidationError(`camera '${cameraId}' already has ${active.length} active share links, the maximum is ${MAX_ACTIVE_SHARES_PER_CAMERA}; revoke some first`, undefined, 'TooManyShares');
    }
    const base = publicBaseUrl(deps.settings.publicBaseUrl, new URL(request.url).origin);
    const share: Share = { id: randomSecret(16), cameraId, startMs: body.startMs, endMs: body.endMs, createdAtMs: nowMs, expiresMs: nowMs + body.expiresInMs, createdBy: callerName(request) };
    if (body.label !== undefined) share.label = body.label;
    await deps.shares.create(share);
    context.log('share created', { cameraId, shareId: share.id, startMs: share.startMs, endMs: share.endMs, expiresMs: share.expiresMs });
    return {
      status: 201,
      jsonBody: shareResponse(share, nowMs, deps.settings, base),
      headers: { 'cache-control': 'no-store', location: `/api/cameras/${cameraId}/shares/${share.id}` },
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/cameras/{cameraId}/shares`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/cameras/{cameraId}/shares',
  operationId: 'shares-create',
  summary: 'A share link: a read-only page of a time range that opens without an account, until it expires or is revoked',
  description:
    "AVA's listContentToken, revocable. The `url` carries a signed token of the share (never a key or a bearer token); every use checks the share, so a revocation takes effect at once. Range ≤ 24 h; `expiresIn` PT1M..P7D, default PT24H.",
  tags: ['shares'],
  access: ACCESS.viewer,
  parameters: [parameterRef('cameraId')],
  requestBody: ShareRequest,
  responses: {
    '201': { description: 'the share, with its link', content: json(ShareSchema) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => sharesCreate(request, context));
