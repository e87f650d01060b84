import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevIssuer, type DevIssuer } from '../../local/dev-issuer';
import type { DevIssuerUser } from '../../local/dev-issuer-users';
import { startTestHost, type TestHost } from './test-host';

/** Test users of every role, unscoped, plus viewers scoped to one camera. */
export const AUTH_TEST_USERS: readonly DevIssuerUser[] = [
  { id: 'viewer', name: 'Viewer', roles: ['Keepwatch.Viewer'] },
  { id: 'operator', name: 'Operator', roles: ['Keepwatch.Operator'] },
  { id: 'admin', name: 'Admin', roles: ['Keepwatch.Admin'] },
  { id: 'publisher', name: 'Signal publisher', roles: ['Keepwatch.SignalPublisher'] },
  { id: 'nobody', name: 'No role', roles: [] },
  { id: 'door-viewer', name: 'Viewer of door', roles: ['Keepwatch.Viewer'], cameras: ['door'] },
  { id: 'door-operator', name: 'Operator of door', roles: ['Keepwatch.Operator'], cameras: ['door'] },
  { id: 'door-controller', name: 'Door controller', roles: ['Keepwatch.SignalPublisher'], cameras: ['door'] },
];

/** A test host (Azurite + the local functions host) trusting a development issuer of {@link AUTH_TEST_USERS}. */
export interface AuthTestHost extends TestHost {
  issuer: DevIssuer;
  /** An access token of `userId`, fetched from the issuer's token endpoint over HTTP (client credentials). */
  token(userId: string): Promise<string>;
}

/**
 * Starts the development issuer (keys in a temporary folder), then the test host with `KEEPWATCH_AUTH_ISSUER` and
 * `KEEPWATCH_AUTH_AUDIENCE` naming it (keys by OpenID discovery), `KEEPWATCH_AUTH_JWKS_COOLDOWN=PT0S` so a rotated key
 * is fetched at once, and `env`.
 */
export async function startAuthTestHost(opts: { apiKey: string; tablePrefix: string; env?: Record<string, string> }): Promise<AuthTestHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kw-auth-'));
  const issuer = await startDevIssuer({ dataDir: dir, users: AUTH_TEST_USERS });
  const t = await startTestHost({
    apiKey: opts.apiKey,
    tablePrefix: opts.tablePrefix,
    env: { KEEPWATCH_AUTH_ISSUER: issuer.url, KEEPWATCH_AUTH_AUDIENCE: issuer.audience, KEEPWATCH_AUTH_JWKS_COOLDOWN: 'PT0S', ...opts.env },
  });
  const cache = new Map<string, string>();
  return {
    ...t,
    issuer,
    async token(userId) {
      const cached = cache.get(userId);
      if (cached) return cached;
      const res = await fetch(`${issuer.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: userId, client_secret: issuer.clientSecret }) });
      if (!res.ok) throw new Error(`token of ${userId}: ${res.status} ${await res.text()}`);
      const { access_token } = (await res.json()) as { access_token: string };
      cache.set(userId, access_token);
      return access_token;
    },
    async stop() {
      await t.stop();
      await issuer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
