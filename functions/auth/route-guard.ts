import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import { KeepwatchError } from '../../shared/errors';
import { errorResponse } from '../http/http-errors';
import type { RouteSpec } from '../openapi/route-spec';
import { settings } from '../settings';
import { authorize } from './authorize';
import { rememberPrincipal } from './principal';

/** The realm of the `WWW-Authenticate` challenges (RFC 6750). */
const REALM = 'keepwatch';

/**
 * `handler` behind its route's access (functions/auth/access.ts): for `roles` routes every request is authorized
 * first (functions/auth/authorize.ts) and refused with 401 `Unauthorized`/`InvalidToken` (with `WWW-Authenticate:
 * Bearer realm="keepwatch"`, plus `error="invalid_token"` for a token that does not verify) or 403 `Forbidden`
 * (`error="insufficient_scope"`), the handler never called; let through, the caller is remembered for
 * `cameraScopeOf` (functions/auth/principal.ts). Other access kinds run the handler as is: `anyone`, and the routes
 * whose credential the handler checks itself (`playbackToken`, `deviceSecret`). functions/app.ts `registerHttp` wraps
 * every route with it, so no handler checks roles on its own.
 */
export function guardRoute(spec: RouteSpec, handler: HttpHandler): HttpHandler {
  const access = spec.access;
  if (access.kind !== 'roles') return handler;
  return async (request, context) => {
    try {
      rememberPrincipal(request, await authorize(request, spec.path, access, settings().auth));
    } catch (err) {
      const answer: HttpResponseInit = errorResponse(err, context);
      const challenge = err instanceof KeepwatchError ? challengeFor(err) : undefined;
      if (challenge) answer.headers = { ...(answer.headers as Record<string, string>), 'www-authenticate': challenge };
      return answer;
    }
    return handler(request, context);
  };
}

function challengeFor(err: KeepwatchError): string | undefined {
  if (err.status === 401) return err.code === 'InvalidToken' ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`;
  if (err.status === 403) return `Bearer realm="${REALM}", error="insufficient_scope"`;
  return undefined;
}
