import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { responseRef, type RouteSpec } from '../openapi/route-spec';
import { errorResponse } from '../http/http-errors';
import { VIEWER_ASSETS, viewerFiles, type ViewerAsset } from './viewer-files';

/** One year, the longest `max-age` caches honour (RFC 9111 §1.2.2 recommends at most a year). */
const ONE_YEAR_S = 31_536_000;

/**
 * `GET /api/viewer/{asset}` (asset ∈ `viewer.js`, `viewer.css`, `hls.min.js`, `viewer-signin.js`, `oauth4webapi.js`, and the share page's `share.js`, `share.css`) → `200` the file, cached for a year
 * and immutable (the page requests it with `?v=<content hash>`, so a new deployment changes the URL).
 * Errors: 404 `NotFound` for any other name. Anonymous, like the page.
 */
export async function viewerAsset(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const name = request.params.asset ?? '';
    if (!(VIEWER_ASSETS as readonly string[]).includes(name)) {
      throw new NotFoundError(`viewer has no file ${JSON.stringify(name.slice(0, 64))}; files are ${VIEWER_ASSETS.join(', ')}`);
    }
    const asset = viewerFiles().assets[name as ViewerAsset];
    return {
      status: 200,
      body: asset.body,
      headers: {
        'content-type': asset.contentType,
        'cache-control': `public, max-age=${ONE_YEAR_S}, immutable`,
        etag: `"${asset.version}"`,
        'x-content-type-options': 'nosniff',
      },
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/viewer/{asset}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/viewer/{asset}',
  operationId: 'viewer-asset',
  summary: "A static file of the viewer (hls.js from the app's node_modules)",
  description: 'Long-cached (`max-age` one year, immutable): the page refers to each file with a `?v=` content version.',
  tags: ['viewer'],
  access: ACCESS.anyone,
  parameters: [{ name: 'asset', in: 'path', required: true, description: 'file name', schema: { type: 'string', enum: [...VIEWER_ASSETS] } }],
  responses: {
    '200': { description: 'the file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
    '404': responseRef('NotFound'),
  },
};

registerHttp(route, viewerAsset);
