import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { parsePreviewQuery } from '../../shared/previews/preview-query';
import { IMMUTABLE_CACHE_CONTROL } from '../adapters/blob/blob-preview-cache';
import { registerHttp } from '../app';
import { dateTimeQuery, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { previewImage } from './preview-lookup';
import { PREVIEW_HEADERS, previewResponse, SIZE_PARAMETER } from './preview-response';
import { ACCESS } from '../auth/access';

/** `Cache-Control` of the latest image: it changes as the camera records, so browsers keep it a few seconds only. */
export const LATEST_PREVIEW_CACHE_CONTROL = 'private, max-age=5';

/**
 * `GET /api/cameras/{cameraId}/preview[?time=ISO][&size=small|medium|large]` (function key) → `200 image/jpeg`: what
 * the camera showed at `time` — the last frame at or before it, decoded from the stored segment that holds it and
 * cached (functions/playback/preview-lookup.ts, docs/previews.md) — or, without `time`, its latest recorded image
 * (the last frame of its last stored segment). Sizes after AVA's `previewImageUrls`: small 320, medium 640 (default),
 * large 1280 px wide, aspect kept, never scaled up.
 * Headers: `Cache-Control: private, max-age=31536000, immutable` for a `time` (a recorded instant's frame never
 * changes), `private, max-age=5` for the latest; `Keepwatch-Preview-Time` (the instant shown), `Keepwatch-Preview-Cache`
 * (`hit` or `miss`).
 * Errors: 400 `InvalidCameraId`, `InvalidPreviewQuery` (bad `time` or `size`); 404 `CameraNotFound`, `NoMediaAtTime`
 * (`details.before`/`details.after`: the nearest recorded instants within a day), `SegmentMissing`; 503 storage
 * unavailable; 500 when the stored segment cannot be decoded.
 */
export async function preview(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'cameras' | 'availability' | 'segmentIndex' | 'segmentReader' | 'previewCache' | 'ffmpegPath'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const q = parsePreviewQuery(request.query);
    let timeMs = q.timeMs;
    if (timeMs === undefined) {
      const camera = await deps.cameras.getCamera(cameraId);
      if (!camera) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
      timeMs = camera.lastRecordedMs - 1; // the last instant of its last segment
    }
    const image = await previewImage(deps, cameraId, timeMs, q.size, (err) => context.warn('preview not cached', { cameraId, error: String(err) }));
    return previewResponse(image, q.timeMs === undefined ? LATEST_PREVIEW_CACHE_CONTROL : IMMUTABLE_CACHE_CONTROL);
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/preview`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  access: ACCESS.viewer,
  method: 'GET',
  path: '/cameras/{cameraId}/preview',
  operationId: 'preview',
  summary: 'A preview image (JPEG) of a recorded instant, or the latest',
  description:
    'The last frame at or before `time`, decoded from the stored segment and cached (immutable); without `time`, the last frame of the last stored segment (max-age 5 s). 404 NoMediaAtTime names the nearest recorded instants in `details`.',
  tags: ['playback'],
  parameters: [parameterRef('cameraId'), dateTimeQuery('time', false, 'the instant; absent = the latest recorded image'), SIZE_PARAMETER],
  responses: {
    '200': { description: 'the JPEG', headers: PREVIEW_HEADERS, content: { 'image/jpeg': { schema: { type: 'string', description: 'JPEG bytes' } } } },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => preview(request, context));
