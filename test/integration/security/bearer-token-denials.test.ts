import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEV_TENANT } from '../../../local/dev-issuer';
import { startAuthTestHost, type AuthTestHost } from '../../helpers/auth-host';

const API_KEY = 'bearer-denials-admin-key';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Forged and bad bearer tokens against the running API (docs/security.md "Bearer tokens"): each is refused with 401
 * `InvalidToken` and a `WWW-Authenticate: Bearer … error="invalid_token"` challenge, the token never echoed; a key
 * the issuer rotates is picked up without a restart. The API requires `tid` = the development tenant
 * (`KEEPWATCH_AUTH_REQUIRED_CLAIMS`).
 */
describe('bearer token denials', () => {
  let t: AuthTestHost;
  let claims: () => Record<string, unknown>;

  before(async () => {
    t = await startAuthTestHost({ apiKey: API_KEY, tablePrefix: 'bearer', env: { KEEPWATCH_AUTH_REQUIRED_CLAIMS: JSON.stringify({ tid: DEV_TENANT }) } });
    claims = () => {
      const nowS = Math.floor(Date.now() / 1000);
      return { iss: t.issuer.url, aud: t.issuer.audience, sub: 'viewer', roles: ['Keepwatch.Viewer'], tid: DEV_TENANT, iat: nowS, nbf: nowS, exp: nowS + 600 };
    };
  });
  after(async () => t?.stop());

  const call = (token: string) => fetch(`${t.api}/cameras`, { headers: { authorization: `Bearer ${token}` } });
  async function refused(token: string, why: RegExp) {
    const res = await call(token);
    const text = await res.text();
    assert.equal(res.status, 401, text);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="keepwatch", error="invalid_token"/);
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'InvalidToken');
    assert.match(body.error.message, why);
    assert.ok(!text.includes(token.split('.')[1] ?? token), 'the token is not echoed');
  }

  it('accepts a token signed by the issuer with every claim right (the baseline the denials differ from)', async () => {
    assert.equal((await call(await t.issuer.signToken(claims()))).status, 200);
    assert.equal((await call(await t.token('viewer'))).status, 200, 'and one from the token endpoint');
  });

  it('refuses a token signed by another key under the issuer key id', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { SignJWT } = await import('jose');
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: t.issuer.currentKey().kid, typ: 'JWT' }).sign(privateKey);
    await refused(forged, /signature/);
  });

  it('refuses alg none', async () => {
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, /not a valid signed JWT|algorithm/);
    await refused(`${b64({ alg: 'none', typ: 'JWT', kid: t.issuer.currentKey().kid })}.${b64(claims())}.`, /not a valid signed JWT|algorithm/);
  });

  it('refuses HS256 signed with the issuer public key as the HMAC secret (algorithm confusion)', async () => {
    const jwk = t.issuer.currentKey();
    const publicPem = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e } as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    for (const secret of [publicPem, JSON.stringify({ kty: jwk.kty, n: jwk.n, e: jwk.e })]) {
      const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: jwk.kid })}.${b64(claims())}`;
      await refused(`${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`, /algorithm/);
    }
  });

  it('refuses a signed token whose payload was changed (roles raised)', async () => {
    const [h, , s] = (await t.issuer.signToken(claims())).split('.');
    await refused(`${h}.${b64({ ...claims(), roles: ['Keepwatch.Admin'] })}.${s}`, /signature/);
  });

  it('refuses expired (beyond the 60 s skew), not yet valid, wrong audience, wrong issuer, no exp, a missing or wrong required claim', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const sign = (c: Record<string, unknown>) => t.issuer.signToken(c);
    await refused(await sign({ ...claims(), iat: nowS - 3600, nbf: nowS - 3600, exp: nowS - 120 }), /expired/);
    await refused(await sign({ ...claims(), nbf: nowS + 600 }), /nbf/);
    await refused(await sign({ ...claims(), aud: 'api://another-app' }), /aud/);
    await refused(await sign({ ...claims(), iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0' }), /iss/);
    const { exp: _exp, ...noExp } = claims();
    await refused(await sign(noExp), /exp/);
    const { tid: _tid, ...noTid } = claims();
    await refused(await sign(noTid), /tid/);
    await refused(await sign({ ...claims(), tid: 'another-tenant' }), /tid/);
  });

  it('accepts a token expired within the clock skew (60 s)', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    assert.equal((await call(await t.issuer.signToken({ ...claims(), exp: nowS - 20 }))).status, 200);
  });

  it('refuses garbage in the Authorization header as InvalidToken or Unauthorized, never a 500', async () => {
    for (const value of ['Bearer x', 'Bearer a.b.c', 'Bearer ' + 'A'.repeat(5000), 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const res = await fetch(`${t.api}/cameras`, { headers: { authorization: value } });
      assert.equal(res.status, 401, value.slice(0, 20));
    }
  });

  it('picks up a rotated issuer key without a restart, and still accepts tokens of the previous key', async () => {
    const before = await t.issuer.signToken(claims());
    assert.equal((await call(before)).status, 200);
    const oldKid = t.issuer.currentKey().kid;
    await t.issuer.rotateKey();
    assert.notEqual(t.issuer.currentKey().kid, oldKid);
    const rotated = await t.issuer.signToken(claims());
    assert.equal(JSON.parse(Buffer.from(rotated.split('.')[0], 'base64url').toString()).kid, t.issuer.currentKey().kid);
    assert.equal((await call(rotated)).status, 200, 'a token of the new key verifies (the JWKS is fetched again for its unknown kid)');
    assert.equal((await call(before)).status, 200, 'the previous key is still in the JWKS');
  });
});
