/**
 * Who may call which HTTP route (docs/security.md "Who may call what"). Each route spec declares its `access`
 * (functions/openapi/route-spec.ts); functions/auth/route-guard.ts enforces it around every handler, and
 * functions/openapi/openapi.ts writes it into the OpenAPI document (`security`, `x-keepwatch-access`,
 * `x-keepwatch-roles`).
 *
 * The roles are Microsoft Entra ID app roles (the `roles` claim of an access token), as app registrations define them
 * (docs/security.md "Entra ID"); each includes the one before it, except the signal publisher:
 * - `Keepwatch.Viewer`: cameras, availability, gaps, recordings, playback, export;
 * - `Keepwatch.Operator`: + signals, holds, camera policies, pipelines;
 * - `Keepwatch.Admin`: + devices and their secrets;
 * - `Keepwatch.SignalPublisher`: signals only (a door controller, docs/integrations.md).
 */

export const ROLES = {
  viewer: 'Keepwatch.Viewer',
  operator: 'Keepwatch.Operator',
  admin: 'Keepwatch.Admin',
  signalPublisher: 'Keepwatch.SignalPublisher',
} as const;

/** An app role value as it appears in a token's `roles` claim. */
export type Role = (typeof ROLES)[keyof typeof ROLES];

/** Every role, in the order the docs list them. */
export const ALL_ROLES: readonly Role[] = [ROLES.viewer, ROLES.operator, ROLES.admin, ROLES.signalPublisher];

/**
 * A route's access:
 * - `anyone`: no credential (health, the OpenAPI document, the viewer's static page);
 * - `playbackToken`: the signed, expiring token in the URL itself (the HLS playlist, so plain players open it);
 * - `deviceSecret`: a device's own secret, checked by the handler (docs/devices.md); never a person's token;
 * - `roles`: a bearer token with one of `anyOf`, or the administrator's key. Camera scope: a route with `{cameraId}` in
 *   its path needs that camera in the caller's scope; a route with `listsCameras` answers only the cameras in scope
 *   (the handler filters, functions/auth/principal.ts); any other route reaches every camera's data (devices,
 *   pipelines) and needs a scope of every camera (`*`).
 */
export type RouteAccess =
  | { readonly kind: 'anyone' }
  | { readonly kind: 'playbackToken' }
  | { readonly kind: 'deviceSecret' }
  | { readonly kind: 'roles'; readonly anyOf: readonly Role[]; readonly listsCameras?: true };

/** The access levels the routes use. */
export const ACCESS = {
  anyone: { kind: 'anyone' },
  playbackToken: { kind: 'playbackToken' },
  deviceSecret: { kind: 'deviceSecret' },
  /** Read media: viewers, operators, admins. */
  viewer: { kind: 'roles', anyOf: [ROLES.viewer, ROLES.operator, ROLES.admin] },
  /** Change what is recorded and kept: operators and admins. */
  operator: { kind: 'roles', anyOf: [ROLES.operator, ROLES.admin] },
  /** Devices and secrets: admins only. */
  admin: { kind: 'roles', anyOf: [ROLES.admin] },
  /** Post signals: operators, admins and signal publishers. */
  signals: { kind: 'roles', anyOf: [ROLES.operator, ROLES.admin, ROLES.signalPublisher] },
} as const satisfies Record<string, RouteAccess>;

/** `access` with `listsCameras`: a route that lists several cameras answers only those in the caller's scope. */
export function listingCameras(access: RouteAccess & { kind: 'roles' }): RouteAccess {
  return { ...access, listsCameras: true };
}

/** How a route's camera scope is enforced ({@link RouteAccess}): by its path, by its handler, or by needing every camera. */
export function cameraScopeRule(path: string, access: RouteAccess): 'path' | 'listing' | 'all' | 'none' {
  if (access.kind !== 'roles') return 'none';
  if (path.includes('{cameraId}')) return 'path';
  return access.listsCameras ? 'listing' : 'all';
}
