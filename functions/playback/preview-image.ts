import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { UnauthorizedError, ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { parsePreviewQuery } from '../../shared/previews/preview-query';
import { toIso } from '../../shared/time';
import { IMMUTABLE_CACHE_CONTROL } from '../adapters/blob/blob-preview-cache';
import { registerHttp } from '../app';
import { dateTimeQuery, errorAnswer, parameterRef, responseRef, type RouteSpec } from '../openapi/route-spec';
import { ACCESS } from '../auth/access';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { verifyPlaybackGrant } from './playback-token';
import { PREVIEW_HEADERS, previewResponse, SIZE_PARAMETER } from './preview-response';
import { previewImage } from './preview-lookup';

/**
 * `GET /api/cameras/{cameraId}/preview.jpg?time=ISO&size=…&start&end&expires&kid&sig` → `200 image/jpeg`: the preview
 * of a recorded instant as `GET …/preview?time=` answers it, for URLs that open without headers (an `<img src>` on a
 * timeline): the URLs `GET …/previews` lists. Anonymous at the Functions level: `start`, `end`, `expires`, `kid` and
 * `sig` are a playback token (functions/playback/playback-token.ts), the same a playlist URL carries, and `time` must
 * lie in its signed range — so a playlist URL's token shows that range's previews, and nothing else of the camera.
 * `Cache-Control: private, max-age=31536000, immutable`.
 * Errors: 400 `InvalidCameraId`, `InvalidPreviewQuery` (bad or missing `time`, bad `size`); 401 `InvalidPlaybackToken`,
 * `PlaybackTokenExpired`, `PreviewOutsideGrant` (`time` outside the signed range); 404 as `GET …/preview`.
 */
export async function previewSigned(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'now' | 'cameras' | 'availability' | 'segmentIndex' | 'segmentReader' | 'previewCache' | 'ffmpegPath'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const { playbackTokenSecret: current, playbackTokenPreviousSecret: previous } = deps.settings;
    const grant = verifyPlaybackGrant(cameraId, request.query, { current, previous }, deps.now());
    const q = parsePreviewQuery(request.query);
    if (q.timeMs === undefined) {
      throw new ValidationError("query parameter 'time' is required: a signed preview URL shows one recorded instant", undefined, 'InvalidPreviewQuery');
    }
    if (q.timeMs < grant.startMs || q.timeMs >= grant.endMs) {
      throw new UnauthorizedError(`time ${toIso(q.timeMs)} is outside the signed range ${toIso(grant.startMs)} .. ${toIso(grant.endMs)}`, 'PreviewOutsideGrant');
    }
    const image = await previewImage(deps, cameraId, q.timeMs, q.size, (err) => context.warn('preview not cached', { cameraId, error: String(err) }));
    return previewResponse(image, IMMUTABLE_CACHE_CONTROL);
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/preview.jpg`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/preview.jpg',
  operationId: 'preview-image',
  summary: 'A preview image by signed URL (the `url` of a previews item)',
  description: 'Opens without a key: `start`, `end`, `expires`, `kid` and `sig` are a playback token, and `time` must lie in its signed range.',
  tags: ['playback'],
  access: ACCESS.playbackToken,
  parameters: [
    parameterRef('cameraId'),
    dateTimeQuery('time', true, 'the instant, inside the signed range'),
    SIZE_PARAMETER,
    dateTimeQuery('start', true, 'signed range start'),
    dateTimeQuery('end', true, 'signed range end'),
    { name: 'expires', in: 'query', required: true, description: 'expiry, epoch ms UTC', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
    { name: 'kid', in: 'query', required: false, description: 'id of the key that signed it', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{11}$' } },
    { name: 'sig', in: 'query', required: true, description: 'base64url HMAC-SHA256 of key id, camera, range and expiry', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
  ],
  responses: {
    '200': { description: 'the JPEG', headers: PREVIEW_HEADERS, content: { 'image/jpeg': { schema: { type: 'string', description: 'JPEG bytes' } } } },
    '400': responseRef('BadRequest'),
    '401': errorAnswer('`InvalidPlaybackToken`, `PlaybackTokenExpired` or `PreviewOutsideGrant`'),
    '404': responseRef('NotFound'),
    '503': responseRef('ServiceUnavailable'),
  },
};

registerHttp(route, (request, context) => previewSigned(request, context));
