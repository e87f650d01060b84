import type { HttpRequest } from '@azure/functions';

/** The cameras a caller may see: `*` = every camera, else exactly these ids. */
export type CameraScope = '*' | ReadonlySet<string>;

/**
 * Who is calling, once functions/auth/route-guard.ts has let the request through:
 * - `adminKey`: the administrator's key (`KEEPWATCH_ADMIN_KEY`): every role, every camera;
 * - `token`: a verified bearer token: its `sub`, its app roles, and the cameras it may see.
 */
export type Principal = { kind: 'adminKey' } | { kind: 'token'; subject: string; roles: ReadonlySet<string>; cameras: CameraScope };

const principals = new WeakMap<HttpRequest, Principal>();

/** Remembers who sent `request` (route-guard only), for {@link cameraScopeOf}. */
export function rememberPrincipal(request: HttpRequest, principal: Principal): void {
  principals.set(request, principal);
}

/**
 * The cameras the caller of `request` may see: for a route that lists cameras (`listingCameras`,
 * functions/auth/access.ts), the handler keeps only these. `*` for the administrator's key, an unscoped token, and a
 * request that did not pass through the guard (a handler called directly, as the integration tests of handlers do;
 * every registered route passes through it).
 */
export function cameraScopeOf(request: HttpRequest): CameraScope {
  const p = principals.get(request);
  return p === undefined || p.kind === 'adminKey' ? '*' : p.cameras;
}

/** Whether `scope` includes `cameraId`. */
export function scopeIncludes(scope: CameraScope, cameraId: string): boolean {
  return scope === '*' || scope.has(cameraId);
}

/**
 * A name for who sent `request`, kept with what they make (a share link's `createdBy`): a token's `sub`, `admin key`
 * for the administrator's key, `unknown` for a request that did not pass through the guard (a handler called directly).
 */
export function callerName(request: HttpRequest): string {
  const p = principals.get(request);
  if (p === undefined) return 'unknown';
  return p.kind === 'adminKey' ? 'admin key' : p.subject;
}
