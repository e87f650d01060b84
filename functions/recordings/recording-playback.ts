import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { signedPlayback } from '../playback/playback-answer';
import { lookUpRecording } from './recording-lookup';

/**
 * `GET /api/cameras/{cameraId}/recordings/{recordingId}/playback` (function key) → `200 PlaybackResponse`
 * (`{hlsUrl, expiresAt, start, end, ranges}`), exactly what `GET .../playback?start&end` answers for the recording's
 * window [start, end) (functions/playback/playback-answer.ts): snapped to the stored media, signed, expiring
 * `KEEPWATCH_PLAYBACK_TTL` from now. A recording still open plays what is stored so far.
 * Errors: 400 `InvalidCameraId`, `InvalidRecordingId`; 404 `RecordingNotFound`, `NoMediaInRange` (no segment of the
 * window uploaded yet); 503 when storage is unavailable.
 */
export async function recordingPlayback(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'recordings' | 'availability' | 'segmentIndex' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const r = await lookUpRecording(deps, request.params);
    // A window is at most UPLOAD_WINDOW_MAX_MS (61 min), inside the playlist's 24 h limit.
    const body = await signedPlayback(deps, { cameraId: r.cameraId, window: { startMs: r.startMs, endMs: r.endMs }, origin: new URL(request.url).origin });
    return { status: 200, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('recording-playback', {
  methods: ['GET'],
  route: 'cameras/{cameraId}/recordings/{recordingId}/playback',
  authLevel: 'function',
  handler: (request, context) => recordingPlayback(request, context),
});
