import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import { randomSecret } from '../shared/random-secret';
import { DevIssuerKeys } from './dev-issuer-keys';
import { loginPage } from './dev-issuer-login-page';
import { DEFAULT_DEV_USERS, type DevIssuerUser } from './dev-issuer-users';

/** Options of {@link startDevIssuer}. */
export interface DevIssuerOptions {
  /** Folder that keeps the signing keys (`dev-issuer-keys.json`), so tokens survive a restart. */
  dataDir: string;
  /** TCP port on `host`; 0 (default) = a free port. */
  port?: number;
  /** Listen address, default `127.0.0.1`. */
  host?: string;
  /** The `aud` of its access tokens, default {@link DEV_AUDIENCE}. */
  audience?: string;
  /** Test users on the login page and service clients; default {@link DEFAULT_DEV_USERS}. */
  users?: readonly DevIssuerUser[];
  /** Lifetime of the tokens it issues, ms; default 1 h. */
  tokenTtlMs?: number;
}

/** A running development issuer. */
export interface DevIssuer {
  /** The issuer (`iss`), `http://{host}:{port}`; its discovery document is at `${url}/.well-known/openid-configuration`. */
  url: string;
  audience: string;
  users: readonly DevIssuerUser[];
  /** The client secret of every service client (client credentials grant, `client_id` = a user id). A secret. */
  clientSecret: string;
  /** The access token the token endpoint would issue to `userId` (client credentials), for tools and tests. */
  tokenFor(userId: string): Promise<string>;
  /**
   * Signs `claims` as they are with the current key (header `alg: RS256`, its `kid`, `typ: JWT`), adding nothing: for
   * tests that need a token with a wrong audience, an old `exp` or a claim missing, signed by the real key.
   */
  signToken(claims: Record<string, unknown>): Promise<string>;
  /** The current private key (JWK), for tests that forge tokens with it. */
  currentKey(): JWK;
  /** Makes a new signing key (the JWKS keeps the previous one too); tokens issued afterwards carry the new `kid`. */
  rotateKey(): Promise<void>;
  close(): Promise<void>;
}

/** The default audience of the development issuer's access tokens (as an Entra application ID URI). */
export const DEV_AUDIENCE = 'api://keepwatch';
/** The `tid` claim of the development issuer's tokens (Entra tokens carry their tenant id). */
export const DEV_TENANT = 'keepwatch-dev';

const CODE_TTL_MS = 60_000;
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

interface PendingCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce?: string;
  scope: string;
  expiresAtMs: number;
}

/**
 * A small OpenID Connect issuer for the local stack and the tests, so the whole sign-in is testable offline (Entra ID
 * plays this part in Azure; docs/security.md "Local development issuer"):
 * - `GET /.well-known/openid-configuration` (discovery) and `GET /jwks` (the current and the previous public key);
 * - `GET /authorize` (authorization code flow, `response_type=code`, PKCE with `code_challenge_method=S256` only, a
 *   loopback `redirect_uri`): a login page listing the test users with their roles and cameras; `POST /authorize` with
 *   the chosen `user` redirects with a one-time `code` (60 s);
 * - `POST /token`: `authorization_code` (the `code_verifier` must hash to the challenge; wrong → 400 `invalid_grant`)
 *   and `client_credentials` (`client_id` = a user id, `client_secret` = {@link DevIssuer.clientSecret}, in the body or
 *   HTTP Basic) → `{ access_token, token_type: "Bearer", expires_in, id_token? }`.
 * Access tokens: RS256 JWTs with `iss`, `aud`, `sub`, `name`, `roles`, `cameras` (scoped users only), `azp`, `tid`,
 * `iat`, `nbf`, `exp`, `jti`. Keys are kept in `{dataDir}/dev-issuer-keys.json` (local/dev-issuer-keys.ts).
 * Not for production: no passwords, any client id.
 * @throws Error when the port is taken
 */
