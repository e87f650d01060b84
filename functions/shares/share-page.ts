import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorResponse } from '../http/http-errors';
import { parameterRef, responseRef, type RouteSpec } from '../openapi/route-spec';
import { assertId } from '../../shared/ids';
import { ValidationError } from '../../shared/errors';
import { SHARE_ID } from './share-link';
import { viewerFiles } from '../viewer/viewer-files';
import { viewerCsp, viewerPageHeaders } from '../viewer/viewer-page';

/**
 * `GET /api/share/{cameraId}/{shareId}?start&end&expires&kid&sig` → `200 text/html`: the share link's read-only page
 * (functions/viewer/share.html, share.js, share.css): it plays the shared range from the share's playlist
 * (functions/shares/share-playlist.ts) with hls.js and says why when the link is expired, revoked or altered. The page
 * itself is static and anonymous: its query (the share's token) is checked by the playlist, never here, so the page
 * tells nothing about a share. `Referrer-Policy: no-referrer` keeps the token out of other sites' logs. Its content
 * security policy is the viewer's (functions/viewer/viewer-page.ts) without the sign-in issuer.
 * Errors: 400 `InvalidCameraId`, `InvalidShareId`.
 */
export async function sharePage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    // A link that cannot be a share (bad camera or share id) gets the API's JSON 400, not a page that would fail later.
    assertId('camera', request.params.cameraId ?? '');
    const shareId = request.params.shareId ?? '';
    if (!SHARE_ID.test(shareId)) throw new ValidationError(`share id ${JSON.stringify(shareId.slice(0, 80))} is invalid: use the link as it was given`, undefined, 'InvalidShareId');
    const { sharePage: page } = viewerFiles();
    return {
      status: 200,
      body: page.body,
      // The viewer's policy without its settings: no sign-in issuer (a share signs nobody in); fetches to any origin.
      headers: viewerPageHeaders(page.contentType, viewerCsp()),
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/share/{cameraId}/{shareId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/share/{cameraId}/{shareId}',
  operationId: 'share-page',
  summary: "A share link's read-only page (HTML): plays the shared range without an account",
  description: "Static and anonymous: the link's query (`start`, `end`, `expires`, `kid`, `sig`) is the share's token, checked by the share's playlist on every use.",
  tags: ['shares'],
  access: ACCESS.anyone,
  parameters: [
    parameterRef('cameraId'),
    { name: 'shareId', in: 'path', required: true, description: 'id of the share', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } },
  ],
  responses: {
    '200': { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } },
    '400': responseRef('BadRequest'),
  },
};

registerHttp(route, sharePage);
