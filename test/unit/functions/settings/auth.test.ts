import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseSettings } from '../../../../functions/settings';

const BASE = { KEEPWATCH_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', KEEPWATCH_PLAYBACK_TOKEN_SECRET: 's'.repeat(32) };
const ISSUER = { KEEPWATCH_AUTH_ISSUER: 'https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/v2.0', KEEPWATCH_AUTH_AUDIENCE: 'api://keepwatch' };
const auth = (env: Record<string, string>) => parseSettings({ ...BASE, ...env }).auth;

function fails(env: Record<string, string>, pattern: RegExp, secret?: string): void {
  assert.throws(
    () => auth(env),
    (e: unknown) => e instanceof ValidationError && e.code === 'InvalidSetting' && pattern.test(e.message) && (secret === undefined || !e.message.includes(secret)),
    JSON.stringify(env).slice(0, 200),
  );
}

describe('access settings (functions/settings/auth.ts)', () => {
  it('nothing set: no admin key, no bearer tokens', () => {
    assert.deepEqual(auth({}), {});
  });

  it('the admin key: 8..256 visible ASCII characters, never echoed', () => {
    assert.deepEqual(auth({ KEEPWATCH_ADMIN_KEY: 'a-good-admin-key' }), { adminKey: 'a-good-admin-key' });
    fails({ KEEPWATCH_ADMIN_KEY: 'short' }, /KEEPWATCH_ADMIN_KEY: has 5 characters/, 'short');
    fails({ KEEPWATCH_ADMIN_KEY: 'has a space inside' }, /KEEPWATCH_ADMIN_KEY/, 'has a space inside');
  });

  it('an issuer: audiences, discovery by default, every asymmetric algorithm, 60 s skew, 30 s JWKS cooldown', () => {
    assert.deepEqual(auth(ISSUER).bearer, {
      issuer: ISSUER.KEEPWATCH_AUTH_ISSUER,
      audiences: ['api://keepwatch'],
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
      requiredClaims: {},
      clockSkewMs: 60_000,
      jwksCooldownMs: 30_000,
    });
    const b = auth({ ...ISSUER, KEEPWATCH_AUTH_AUDIENCE: 'api://keepwatch, 11111111-2222-3333-4444-555555555555', KEEPWATCH_AUTH_JWKS_URI: 'https://login.microsoftonline.com/common/discovery/v2.0/keys', KEEPWATCH_AUTH_ALGORITHMS: 'RS256', KEEPWATCH_AUTH_CLOCK_SKEW: 'PT0S', KEEPWATCH_AUTH_JWKS_COOLDOWN: 'PT5M', KEEPWATCH_AUTH_REQUIRED_CLAIMS: '{"tid":"t1","ver":["2.0"]}', KEEPWATCH_AUTH_CAMERA_GROUPS: '{"g1":["door"],"g2":"*"}' }).bearer!;
    assert.deepEqual(b.audiences, ['api://keepwatch', '11111111-2222-3333-4444-555555555555']);
    assert.equal(b.jwksUri, 'https://login.microsoftonline.com/common/discovery/v2.0/keys');
    assert.deepEqual(b.algorithms, ['RS256']);
    assert.deepEqual([b.clockSkewMs, b.jwksCooldownMs], [0, 300_000]);
    assert.deepEqual(b.requiredClaims, { tid: ['t1'], ver: ['2.0'] });
    assert.deepEqual(b.cameraGroups, { g1: ['door'], g2: '*' });
  });

  it('configured public keys: PEM and JWK, RSA and EC; private keys refused', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const jwk = ec.publicKey.export({ format: 'jwk' });
    assert.deepEqual(auth({ ...ISSUER, KEEPWATCH_AUTH_PUBLIC_KEYS: JSON.stringify([pem, jwk]) }).bearer!.publicKeys, [{ pem: pem.trim() }, { jwk }]);
    fails({ ...ISSUER, KEEPWATCH_AUTH_PUBLIC_KEYS: JSON.stringify([rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()]) }, /private key/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_PUBLIC_KEYS: JSON.stringify([ec.privateKey.export({ format: 'jwk' })]) }, /private JWK/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_PUBLIC_KEYS: JSON.stringify([{ kty: 'oct', k: 'AAAA' }]) }, /kty "oct"/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_PUBLIC_KEYS: JSON.stringify([pem]), KEEPWATCH_AUTH_JWKS_URI: 'https://x.example/keys' }, /not both/);
  });

  it('refuses none and HMAC algorithms, an http issuer off this machine, a missing audience, settings without an issuer', () => {
    fails({ ...ISSUER, KEEPWATCH_AUTH_ALGORITHMS: 'RS256,none' }, /"none" not allowed/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_ALGORITHMS: 'HS256' }, /"HS256" not allowed/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_ISSUER: 'http://issuer.example.com' }, /KEEPWATCH_AUTH_ISSUER: .* not an https URL/);
    assert.equal(auth({ ...ISSUER, KEEPWATCH_AUTH_ISSUER: 'http://127.0.0.1:7072' }).bearer!.issuer, 'http://127.0.0.1:7072');
    fails({ KEEPWATCH_AUTH_ISSUER: ISSUER.KEEPWATCH_AUTH_ISSUER }, /KEEPWATCH_AUTH_AUDIENCE: required/);
    fails({ KEEPWATCH_AUTH_AUDIENCE: 'api://keepwatch' }, /KEEPWATCH_AUTH_AUDIENCE: only applies with KEEPWATCH_AUTH_ISSUER/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_CLOCK_SKEW: 'PT10M' }, /KEEPWATCH_AUTH_CLOCK_SKEW: PT10M is outside PT0S..PT5M/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_REQUIRED_CLAIMS: '["tid"]' }, /KEEPWATCH_AUTH_REQUIRED_CLAIMS: expected a JSON object/);
    fails({ ...ISSUER, KEEPWATCH_AUTH_CAMERA_GROUPS: '{"g1":["Door!"]}' }, /group "g1"/);
  });
});
