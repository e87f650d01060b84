import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';
import { ForbiddenError, UnauthorizedError } from '../../shared/errors';
import type { AuthSettings } from '../settings/auth';
import { cameraScopeRule, type RouteAccess } from './access';
import { bearerVerifierFor } from './bearer-verifier';
import { scopeIncludes, type Principal } from './principal';
import { tokenPrincipal } from './token-principal';

/** The header and query parameter of the administrator's key (the Azure Functions key convention, kept for clients). */
export const ADMIN_KEY_HEADER = 'x-functions-key';
export const ADMIN_KEY_QUERY = 'code';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Who sends `request` to a route of `access` kind `roles`, and whether they may (docs/security.md "Who may call what"):
 * 1. the administrator's key in `x-functions-key` or `code` (compared in constant time with `KEEPWATCH_ADMIN_KEY`):
 *    every route, every camera; a key that is sent and wrong is refused, never passed on to the token check;
 * 2. else `Authorization: Bearer <JWT>`, verified (functions/auth/bearer-verifier.ts), then its roles against
 *    `access.anyOf` and its camera scope against the route's rule (functions/auth/access.ts `cameraScopeRule`).
 * @param path the route template (`/cameras/{cameraId}/playback`)
 * @throws UnauthorizedError `Unauthorized` (no credential, wrong key, bearer tokens off) or `InvalidToken` (a token
 *   that does not verify); ForbiddenError `Forbidden` naming the missing role or camera; TransientError when the
 *   issuer's keys are out of reach
 */
export async function authorize(request: HttpRequest, path: string, access: RouteAccess & { kind: 'roles' }, auth: AuthSettings): Promise<Principal> {
  const key = request.headers.get(ADMIN_KEY_HEADER) ?? new URL(request.url).searchParams.get(ADMIN_KEY_QUERY);
  if (key !== null) {
    // Digests have one length, so timingSafeEqual neither throws nor tells the key's length.
    if (auth.adminKey !== undefined && timingSafeEqual(digest(key), digest(auth.adminKey))) return { kind: 'adminKey' };
    throw new UnauthorizedError(`the key is not accepted: send the administrator's key in the ${ADMIN_KEY_HEADER} header or the ${ADMIN_KEY_QUERY} query parameter, or a bearer token`);
  }
  const bearer = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(request.headers.get('authorization') ?? '');
  if (!bearer) {
    throw new UnauthorizedError(`this route needs a bearer token (Authorization: Bearer <JWT>) or the administrator's key (${ADMIN_KEY_HEADER} header or ${ADMIN_KEY_QUERY} query parameter)`);
  }
  if (!auth.bearer) throw new UnauthorizedError('bearer tokens are not accepted: no token issuer is configured; use the administrator\'s key');
  const principal = tokenPrincipal(await bearerVerifierFor(auth.bearer).verify(bearer[1]), auth.bearer);
  if (!access.anyOf.some((r) => principal.roles.has(r))) {
    throw new ForbiddenError(`this route needs the role ${access.anyOf.join(' or ')}`);
  }
  const rule = cameraScopeRule(path, access);
  if (rule === 'path') {
    const cameraId = request.params.cameraId ?? '';
    if (!scopeIncludes(principal.cameras, cameraId)) {
      const named = /^[a-z0-9-]{1,32}$/.test(cameraId) ? `camera '${cameraId}'` : 'this camera';
      throw new ForbiddenError(`this token does not give access to ${named}`);
    }
  } else if (rule === 'all' && principal.cameras !== '*') {
    throw new ForbiddenError('this route reaches the data of every camera: it needs a token scoped to all cameras ("cameras": "*")');
  }
  return principal;
}
