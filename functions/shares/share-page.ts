import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorResponse } from '../http/http-errors';
import { type RouteSpec } from '../openapi/route-spec';
import { viewerFiles } from '../viewer/viewer-files';
import { VIEWER_CSP } from '../viewer/viewer-page';

/**
 * `GET /api/share/{cameraId}/{shareId}?start&end&expires&kid&sig` → `200 text/html`: the share link's read-only page
 * (functions/viewer/share.html, share.js, share.css): it plays the shared range from the share's playlist
 * (functions/shares/share-playlist.ts) with hls.js and says why when the link is expired, revoked or altered. The page
 * itself is static and anonymous: its query (the share's token) is checked by the playlist, never here, so the page
 * tells nothing about a share. `Referrer-Policy: no-referrer` keeps the token out of other sites' logs.
 */
export async function sharePage(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const { sharePage: page } = viewerFiles();
    return {
      status: 200,
      body: page.body,
      headers: {
        'content-type': page.contentType,
        'cache-control': 'no-cache',
        'content-security-policy': VIEWER_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
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
    { name: 'cameraId', in: 'path', required: true, description: 'the shared camera', schema: { type: 'string' } },
    { name: 'shareId', in: 'path', required: true, description: 'id of the share', schema: { type: 'string' } },
  ],
  responses: {
    '200': { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } },
  },
};

registerHttp(route, sharePage);
