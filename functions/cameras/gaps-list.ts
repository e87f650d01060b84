import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { DAY_MS, toIso } from '../../shared/time';
import { registerHttp } from '../app';
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

registerHttp('gaps-list', {
  methods: ['GET'],
  route: 'cameras/{cameraId}/gaps',
  authLevel: 'function',
  handler: (request, context) => gapsList(request, context),
});
