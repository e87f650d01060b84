import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevIssuer, type DevIssuer } from '../../../local/dev-issuer';

/** The development issuer over HTTP, as a browser and a service client use it (docs/security.md "Local development issuer"). */
describe('local development issuer (OpenID Connect, authorization code + PKCE, client credentials)', () => {
  let dir: string;
  let issuer: DevIssuer;
  const REDIRECT = 'http://127.0.0.1:7071/api/viewer';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kw-dev-issuer-'));
    issuer = await startDevIssuer({ dataDir: dir });
  });
  after(async () => {
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };
  const authorizeQuery = (challenge: string, extra: Record<string, string> = {}) =>
    new URLSearchParams({ response_type: 'code', client_id: 'keepwatch-viewer', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'st-1', scope: 'openid profile', ...extra });
  const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

  /** Signs in as `user` through the login page's form; returns the code from the redirect. */
  async function signIn(user: string, challenge: string): Promise<URL> {
    const page = await fetch(`${issuer.url}/authorize?${authorizeQuery(challenge)}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, new RegExp(`data-user="${user}"`), 'the login page lists the user');
    const form = new URLSearchParams(authorizeQuery(challenge));
    form.set('user', user);
    const res = await fetch(`${issuer.url}/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(res.status, 302);
    return new URL(res.headers.get('location')!);
  }
  const redeem = (code: string, verifier: string) =>
    fetch(`${issuer.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: 'keepwatch-viewer', redirect_uri: REDIRECT }) });

  it('publishes discovery and a JWKS of public keys only', async () => {
    const doc = (await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(doc.issuer, issuer.url);
    assert.equal(doc.jwks_uri, `${issuer.url}/jwks`);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    const jwks = (await (await fetch(`${issuer.url}/jwks`)).json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, 'RSA');
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(jwks.keys[0][privatePart], undefined, privatePart);
  });

  it('lists every test user with roles and cameras on the login page', async () => {
    const html = await (await fetch(`${issuer.url}/authorize?${authorizeQuery(pkce().challenge)}`)).text();
    for (const u of issuer.users) assert.match(html, new RegExp(`data-user="${u.id}"`));
    assert.match(html, /Keepwatch\.Viewer/);
    assert.match(html, /cameras door/);
  });

  it('signs a user in with the authorization code and the matching PKCE verifier', async () => {
    const { verifier, challenge } = pkce();
    const back = await signIn('door-viewer', challenge);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const res = await redeem(back.searchParams.get('code')!, verifier);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; id_token: string };
    assert.equal(body.token_type, 'Bearer');
    const claims = claimsOf(body.access_token);
    assert.equal(claims.iss, issuer.url);
    assert.equal(claims.aud, 'api://keepwatch');
    assert.equal(claims.sub, 'door-viewer');
    assert.deepEqual(claims.roles, ['Keepwatch.Viewer']);
    assert.deepEqual(claims.cameras, ['door']);
    assert.equal(claims.azp, 'keepwatch-viewer');
    assert.equal(claimsOf(body.id_token).aud, 'keepwatch-viewer');
  });

  it('refuses a wrong verifier, and the code is then spent', async () => {
    const { verifier, challenge } = pkce();
    const code = (await signIn('viewer', challenge)).searchParams.get('code')!;
    const wrong = await redeem(code, pkce().verifier);
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_grant');
    const again = await redeem(code, verifier);
    assert.equal(again.status, 400, 'one attempt per code');
  });

  it('a code works once', async () => {
    const { verifier, challenge } = pkce();
    const code = (await signIn('operator', challenge)).searchParams.get('code')!;
    assert.equal((await redeem(code, verifier)).status, 200);
    assert.equal((await redeem(code, verifier)).status, 400);
  });

  it('refuses an authorization request without S256 PKCE or with a redirect off this machine', async () => {
    const { challenge } = pkce();
    for (const [extra, why] of [
      [{ code_challenge_method: 'plain' }, /S256/],
      [{ code_challenge: '' }, /code_challenge/],
      [{ redirect_uri: 'https://attacker.example/cb' }, /redirect_uri/],
      [{ response_type: 'token' }, /response_type/],
    ] as const) {
      const res = await fetch(`${issuer.url}/authorize?${authorizeQuery(challenge, extra)}`);
      assert.equal(res.status, 400, JSON.stringify(extra));
      assert.match(await res.text(), why);
    }
  });

  it('issues service tokens by client credentials with the issuer secret only', async () => {
    const ok = await fetch(`${issuer.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'door-controller', client_secret: issuer.clientSecret }) });
    assert.equal(ok.status, 200);
    assert.deepEqual(claimsOf(((await ok.json()) as { access_token: string }).access_token).roles, ['Keepwatch.SignalPublisher']);
    const basic = Buffer.from(`door-controller:${issuer.clientSecret}`).toString('base64');
    assert.equal((await fetch(`${issuer.url}/token`, { method: 'POST', headers: { authorization: `Basic ${basic}` }, body: new URLSearchParams({ grant_type: 'client_credentials' }) })).status, 200);
    const bad = await fetch(`${issuer.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'door-controller', client_secret: 'wrong' }) });
    assert.equal(bad.status, 401);
  });

  it('keeps its keys in the data folder (0600) across a restart, and rotates to a new kid that the JWKS lists beside the old', async () => {
    const file = path.join(dir, 'dev-issuer-keys.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const kid = issuer.currentKey().kid;
    const again = await startDevIssuer({ dataDir: dir });
    try {
      assert.equal(again.currentKey().kid, kid, 'the same key after a restart');
      await again.rotateKey();
      assert.notEqual(again.currentKey().kid, kid);
      const jwks = (await (await fetch(`${again.url}/jwks`)).json()) as { keys: Array<{ kid: string }> };
      assert.deepEqual(jwks.keys.map((k) => k.kid), [again.currentKey().kid, kid]);
    } finally {
      await again.close();
    }
  });
});
