import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseAvailableMediaQuery } from '../../shared/availability/available-media-query';
import type { AvailableMediaRange } from '../../shared/availability/available-media-ranges';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { TimeRanges } from '../openapi/components';
import { readAvailableMedia } from './available-media-read';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/** Body of a successful availableMedia request (AVA's shape). */
export interface AvailableMediaResponse {
  /** Sorted, disjoint, both ends inclusive; `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss.sssZ` (UTC). */
  timeRanges: AvailableMediaRange[];
}

/**
 * `GET /api/cameras/{cameraId}/availableMedia?precision=year|month|day|full&startTime=&endTime=` (function key)
 * → `200 AvailableMediaResponse`, with AVA's rules (docs/reference/ava-behaviour.md "Playback"; parsing in
 * shared/availability/available-media-query.ts, aggregation in available-media-ranges.ts, reads in
 * functions/cameras/available-media-read.ts). No media in the window → `{"timeRanges":[]}`.
 * Errors: 400 `InvalidCameraId`, `MissingParameter`, `InvalidPrecision`, `DuplicateParameter`, `InvalidDateTime`,
 * `InvalidRange`, `RangeTooLong`; 404 `CameraNotFound` (never recorded, as playback); 503 when storage is unavailable.
 */
export async function availableMedia(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'cameras' | 'availability'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const query = parseAvailableMediaQuery(request.query.entries());
    const camera = await deps.cameras.getCamera(cameraId);
    if (!camera) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    const timeRanges = await readAvailableMedia(deps.availability, cameraId, query, {
      startMs: camera.firstRecordedMs,
      endMs: camera.lastRecordedMs,
    });
    const body: AvailableMediaResponse = { timeRanges };
    return { status: 200, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/availableMedia`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/availableMedia',
  operationId: 'available-media',
  summary: "Stored time ranges of a camera's archive (AVA availableMedia)",
  description:
    'AVA rules (docs/reference/ava-behaviour.md, "Playback"): precision year (`YYYY`, start/end optional), month (`YYYY-MM`, ≤ 12 months), day (`YYYY-MM-DD`, ≤ 31 days), ' +
    'full (ISO date-time, start < end, ≤ 25 h); bounds inclusive, UTC; ranges clipped to the request and split at gaps; no data → empty list.',
  tags: ['cameras'],
  access: ACCESS.viewer,
  parameters: [
    parameterRef('cameraId'),
    { name: 'precision', in: 'query', required: true, description: 'granularity of the answer', schema: { type: 'string', enum: ['year', 'month', 'day', 'full'] } },
    { name: 'startTime', in: 'query', required: false, description: 'first instant, in the format of the precision (optional only for year)', schema: { type: 'string' } },
    { name: 'endTime', in: 'query', required: false, description: 'last instant, in the format of the precision (optional only for year)', schema: { type: 'string' } },
  ],
  responses: {
    '200': { description: 'the stored ranges', content: json(TimeRanges) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => availableMedia(request, context));
