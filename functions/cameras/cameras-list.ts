import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { AudioStreamInfo, VideoStreamInfo } from '../../shared/contracts/stream-info';
import type { CameraHealth } from '../../shared/contracts/camera-health';
import type { CameraRecord } from '../adapters/table/table-camera-store';
import { readCameraHealth } from './camera-health-read';
import { toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { ACCESS, listingCameras } from '../auth/access';
import { json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { CameraList } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { cameraScopeOf, scopeIncludes } from '../auth/principal';

/** One camera in `GET /api/cameras`; times are ISO 8601 UTC with milliseconds. */
export interface CameraListItem {
  id: string;
  deviceId: string;
  /** Start of the earliest stored segment. */
  firstRecorded: string;
  /** End of the latest stored segment. */
  lastRecorded: string;
  /** What the camera sends, from its latest reported recording session; absent until one reported it. */
  stream?: CameraStreamItem;
  /** Its state now: recording, reconnecting, offline or disabled (shared/contracts/camera-health.ts). */
  health: CameraHealth;
}

/**
 * A camera's stream info (shared/contracts/stream-info.ts): video codec (ffmpeg's name: `h264`, `hevc`), profile, size
 * in pixels and frames per second; audio codec (`aac`, `pcm_mulaw`, `pcm_alaw`), profile, sample rate in Hz and
 * channels, or `null` when it sends no audio; unknowns are `null`. `since`: when the session that reported it started.
 */
export interface CameraStreamItem {
  video: VideoStreamInfo;
  audio: AudioStreamInfo | null;
  since: string;
}

/**
 * `GET /api/cameras` (role Keepwatch.Viewer or above) → `200 { cameras: CameraListItem[] }`, sorted by id; only cameras
 * that recorded, and only those the caller's camera scope includes (functions/auth/principal.ts), each with its stream
 * info and its health at the cloud's now (functions/cameras/camera-health-read.ts).
 */
export async function camerasList(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'cameras' | 'health' | 'devices' | 'pipelines' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const scope = cameraScopeOf(request);
    const rows = (await deps.cameras.listCameras()).filter((c) => scopeIncludes(scope, c.cameraId));
    const health = await readCameraHealth(rows, deps);
    const cameras = rows.map((c, i) => cameraItem(c, health[i]));
    return { status: 200, jsonBody: { cameras }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** One camera row, with its health, as the API shows it (also `GET /api/cameras/{cameraId}`). */
export function cameraItem(c: CameraRecord, health: CameraHealth): CameraListItem {
  return {
    id: c.cameraId,
    deviceId: c.deviceId,
    firstRecorded: toIso(c.firstRecordedMs),
    lastRecorded: toIso(c.lastRecordedMs),
    ...(c.stream ? { stream: { video: c.stream.stream.video, audio: c.stream.stream.audio, since: toIso(c.stream.sinceMs) } } : {}),
    health,
  };
}

/** `GET /api/cameras`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras',
  operationId: 'cameras-list',
  summary: 'Cameras that have recorded, sorted by id, with their stream info and health',
  tags: ['cameras'],
  access: listingCameras(ACCESS.viewer),
  responses: { '200': { description: 'the cameras', content: json(CameraList) }, ...keyedErrors() },
};

registerHttp(route, (request, context) => camerasList(request, context));
