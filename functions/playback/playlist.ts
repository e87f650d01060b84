import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { dateTimeQuery, errorAnswer, parameterRef, responseRef, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { verifyPlaybackGrant } from './playback-token';
import type { PlaylistSpansDeps } from './playlist-spans';
import { signedPlaylistBody } from './playlist-body';

/** Content type of HLS playlists (RFC 8216 §4). */
export const HLS_CONTENT_TYPE = 'application/vnd.apple.mpegurl';

/**
 * `GET /api/cameras/{cameraId}/playlist.m3u8?start&end&expires&kid&sig` → `200` HLS VOD playlist
 * (shared/hls/render-playlist.ts): every segment overlapping the signed range (closed hours read from their asset
 * manifests, the rest from the segment index: functions/playback/playlist-spans.ts), sorted, `#EXT-X-DISCONTINUITY` at gaps,
 * each URL an absolute read-only SAS URL of its blob expiring `KEEPWATCH_SEGMENT_SAS_TTL` (default and minimum
 * `KEEPWATCH_PLAYBACK_TTL`) after this request, hence no earlier than the playlist token itself.
 * Anonymous at the Functions level: the signed token is the authentication, so ffmpeg, VLC and hls.js can open it
 * without headers. Errors: 400 `InvalidCameraId`; 401 `InvalidPlaybackToken`, `PlaybackTokenExpired`;
 * 404 `NoMediaInRange` (e.g. deleted by retention since the URL was issued).
 */
export async function playlist(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'sasSigner' | 'now'> & PlaylistSpansDeps = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const nowMs = deps.now();
    const { playbackTokenSecret: current, playbackTokenPreviousSecret: previous } = deps.settings;
    const grant = verifyPlaybackGrant(cameraId, request.query, { current, previous }, nowMs);
    const body = await signedPlaylistBody(deps, context, { cameraId, startMs: grant.startMs, endMs: grant.endMs, sasExpiresMs: nowMs + deps.settings.segmentSasTtlMs });
    return {
      status: 200,
      body,
      headers: { 'content-type': HLS_CONTENT_TYPE, 'cache-control': 'no-store' },
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/playlist.m3u8`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/playlist.m3u8',
  operationId: 'playlist',
  summary: 'The signed HLS VOD playlist (the `hlsUrl` of playback)',
  description: 'Opens without a key: `start`, `end`, `expires`, `kid` and `sig` are the token. Segment URLs are read-only SAS URLs that live at least as long as the playlist.',
  tags: ['playback'],
  access: ACCESS.playbackToken,
  parameters: [
    parameterRef('cameraId'),
    dateTimeQuery('start', true, 'signed range start'),
    dateTimeQuery('end', true, 'signed range end'),
    { name: 'expires', in: 'query', required: true, description: 'expiry, epoch ms UTC', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
    { name: 'kid', in: 'query', required: false, description: 'id of the key that signed it (the current or, during a rotation, the previous playback key); absent in URLs issued before key ids', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{11}$' } },
    { name: 'sig', in: 'query', required: true, description: 'base64url HMAC-SHA256 of key id, camera, range and expiry', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
  ],
  responses: {
    '200': { description: 'RFC 8216 playlist', content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string', pattern: '^#EXTM3U' } } } },
    '400': responseRef('BadRequest'),
    '401': errorAnswer('`InvalidPlaybackToken` or `PlaybackTokenExpired`'),
    '404': responseRef('NotFound'),
    '503': responseRef('ServiceUnavailable'),
  },
};

registerHttp(route, (request, context) => playlist(request, context));
