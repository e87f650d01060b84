import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { type RouteSpec } from '../openapi/route-spec';
import { errorResponse } from '../http/http-errors';
import { parseStorageConnectionString } from '../adapters/storage/connection-string';
import { settings, type FunctionsSettings, type ViewerSignInSettings } from '../settings';
import { viewerFiles } from './viewer-files';

/** Where the page may connect besides itself (`connect-src`), each an origin `scheme://host[:port]`. */
export interface ViewerConnectOrigins {
  /** The storage account's blob endpoint: hls.js fetches segments with their SAS URLs. */
  blob?: string;
  /** `KEEPWATCH_PUBLIC_BASE_URL`'s origin: signed playlist and preview URLs are on it. */
  publicBase?: string;
  /** The OpenID Connect issuer (discovery, token endpoint), with sign-in on. */
  issuer?: string;
}

/**
 * Content-Security-Policy of the page: its own scripts and styles only; media and hls.js's worker from `blob:` URLs
 * (Media Source Extensions); images from `blob:` URLs (a tile's latest preview, fetched with the credentials) and from
 * the preview URLs the previews route signs (on the API's public base URL); XHR/fetch only to this API, its public
 * base URL, the storage account's blob endpoint (segment SAS URLs) and, with sign-in on, the issuer (discovery and
 * token endpoint; the authorization endpoint is a navigation, not a fetch); no framing. Without a known blob endpoint
 * (never from the settings) it falls back to any `http:`/`https:` origin.
 */
export function viewerCsp(origins: ViewerConnectOrigins = {}): string {
  const connect = ["'self'", ...new Set([origins.publicBase, origins.blob, origins.issuer].filter((o): o is string => !!o))];
  if (!origins.blob) connect.push('http:', 'https:');
  return (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob:; " +
    `worker-src 'self' blob:; connect-src ${connect.join(' ')}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`
  );
}

/**
 * Response headers of a viewer HTML page (the viewer, a share link's page): its content type, revalidated on each load
 * (the page names its assets by content version, so they are cached instead), the content security policy `csp`
 * ({@link viewerCsp}), no MIME sniffing, and no referrer (a share page's query is its token).
 */
export function viewerPageHeaders(contentType: string, csp: string): Record<string, string> {
  return { 'content-type': contentType, 'cache-control': 'no-cache', 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
}

/** The origins of {@link viewerCsp} from the app settings. */
export function connectOrigins(s: FunctionsSettings): ViewerConnectOrigins {
  const blob = s.storage.kind === 'identity' ? s.storage.blobServiceUri : parseStorageConnectionString(s.storage.connectionString).blobEndpoint;
  return {
    blob: new URL(blob).origin,
    ...(s.publicBaseUrl ? { publicBase: new URL(s.publicBaseUrl).origin } : {}),
    ...(s.viewerSignIn ? { issuer: new URL(s.viewerSignIn.issuer).origin } : {}),
  };
}

/**
 * The page's sign-in configuration as the HTML embeds it (`<meta name="keepwatch-signin" content="…">`, read by
 * viewer-signin.js): `{"issuer","clientId","scopes"}` as JSON, HTML-attribute-escaped; `{}` when sign-in is off.
 */
export function signInMeta(signIn: ViewerSignInSettings | undefined): string {
  const json = JSON.stringify(signIn ? { issuer: signIn.issuer, clientId: signIn.clientId, scopes: signIn.scopes } : {});
  return json.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * `GET /api/viewer` → `200 text/html`: the web viewer (functions/viewer/: camera grid with health badges and latest
 * images, live and recorded playback with hls.js, a zoomable timeline of ranges, gaps with causes, EVR recordings,
 * signals and thumbnails, range download; docs/viewer.md). Anonymous so a browser can open it. With
 * `KEEPWATCH_VIEWER_CLIENT_ID` set the page carries the issuer, client id and scopes and signs the person in (OpenID
 * Connect, authorization code flow with PKCE) and sends `Authorization: Bearer`; without it, or when opened with
 * `#key=`, it uses the function key (kept in sessionStorage, sent as `x-functions-key` on its API calls only).
 * Errors: 500 `InvalidSetting` when the app settings are bad.
 */
export async function viewerPage(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const { page } = viewerFiles();
    const s = settings();
    const signIn = s.viewerSignIn;
    return {
      status: 200,
      body: page.body.toString('utf8').replace('{{signin}}', signInMeta(signIn)),
      headers: viewerPageHeaders(page.contentType, viewerCsp(connectOrigins(s))),
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
  summary: 'The web viewer (signs people in at the OpenID Connect issuer, or asks for the key)',
  tags: ['viewer'],
  access: ACCESS.anyone,
  responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string', pattern: '^<!doctype html>' } } } } },
};

registerHttp(route, viewerPage);
