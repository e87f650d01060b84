import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../shared/errors';
import { assertId } from '../shared/ids';
import { parsePlaybackRange } from '../shared/playback-range';
import { toIso } from '../shared/time';
import { registerHttp } from './app';
import { defaultDeps, type FunctionsDeps } from './deps';
import { errorResponse } from './http-errors';
import { playbackGrantQuery } from './playback-token';
import { playbackRanges } from './playback-ranges';

/** Body of a successful `GET /api/cameras/{cameraId}/playback`. Times are ISO 8601 UTC with milliseconds. */
export interface PlaybackResponse {
  /** Absolute, signed playlist URL; opens without headers until `expiresAt`. */
  hlsUrl: string;
  expiresAt: string;
  /** Merged stored ranges of the segments the playlist contains (segment-aligned, so they may reach past start/end). */
  ranges: Array<{ start: string; end: string }>;
}

/**
 * `GET /api/cameras/{cameraId}/playback?start=ISO&end=ISO` (function key) → `200 PlaybackResponse`.
 * The playlist URL is `{base}/api/cameras/{cameraId}/playlist.m3u8?start&end&expires&sig` (functions/playback-token.ts),
 * `base` = `KEEPWATCH_PUBLIC_BASE_URL` or the request's origin; it expires `KEEPWATCH_PLAYBACK_TTL` from now.
 * Errors: 400 `InvalidCameraId`, `MissingParameter`, `InvalidDateTime`, `InvalidRange` (end ≤ start), `RangeTooLong`
 * (> 24 h); 404 `CameraNotFound` (never recorded), `NoMediaInRange`; 503 when storage is unavailable.
 */
export async function playback(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'cameras' | 'availability' | 'segmentIndex' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const { startMs, endMs } = parsePlaybackRange(request.query.get('start'), request.query.get('end'));
    if (!(await deps.cameras.getCamera(cameraId))) {
      throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    }
    const ranges = await playbackRanges(deps, cameraId, startMs, endMs);
    if (ranges.length === 0) {
      throw new NotFoundError(`camera '${cameraId}' has no recorded media between ${toIso(startMs)} and ${toIso(endMs)}`, 'NoMediaInRange');
    }
    const expiresMs = deps.now() + deps.settings.playbackTtlMs;
    const base = deps.settings.publicBaseUrl ?? new URL(request.url).origin;
    const query = playbackGrantQuery({ cameraId, startMs, endMs, expiresMs }, deps.settings.playbackTokenSecret);
    const body: PlaybackResponse = {
      hlsUrl: `${base}/api/cameras/${cameraId}/playlist.m3u8?${query}`,
      expiresAt: toIso(expiresMs),
      ranges: ranges.map((r) => ({ start: toIso(r.startMs), end: toIso(r.endMs) })),
    };
    return { status: 200, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('playback', {
  methods: ['GET'],
  route: 'cameras/{cameraId}/playback',
  authLevel: 'function',
  handler: (request, context) => playback(request, context),
});
