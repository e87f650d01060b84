import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { type RouteSpec } from '../openapi/route-spec';
import { errorResponse } from '../http/http-errors';
import { viewerFiles } from './viewer-files';

/**
 * Content-Security-Policy of the page: its own scripts and styles only; media and hls.js's worker from `blob:` URLs
 * (Media Source Extensions); images from `blob:` URLs (a tile's latest preview, fetched with the
 * key) and from the preview URLs the previews route signs (on the API's public base URL); XHR/fetch to this API and to the storage account's segment SAS URLs (any origin,
 * since the blob endpoint is deployment-specific); no framing.
 */
export const VIEWER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob:; " +
  "worker-src 'self' blob:; connect-src 'self' http: https:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * `GET /api/viewer` → `200 text/html`: the web viewer (functions/viewer/: camera grid with health badges and latest
 * images, live and recorded playback with hls.js, a zoomable timeline of ranges, gaps with causes, EVR recordings,
 * signals and thumbnails, range download; docs/viewer.md). Anonymous so a browser can open it; the page asks for the function key
 * once, keeps it in sessionStorage and sends it as `x-functions-key` on its API calls only.
 */
export async function viewerPage(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const { page } = viewerFiles();
    return {
      status: 200,
      body: page.body,
      headers: {
        'content-type': page.contentType,
        // The page names its assets by content version: revalidate the page, cache the assets.
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

/** `GET /api/viewer`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/viewer',
  operationId: 'viewer-page',
  summary: 'The web viewer (asks for the key in the page, keeps it in sessionStorage)',
  tags: ['viewer'],
  access: ACCESS.anyone,
  responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string', pattern: '^<!doctype html>' } } } } },
};

registerHttp(route, viewerPage);
