import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { toIso } from '../shared/time';
import { registerHttp } from './app';
import { defaultDeps, type FunctionsDeps } from './deps';
import { errorResponse } from './http-errors';

/** One camera in `GET /api/cameras`; times are ISO 8601 UTC with milliseconds. */
export interface CameraListItem {
  id: string;
  deviceId: string;
  /** Start of the earliest stored segment. */
  firstRecorded: string;
  /** End of the latest stored segment. */
  lastRecorded: string;
}

/** `GET /api/cameras` (function key) → `200 { cameras: CameraListItem[] }`, sorted by id; only cameras that recorded. */
export async function camerasList(
  _request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'cameras'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameras: CameraListItem[] = (await deps.cameras.listCameras()).map((c) => ({
      id: c.cameraId,
      deviceId: c.deviceId,
      firstRecorded: toIso(c.firstRecordedMs),
      lastRecorded: toIso(c.lastRecordedMs),
    }));
    return { status: 200, jsonBody: { cameras }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('cameras-list', {
  methods: ['GET'],
  route: 'cameras',
  authLevel: 'function',
  handler: (request, context) => camerasList(request, context),
});
