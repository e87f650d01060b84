import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { liveWindow, LIVE_WINDOW_SEGMENTS } from '../../shared/hls/live-window';
import { playableSegments } from '../../shared/hls/playable-segments';
import { renderPlaylist } from '../../shared/hls/render-playlist';
import { assertId } from '../../shared/ids';
import { MINUTE_MS } from '../../shared/time';
import { registerHttp } from '../app';
import { errorAnswer, parameterRef, responseRef, type RouteSpec } from '../openapi/route-spec';
import { ACCESS } from '../auth/access';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { verifyLiveGrant } from './live-token';
import { keepLiveUploads, type LivePresenceDeps } from './live-presence';
import { HLS_CONTENT_TYPE } from './playlist';

/** The first lookback: enough for the window at segment lengths up to 30 s. */
const SHORT_LOOKBACK_MS = 3 * MINUTE_MS;
/** The lookback when the short one held less than a window: the window at the longest segment length (PT5M). */
const LONG_LOOKBACK_MS = 30 * MINUTE_MS;
/** Segments may start this far after the cloud's clock (an agent clock slightly ahead). */
const FUTURE_SLACK_MS = MINUTE_MS;

/**
 * `GET /api/cameras/{cameraId}/live.m3u8?expires&kid&sig` → `200` HLS live media playlist (RFC 8216 §6.2.2): the
 * newest {@link LIVE_WINDOW_SEGMENTS} indexed segments of the camera, a sliding window without `#EXT-X-ENDLIST`,
 * `#EXT-X-PROGRAM-DATE-TIME` per segment, `#EXT-X-DISCONTINUITY` at gaps, rendered by the VOD playlist's renderer
 * (shared/hls/render-playlist.ts) with live numbers: `#EXT-X-MEDIA-SEQUENCE` and `#EXT-X-DISCONTINUITY-SEQUENCE` are
 * counted from the camera's live mark (shared/hls/live-window.ts, stored in `{prefix}LiveMarks`), so a segment keeps
 * its number across reloads and across viewers. Segment URLs are read-only SAS URLs expiring
 * `KEEPWATCH_SEGMENT_SAS_TTL` after this request. No recent segment (camera down, EVR between recordings): a valid
 * playlist without segments, which players keep reloading. An EVR camera's reload also keeps its agent uploading each
 * segment as it closes while someone watches (functions/playback/live-presence.ts).
 * Anonymous at the Functions level: the signed live token is the authentication (functions/playback/live-token.ts).
 * Errors: 400 `InvalidCameraId`; 401 `InvalidPlaybackToken`, `PlaybackTokenExpired`; 503 storage unavailable.
 */
export async function livePlaylist(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'segmentIndex' | 'sasSigner' | 'liveMarks' | 'now'> & LivePresenceDeps = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const nowMs = deps.now();
    const { playbackTokenSecret: current, playbackTokenPreviousSecret: previous } = deps.settings;
    verifyLiveGrant(cameraId, request.query, { current, previous }, nowMs);
    const recentSpans = async () => {
      const short = await deps.segmentIndex.listSegmentSpans(cameraId, nowMs - SHORT_LOOKBACK_MS, nowMs + FUTURE_SLACK_MS);
      return short.length > LIVE_WINDOW_SEGMENTS ? short : deps.segmentIndex.listSegmentSpans(cameraId, nowMs - LONG_LOOKBACK_MS, nowMs + FUTURE_SLACK_MS);
    };
    // EVR: a viewer is present, so the agent uploads each segment as it closes (never throws).
    const presence = keepLiveUploads(deps, cameraId, nowMs, context);
    const [spans, stored] = await Promise.all([recentSpans(), deps.liveMarks.get(cameraId)]);
    const { segments: recent, dropped } = playableSegments(spans);
    if (dropped > 0) context.warn('overlapping segments left out of live playlist', { cameraId, dropped });
    const window = liveWindow(recent, stored?.mark);
    const urls = await deps.sasSigner.blobReadUrls(
      window.segments.map((s) => s.blobName),
      nowMs + deps.settings.segmentSasTtlMs,
    );
    // Written after the numbers are used: a lost write only makes the next reload count from the older mark, which
    // gives the same numbers (the mark is still among the recent segments).
    if (window.markChanged && window.mark) await deps.liveMarks.put(cameraId, window.mark, stored?.etag, nowMs);
    await presence;
    const body = renderPlaylist(
      window.segments.map((s, i) => ({ startMs: s.startMs, durationMs: s.durationMs, url: urls[i] })),
      window.live,
    );
    return { status: 200, body, headers: { 'content-type': HLS_CONTENT_TYPE, 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/live.m3u8`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/live.m3u8',
  operationId: 'live-playlist',
  summary: 'The signed HLS live playlist (the `hlsUrl` of live)',
  description:
    'Opens without a key: `expires`, `kid` and `sig` are the token. A sliding window of the newest segments, no `#EXT-X-ENDLIST`; media and discontinuity sequence numbers stay consistent across reloads. Segment URLs are read-only SAS URLs.',
  tags: ['playback'],
  access: ACCESS.playbackToken,
  parameters: [
    parameterRef('cameraId'),
    { name: 'expires', in: 'query', required: true, description: 'expiry, epoch ms UTC', schema: { type: 'string', pattern: '^[0-9]{1,16}$' } },
    { name: 'kid', in: 'query', required: true, description: 'id of the playback key that signed it', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{11}$' } },
    { name: 'sig', in: 'query', required: true, description: 'base64url HMAC-SHA256 of key id, camera and expiry', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
  ],
  responses: {
    '200': { description: 'RFC 8216 live media playlist', content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string', pattern: '^#EXTM3U' } } } },
    '400': responseRef('BadRequest'),
    '401': errorAnswer('`InvalidPlaybackToken` or `PlaybackTokenExpired`'),
    '503': responseRef('ServiceUnavailable'),
  },
};

registerHttp(route, (request, context) => livePlaylist(request, context));
