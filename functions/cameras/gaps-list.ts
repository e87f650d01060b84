import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { DAY_MS, toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { CAMERA_RANGE_PARAMETERS, json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { GapList } from '../openapi/components';
import { requiredRangeQuery } from '../http/query-range';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/** Longest window one gaps request may cover (ms). */
export const MAX_GAPS_WINDOW_MS = 31 * DAY_MS;

/** One gap in `GET /api/cameras/{cameraId}/gaps`; times ISO 8601 UTC with ms, [start, end). */
export interface GapItem {
  start: string;
  end: string;
  /** `camera-unavailable`, `ffmpeg-stall`, `eviction`, `agent-restart`, `agent-stopped` or `expired-offline` (shared/contracts/device-events.ts). */
  cause: string;
}

/**
 * `GET /api/cameras/{cameraId}/gaps?start=ISO&end=ISO` (function key) → `200 { gaps: GapItem[] }`: the gaps the
 * camera's device reported (`gap` events) that overlap [start, end), sorted by start, not clipped (a gap that began
 * before `start` is listed whole), so a viewer can say why a stretch has no media.
 * Errors: 400 `InvalidCameraId`, `MissingParameter`, `InvalidDateTime`, `InvalidRange` (end ≤ start), `RangeTooLong`
 * (> 31 days); 404 `CameraNotFound` (never recorded); 503 when storage is unavailable.
 */
export async function gapsList(request: HttpRequest, context: InvocationContext, deps?: Pick<FunctionsDeps, 'cameras' | 'gapIndex'>): Promise<HttpResponseInit> {
  try {
    const d = deps ?? defaultDeps();
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const [startMs, endMs] = requiredRangeQuery(request, MAX_GAPS_WINDOW_MS);
    if (!(await d.cameras.getCamera(cameraId))) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    const gaps: GapItem[] = (await d.gapIndex.listGaps(cameraId, startMs, endMs)).map((g) => ({ start: toIso(g.startMs), end: toIso(g.endMs), cause: g.cause }));
    return { status: 200, jsonBody: { gaps }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/gaps`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/gaps',
  operationId: 'gaps-list',
  summary: "Gaps in a camera's recording, with their causes",
  description:
    'The gaps the device reported (camera down, cache eviction, agent stopped or killed, ffmpeg stall) that overlap [start, end), sorted, whole; at most 31 days per request.',
  tags: ['cameras'],
  access: ACCESS.viewer,
  parameters: CAMERA_RANGE_PARAMETERS,
  responses: {
    '200': { description: 'the gaps', content: json(GapList) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => gapsList(request, context));
