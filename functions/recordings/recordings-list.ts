import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { recordingHoldId } from '../../shared/recording-hold';
import { DAY_MS } from '../../shared/time';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { CAMERA_RANGE_PARAMETERS, json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { RecordingList } from '../openapi/components';
import { requiredRangeQuery } from '../http/query-range';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { recordingBytes } from './recording-lookup';
import { recordingResponse, type RecordingResponse } from './recording-response';

/**
 * Longest window one recordings request may cover (ms): 31 days, as the gaps listing (functions/cameras/gaps-list.ts) and
 * AVA's availableMedia at day precision (docs/reference/ava-behaviour.md "Playback"). A listing, not a playlist, so not
 * playback's 24 h.
 */
export const MAX_RECORDINGS_WINDOW_MS = 31 * DAY_MS;

/** How many recordings' index reads (for `bytes`) run at once. */
const BYTES_READS_IN_PARALLEL = 8;

/**
 * `GET /api/cameras/{cameraId}/recordings?start=ISO&end=ISO` (function key) → `200 { recordings: RecordingResponse[] }`:
 * the camera's EVR recordings overlapping [start, end), sorted by start, whole (a recording that began before `start`
 * is listed with its own start). Both parameters are required (a listing has no "most recent" default).
 * Errors: 400 `InvalidCameraId`, `MissingParameter`, `InvalidDateTime`, `InvalidRange` (end ≤ start), `RangeTooLong`
 * (> 31 days); 404 `CameraNotFound` when the camera never recorded and has no recording in the window; 503 when
 * storage is unavailable.
 */
export async function recordingsList(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'cameras' | 'recordings' | 'segmentIndex' | 'holds'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const [startMs, endMs] = requiredRangeQuery(request, MAX_RECORDINGS_WINDOW_MS);
    const [records, holds] = await Promise.all([deps.recordings.list(cameraId, { startMs, endMs }), deps.holds.list(cameraId)]);
    // A recording may be listed before its camera's first segment is indexed (the camera row comes with it).
    if (records.length === 0 && !(await deps.cameras.getCamera(cameraId))) {
      throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    }
    const heldIds = new Set(holds.map((h) => h.id));
    const recordings: RecordingResponse[] = new Array(records.length);
    for (let i = 0; i < records.length; i += BYTES_READS_IN_PARALLEL) {
      await Promise.all(
        records.slice(i, i + BYTES_READS_IN_PARALLEL).map(async (r, j) => {
          recordings[i + j] = recordingResponse(r, { bytes: await recordingBytes(deps, r), held: heldIds.has(recordingHoldId(r.id)) });
        }),
      );
    }
    return { status: 200, jsonBody: { recordings }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/recordings`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/recordings',
  operationId: 'recordings-list',
  summary: "A camera's EVR recordings overlapping a range",
  description:
    'Recordings (signal-gate windows, AVA clips) overlapping [start, end), sorted by start, whole; both parameters required, at most 31 days apart. ' +
    '`bytes` sums the stored segments overlapping each recording (whole). 404 CameraNotFound when the camera never recorded and has no recording in the range.',
  tags: ['recordings'],
  access: ACCESS.viewer,
  parameters: CAMERA_RANGE_PARAMETERS,
  responses: {
    '200': { description: 'the recordings', content: json(RecordingList) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => recordingsList(request, context));