export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const jose = await import('jose');
  const keys = await DevIssuerKeys.open(options.dataDir);
  const users = options.users ?? DEFAULT_DEV_USERS;
  const audience = options.audience ?? DEV_AUDIENCE;
  const ttlMs = options.tokenTtlMs ?? 60 * 60 * 1000;
  const host = options.host ?? '127.0.0.1';
  const codes = new Map<string, PendingCode>();
  let issuer = '';

  const signToken = async (claims: Record<string, unknown>): Promise<string> => {
    const jwk = keys.current;
    return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' }).sign(await jose.importJWK(jwk, 'RS256'));
  };

  const accessToken = (user: DevIssuerUser, clientId: string, scope: string): Promise<string> => {
    const nowS = Math.floor(Date.now() / 1000);
    return signToken({
      iss: issuer,
      aud: audience,
      sub: user.id,
      name: user.name,
      roles: user.roles,
      ...(user.cameras ? { cameras: user.cameras } : {}),
      azp: clientId,
      tid: DEV_TENANT,
      scp: scope,
      iat: nowS,
      nbf: nowS,
      exp: nowS + Math.floor(ttlMs / 1000),
      jti: randomUUID(),
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: (err as Error).message });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, authorization' }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return sendJson(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
        scopes_supported: ['openid', 'profile', 'offline_access'],
        claims_supported: ['sub', 'name', 'roles', 'cameras', 'tid'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return sendJson(res, 200, keys.publicJwks());
    if (url.pathname === '/authorize' && (req.method === 'GET' || req.method === 'POST')) {
      const params = req.method === 'GET' ? url.searchParams : new URLSearchParams(await readBody(req));
      const request = authorizationRequest(params);
      if (typeof request === 'string') return sendText(res, 400, request);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(loginPage(users, request.params));
        return;
      }
      const user = users.find((u) => u.id === params.get('user'));
      if (!user) return sendText(res, 400, 'unknown user: pick one of the login page');
      const code = randomSecret(24);
      codes.set(code, { userId: user.id, clientId: request.params.client_id, redirectUri: request.params.redirect_uri, challenge: request.params.code_challenge, ...(request.params.nonce ? { nonce: request.params.nonce } : {}), scope: request.params.scope ?? '', expiresAtMs: Date.now() + CODE_TTL_MS });
      const to = new URL(request.params.redirect_uri);
      to.searchParams.set('code', code);
      if (request.params.state !== undefined) to.searchParams.set('state', request.params.state);
      res.writeHead(302, { location: to.toString() }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') return token(req, res);
    sendJson(res, 404, { error: 'not_found', error_description: `no endpoint at ${url.pathname.slice(0, 100)}` });
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = new URLSearchParams(await readBody(req));
    const grant = body.get('grant_type');
    if (grant === 'authorization_code') {
      const code = body.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // one attempt per code, right or wrong
      if (!pending || pending.expiresAtMs < Date.now()) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'the code is unknown, used or expired' });
      if (body.get('client_id') !== pending.clientId || body.get('redirect_uri') !== pending.redirectUri) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'client_id or redirect_uri differs from the authorization request' });
      }
      const verifier = body.get('code_verifier') ?? '';
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (!PKCE_VERIFIER.test(verifier) || !safeEqual(computed, pending.challenge)) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge (PKCE S256)' });
      }
      const user = users.find((u) => u.id === pending.userId) as DevIssuerUser;
      const nowS = Math.floor(Date.now() / 1000);
      const idToken = pending.scope.split(' ').includes('openid')
        ? await signToken({ iss: issuer, aud: pending.clientId, sub: user.id, name: user.name, ...(pending.nonce ? { nonce: pending.nonce } : {}), iat: nowS, exp: nowS + Math.floor(ttlMs / 1000) })
        : undefined;
      return sendJson(res, 200, { access_token: await accessToken(user, pending.clientId, pending.scope), token_type: 'Bearer', expires_in: Math.floor(ttlMs / 1000), scope: pending.scope, ...(idToken ? { id_token: idToken } : {}) });
    }
    if (grant === 'client_credentials') {
      const [clientId, secret] = clientCredentials(req, body);
      const user = users.find((u) => u.id === clientId);
      if (!user || !safeEqual(secret, keys.clientSecret)) return sendJson(res, 401, { error: 'invalid_client', error_description: 'unknown client_id or wrong client_secret' });
      return sendJson(res, 200, { access_token: await accessToken(user, user.id, body.get('scope') ?? ''), token_type: 'Bearer', expires_in: Math.floor(ttlMs / 1000) });
    }
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'use authorization_code (with PKCE) or client_credentials' });
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  issuer = `http://${host}:${port}`;

  return {
    url: issuer,
    audience,
    users,
    clientSecret: keys.clientSecret,
    tokenFor: async (userId) => {
      const user = users.find((u) => u.id === userId);
      if (!user) throw new Error(`the development issuer has no user '${userId}'`);
      return accessToken(user, user.id, '');
    },
    signToken,
    currentKey: () => keys.current,
    rotateKey: async () => {
      await keys.rotate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The checked parameters of an authorization request, or the reason it is refused. */
function authorizationRequest(params: URLSearchParams): { params: Record<string, string> } | string {
  const get = (k: string) => params.get(k) ?? undefined;
  if (get('response_type') !== 'code') return 'response_type must be "code" (authorization code flow)';
  const clientId = get('client_id');
  if (!clientId) return 'client_id is required';
  const redirectUri = get('redirect_uri');
  let redirect: URL | undefined;
  try {
    redirect = redirectUri ? new URL(redirectUri) : undefined;
  } catch {
    redirect = undefined;
  }
  if (!redirect || !['http:', 'https:'].includes(redirect.protocol) || !['127.0.0.1', 'localhost', '[::1]'].includes(redirect.hostname)) {
    return 'redirect_uri must be an http(s) URL on this machine (127.0.0.1, localhost, [::1])';
  }
  if (get('code_challenge_method') !== 'S256') return 'PKCE is required with code_challenge_method=S256 (plain is not accepted)';
  const challenge = get('code_challenge');
  if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return 'code_challenge must be the base64url SHA-256 of the code verifier (43 characters)';
  const out: Record<string, string> = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri as string, code_challenge: challenge, code_challenge_method: 'S256' };
  for (const k of ['state', 'scope', 'nonce']) {
    const v = get(k);
    if (v !== undefined) out[k] = v;
  }
  return { params: out };
}

function clientCredentials(req: IncomingMessage, body: URLSearchParams): [string, string] {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const text = Buffer.from(basic[1], 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i > 0) return [decodeURIComponent(text.slice(0, i)), decodeURIComponent(text.slice(i + 1))];
  }
  return [body.get('client_id') ?? '', body.get('client_secret') ?? ''];
}

function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body larger than 64 KiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
