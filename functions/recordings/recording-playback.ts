import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorAnswer, json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { Playback } from '../openapi/components';
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

/** `GET /api/cameras/{cameraId}/recordings/{recordingId}/playback`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/recordings/{recordingId}/playback',
  operationId: 'recording-playback',
  summary: "A signed, expiring HLS playback URL for one recording's window",
  description: "Exactly the playback answer for the recording's [start, end): snapped to stored media; 404 NoMediaInRange while nothing of it is uploaded.",
  tags: ['recordings', 'playback'],
  access: ACCESS.viewer,
  parameters: [parameterRef('cameraId'), parameterRef('recordingId')],
  responses: {
    '200': { description: 'the playback URL', content: json(Playback) },
    '404': errorAnswer('`RecordingNotFound` or `NoMediaInRange`'),
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => recordingPlayback(request, context));
