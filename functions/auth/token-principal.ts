import type { BearerSettings } from '../settings/auth';
import type { CameraScope, Principal } from './principal';

/** The claim naming the cameras a token may see: an array of camera ids, or `"*"` (alone or in the array) for all. */
export const CAMERAS_CLAIM = 'cameras';

/**
 * The principal of a verified token's claims: `sub` (else `oid`, else `azp`/`appid`), `roles` (strings only), and the
 * camera scope: the union of the `cameras` claim and, with `KEEPWATCH_AUTH_CAMERA_GROUPS`, the cameras of the token's
 * `groups`. A token with neither: every camera when no group mapping is configured (the issuer does not scope by camera),
 * none when one is (fail closed: an Entra user in no mapped group sees nothing). A malformed `cameras` claim gives no camera; malformed `roles` or `groups` count as absent.
 * Source: docs/security.md "Per-camera scope".
 */
export function tokenPrincipal(claims: Record<string, unknown>, settings: Pick<BearerSettings, 'cameraGroups'>): Principal & { kind: 'token' } {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const subject = text(claims.sub) ?? text(claims.oid) ?? text(claims.azp) ?? text(claims.appid) ?? '';
  const roles = new Set(Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : []);
  return { kind: 'token', subject, roles, cameras: cameraScope(claims, settings.cameraGroups) };
}

function cameraScope(claims: Record<string, unknown>, groups: BearerSettings['cameraGroups']): CameraScope {
  const raw = claims[CAMERAS_CLAIM];
  // Present but malformed (a string other than "*", a number) = no camera: fail closed.
  const named = raw === undefined ? undefined : raw === '*' ? ['*'] : Array.isArray(raw) ? raw.filter((c): c is string => typeof c === 'string') : [];
  const memberOf = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
  const mapped = groups ? memberOf.flatMap((g) => { const m = groups[g]; return m === undefined ? [] : m === '*' ? ['*'] : m; }) : [];
  if (named === undefined && groups === undefined) return '*';
  const all = [...(named ?? []), ...mapped];
  return all.includes('*') ? '*' : new Set(all);
}
