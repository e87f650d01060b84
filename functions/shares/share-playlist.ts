import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ForbiddenError, KeepwatchError, NotFoundError, UnauthorizedError, ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { dateTimeQuery, errorAnswer, parameterRef, responseRef, type RouteSpec } from '../openapi/route-spec';
import { verifyPlaybackGrant } from '../playback/playback-token';
import { HLS_CONTENT_TYPE } from '../playback/playlist';
import type { PlaylistSpansDeps } from '../playback/playlist-spans';
import { signedPlaylistBody } from '../playback/playlist-body';
import { SHARE_ID } from './share-link';

/**
 * `GET /api/share/{cameraId}/{shareId}/playlist.m3u8?start&end&expires&kid&sig` (the share link's query) → `200` the
 * HLS VOD playlist of the shared range (functions/playback/playlist-body.ts), for the share page's hls.js or any player.
 * In order: the token must be a share token of this share and camera (format `keepwatch-share-v1`,
 * functions/playback/playback-token.ts: a camera's playback token does not open it, nor does a share token open the
 * camera's playlist; the range is signed, so no other range is granted); then the share's row is read on every
 * request: revoked → refused at once, expired → refused. Segment SAS URLs expire at the earlier of
 * `KEEPWATCH_SEGMENT_SAS_TTL` from now and the share's expiry.
 * Errors: 400 `InvalidCameraId`; 401 `InvalidPlaybackToken` (missing, altered, another share or camera, a rotated-out
 * key), `ShareExpired`; 400 `InvalidShareId`; 403 `ShareRevoked`; 404 `ShareNotFound`, `NoMediaInRange`; 503 when storage is unavailable.
 */
export async function sharePlaylist(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'shares' | 'sasSigner' | 'now'> & PlaylistSpansDeps = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const shareId = request.params.shareId ?? '';
    if (!SHARE_ID.test(shareId)) throw new ValidationError(`share id ${JSON.stringify(shareId.slice(0, 80))} is invalid: use the link as it was given`, undefined, 'InvalidShareId');
    const nowMs = deps.now();
    const { playbackTokenSecret: current, playbackTokenPreviousSecret: previous } = deps.settings;
    let grant;
    try {
      grant = verifyPlaybackGrant(cameraId, request.query, { current, previous }, nowMs, shareId);
    } catch (err) {
      if (err instanceof KeepwatchError && err.code === 'PlaybackTokenExpired') throw expired(Number(request.query.get('expires')));
      throw err;
    }
    const share = await deps.shares.get(cameraId, shareId);
    if (!share) throw new NotFoundError('this share link does not exist (any more)', 'ShareNotFound');
    if (share.revokedAtMs !== undefined) throw new ForbiddenError(`this share link was revoked at ${toIso(share.revokedAtMs)}`, 'ShareRevoked');
    if (nowMs >= share.expiresMs) throw expired(share.expiresMs);
    if (grant.startMs !== share.startMs || grant.endMs !== share.endMs || grant.expiresMs !== share.expiresMs) {
      throw new UnauthorizedError('this share link does not match its share', 'InvalidPlaybackToken');
    }
    const sasExpiresMs = Math.min(nowMs + deps.settings.segmentSasTtlMs, share.expiresMs);
    const body = await signedPlaylistBody(deps, context, { cameraId, startMs: share.startMs, endMs: share.endMs, sasExpiresMs });
    return { status: 200, body, headers: { 'content-type': HLS_CONTENT_TYPE, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

function expired(atMs: number): UnauthorizedError {
  return new UnauthorizedError(`this share link expired${Number.isFinite(atMs) ? ` at ${toIso(atMs)}` : ''}`, 'ShareExpired');
}

/** `GET /api/share/{cameraId}/{shareId}/playlist.m3u8`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/share/{cameraId}/{shareId}/playlist.m3u8',
  operationId: 'share-playlist',
  summary: 'The HLS VOD playlist of a share link (its page plays it)',
  description:
    "Opens without a key: the share link's `start`, `end`, `expires`, `kid` and `sig` are the token, for this share only. The share is checked on every request: revoked → 403, expired → 401.",
  tags: ['shares'],
  access: ACCESS.playbackToken,
  parameters: [
    parameterRef('cameraId'),
    { name: 'shareId', in: 'path', required: true, description: 'id of the share', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } },
    dateTimeQuery('start', true, 'the shared range start'),
    dateTimeQuery('end', true, 'the shared range end'),
    { name: 'expires', in: 'query', required: true, description: "the share's expiry, epoch ms UTC", schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
    { name: 'kid', in: 'query', required: true, description: 'id of the key that signed it', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{11}$' } },
    { name: 'sig', in: 'query', required: true, description: 'base64url HMAC-SHA256 of key id, share, camera, range and expiry', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
  ],
  responses: {
    '200': { description: 'RFC 8216 playlist', content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string', pattern: '^#EXTM3U' } } } },
    '400': responseRef('BadRequest'),
    '401': errorAnswer('`InvalidPlaybackToken` or `ShareExpired`'),
    '403': errorAnswer('`ShareRevoked`'),
    '404': errorAnswer('`ShareNotFound`, `NoMediaInRange`'),
    '503': responseRef('ServiceUnavailable'),
  },
};

registerHttp(route, (request, context) => sharePlaylist(request, context));
