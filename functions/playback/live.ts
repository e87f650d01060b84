import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { Live } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { publicBaseUrl } from '../http/public-base-url';
import { liveGrantQuery } from './live-token';
import { ACCESS } from '../auth/access';

/** Body of `GET /api/cameras/{cameraId}/live`. Times are ISO 8601 UTC with milliseconds. */
export interface LiveResponse {
  /** Absolute, signed live playlist URL (`live.m3u8`); players reload it, it opens without headers until `expiresAt`. */
  hlsUrl: string;
  expiresAt: string;
  /** The camera's recording mode (its policy; `cvr` when none is stored). */
  mode: 'cvr' | 'evr';
  /**
   * How the segments reach the live playlist: `continuous` (CVR: every segment is uploaded as it closes) or
   * `while-watched` (EVR: the agent uploads recordings only, and each segment as it closes while someone reloads the
   * live playlist; the first segments arrive a few seconds after the first reload; docs/live.md).
   */
  coverage: 'continuous' | 'while-watched';
}

/**
 * `GET /api/cameras/{cameraId}/live` (function key) → `200 LiveResponse`: a signed URL of the camera's live playlist
 * (functions/playback/live-playlist.ts), `{base}/api/cameras/{cameraId}/live.m3u8?expires&kid&sig`
 * (functions/playback/live-token.ts), valid `KEEPWATCH_LIVE_TTL` (default PT12H) so that a player can reload it for a
 * whole live session; a longer session asks again before `expiresAt`. The token grants only the live window (the
 * newest segments), never the archive. An EVR camera is known once its agent reported a cached segment (its gate row),
 * even before anything was uploaded. `base` is `KEEPWATCH_PUBLIC_BASE_URL` (functions/http/public-base-url.ts).
 * Errors: 400 `InvalidCameraId`; 404 `CameraNotFound` (never recorded); 503 when storage is unavailable.
 */
export async function live(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'cameras' | 'policies' | 'gates' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const [camera, policy] = await Promise.all([deps.cameras.getCamera(cameraId), deps.policies.get(cameraId)]);
    const mode = policy?.document.mode ?? 'cvr';
    // An EVR camera with no recording yet has no camera row, but its agent's segment.recorded events made its gate row.
    const known = camera ?? (mode === 'evr' ? await deps.gates.get(cameraId) : undefined);
    if (!known) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    const expiresMs = deps.now() + deps.settings.liveTtlMs;
    const base = publicBaseUrl(deps.settings.publicBaseUrl, new URL(request.url).origin);
    const body: LiveResponse = {
      hlsUrl: `${base}/api/cameras/${cameraId}/live.m3u8?${liveGrantQuery({ cameraId, expiresMs }, deps.settings.playbackTokenSecret)}`,
      expiresAt: toIso(expiresMs),
      mode,
      coverage: mode === 'evr' ? 'while-watched' : 'continuous',
    };
    return { status: 200, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/live`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  access: ACCESS.viewer,
  method: 'GET',
  path: '/cameras/{cameraId}/live',
  operationId: 'live',
  summary: 'A signed URL of the live (near-live) HLS playlist of a camera',
  description:
    'The playlist (`live.m3u8`) lists the newest stored segments in a sliding window and grows as segments are indexed; players reload it every target duration. The URL stays valid `KEEPWATCH_LIVE_TTL` (default PT12H) and grants the live window only. For an EVR camera, reloading the live playlist keeps its agent uploading each segment as it closes (`coverage: while-watched`); nobody watching, only recordings are uploaded.',
  tags: ['playback'],
  parameters: [parameterRef('cameraId')],
  responses: {
    '200': { description: 'the live playlist URL', content: json(Live) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => live(request, context));
