import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { parseThumbnailsQuery } from '../../shared/previews/preview-query';
import { thumbnailTimes } from '../../shared/previews/thumbnail-times';
import { toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { CAMERA_RANGE_PARAMETERS, json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { PreviewList } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { publicBaseUrl } from '../http/public-base-url';
import { playbackGrantQuery } from './playback-token';
import { ACCESS } from '../auth/access';

/** Body of `GET /api/cameras/{cameraId}/previews`. Times ISO 8601 UTC with ms. */
export interface PreviewListResponse {
  previews: Array<{ time: string; url: string }>;
  expiresAt: string;
}

/**
 * `GET /api/cameras/{cameraId}/previews?start=ISO&end=ISO[&interval=PT1M][&size=small]` (function key) →
 * `200 PreviewListResponse`: thumbnails along [start, end) for a timeline, at most one per `interval` (PT2S..PT1H,
 * default PT1M; at most 1440 per request, range ≤ 24 h): each is the first frame of the segment holding the step's
 * instant, or of the first segment starting within the step (shared/previews/thumbnail-times.ts), the cheapest frame to
 * decode (docs/previews.md). Each `url` is `{base}/api/cameras/{cameraId}/preview.jpg?time&size&start&end&expires&kid&sig`
 * (functions/playback/preview-image.ts), signed with the playback key like a playlist URL for the range of the list
 * (from the first thumbnail when its segment began before `start`), expiring `KEEPWATCH_PLAYBACK_TTL` from now; `base`
 * as for playback URLs (functions/http/public-base-url.ts). No image is decoded here: each is made (and cached) when
 * its URL is first fetched. A range without media lists nothing (200, empty).
 * Errors: 400 `InvalidCameraId`, `InvalidPreviewQuery`; 404 `CameraNotFound`; 503 storage unavailable.
 */
export async function previewsList(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'cameras' | 'segmentIndex' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const q = parseThumbnailsQuery(request.query);
    if (!(await deps.cameras.getCamera(cameraId))) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    const times = thumbnailTimes(await deps.segmentIndex.listSegmentSpans(cameraId, q.startMs, q.endMs), q.startMs, q.endMs, q.intervalMs);
    const expiresMs = deps.now() + deps.settings.playbackTtlMs;
    const grant = { cameraId, startMs: Math.min(q.startMs, times[0] ?? q.startMs), endMs: q.endMs, expiresMs };
    const token = playbackGrantQuery(grant, deps.settings.playbackTokenSecret);
    const base = `${publicBaseUrl(deps.settings.publicBaseUrl, new URL(request.url).origin)}/api/cameras/${cameraId}/preview.jpg`;
    const body: PreviewListResponse = {
      previews: times.map((t) => ({ time: toIso(t), url: `${base}?${new URLSearchParams({ time: toIso(t), size: q.size }).toString()}&${token}` })),
      expiresAt: toIso(expiresMs),
    };
    return { status: 200, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/previews`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  access: ACCESS.viewer,
  method: 'GET',
  path: '/cameras/{cameraId}/previews',
  operationId: 'previews-list',
  summary: 'Thumbnails along a range (signed preview image URLs), for a timeline',
  description:
    "At most one per `interval` step (default PT1M): the first frame of the segment holding the step's instant, or of the first segment starting within the step. Each URL opens without a key until expiresAt; the image is made when first fetched, then cached.",
  tags: ['playback'],
  parameters: [
    ...CAMERA_RANGE_PARAMETERS,
    { name: 'interval', in: 'query', required: false, description: 'ISO 8601 duration between thumbnails, PT2S..PT1H, default PT1M; at most 1440 thumbnails', schema: { type: 'string', format: 'duration', default: 'PT1M' } },
    { name: 'size', in: 'query', required: false, description: 'size class of the images: small 320, medium 640, large 1280 px wide', schema: { type: 'string', enum: ['small', 'medium', 'large'], default: 'small' } },
  ],
  responses: {
    '200': { description: 'the thumbnails', content: json(PreviewList) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => previewsList(request, context));
