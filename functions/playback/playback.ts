import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { resolvePlaybackWindow } from '../../shared/playback-range';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { dateTimeQuery, json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { Playback } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { signedPlayback } from './playback-answer';

export type { PlaybackResponse } from './playback-answer';

/**
 * `GET /api/cameras/{cameraId}/playback[?start=ISO][&end=ISO]` (function key) → `200 PlaybackResponse`.
 * The window follows AVA's time-range rules (shared/playback-range.ts `resolvePlaybackWindow`,
 * docs/reference/ava-behaviour.md "Playback"): both → [start, end) ≤ 24 h; start only → [start, now) ≤ 24 h; end only →
 * 400; neither → the most recent 4 h of the archive, ending at the camera's last recorded instant. A window partly in a
 * gap is snapped to the stored media (shared/snap-range.ts); a window wholly in a gap is a 404 `NoMediaInRange` (AVA
 * answered an empty manifest; an empty VOD playlist helps no player). The playlist then holds every segment overlapping
 * the snapped window, with `#EXT-X-DISCONTINUITY` across gaps.
 * The playlist URL is `{base}/api/cameras/{cameraId}/playlist.m3u8?start&end&expires&kid&sig` (functions/playback/playback-token.ts)
 * signed for the snapped window, `base` = `KEEPWATCH_PUBLIC_BASE_URL` (the request's origin only for a loopback
 * request when unset: functions/http/public-base-url.ts); it expires
 * `KEEPWATCH_PLAYBACK_TTL` from now.
 * Errors: 400 `InvalidCameraId`, `MissingParameter` (end without start), `InvalidDateTime`, `InvalidRange` (end ≤
 * start; start only and not in the past), `RangeTooLong` (> 24 h); 404 `CameraNotFound` (never recorded),
 * `NoMediaInRange`; 503 when storage is unavailable.
 */
export async function playback(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'cameras' | 'availability' | 'segmentIndex' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const start = request.query.get('start');
    const end = request.query.get('end');
    const nowMs = deps.now();
    // Validate what can be validated without storage first: bad input is a 400 even for an unknown camera.
    resolvePlaybackWindow(start, end, { nowMs, lastRecordedMs: nowMs });
    const camera = await deps.cameras.getCamera(cameraId);
    if (!camera) {
      throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    }
    const window = resolvePlaybackWindow(start, end, { nowMs, lastRecordedMs: camera.lastRecordedMs });
    const body = await signedPlayback(deps, { cameraId, window, origin: new URL(request.url).origin });
    return { status: 200, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/playback`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/playback',
  operationId: 'playback',
  summary: 'A signed, expiring HLS playback URL for a time range',
  description:
    "AVA's time-range rules: start and end → that range, ≤ 24 h; start only → start..now, ≤ 24 h; end only → 400; neither → the most recent 4 h of the archive. A range partly in a gap is snapped to the stored media (`start`/`end` of the answer); wholly in a gap → 404 NoMediaInRange. The playlist covers every stored segment overlapping it, whole; gaps are `#EXT-X-DISCONTINUITY`.",
  tags: ['playback'],
  access: ACCESS.viewer,
  parameters: [parameterRef('cameraId'), dateTimeQuery('start', false, 'range start'), dateTimeQuery('end', false, 'range end (exclusive); needs start')],
  responses: {
    '200': { description: 'the playback URL', content: json(Playback) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => playback(request, context));
