import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BearerVerifier } from '../../../../functions/auth/bearer-verifier';
import type { BearerSettings } from '../../../../functions/settings';
import { TransientError, UnauthorizedError } from '../../../../shared/errors';

const ISSUER = 'https://issuer.example.com';
const base: BearerSettings = { issuer: ISSUER, audiences: ['api://keepwatch'], algorithms: ['RS256', 'ES256'], requiredClaims: {}, clockSkewMs: 60_000, jwksCooldownMs: 0 };

async function sign(key: KeyObject, alg: 'RS256' | 'ES256', claims: Record<string, unknown> = {}): Promise<string> {
  const { SignJWT } = await import('jose');
  const nowS = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: 'api://keepwatch', sub: 's', iat: nowS, exp: nowS + 300, ...claims }).setProtectedHeader({ alg }).sign(key);
}

/**
 * The verifier with configured public keys (AVA access policies' RSA and EC keys, as PEM and JWK), and with an issuer
 * whose keys cannot be fetched: a 503 the caller may retry, never a 401 that blames the token.
 */
describe('BearerVerifier: configured keys, and an issuer out of reach', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let server: Server;
  let url: string;

  before(async () => {
    // A JWKS endpoint that fails (500) and a discovery document without jwks_uri.
    server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') res.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"x"}');
      else res.writeHead(500).end('down');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('verifies RS256 against a PEM public key and ES256 against an EC JWK; refuses another key', async () => {
    const v = new BearerVerifier({ ...base, publicKeys: [{ pem: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() }, { jwk: ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown> }] });
    assert.equal((await v.verify(await sign(rsa.privateKey, 'RS256'))).sub, 's');
    assert.equal((await v.verify(await sign(ec.privateKey, 'ES256'))).sub, 's');
    await assert.rejects(v.verify(await sign(other.privateKey, 'RS256')), (e: unknown) => e instanceof UnauthorizedError && e.code === 'InvalidToken');
  });

  it('an ES256 token is refused when only RS256 is allowed', async () => {
    const v = new BearerVerifier({ ...base, algorithms: ['RS256'], publicKeys: [{ jwk: ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown> }] });
    await assert.rejects(v.verify(await sign(ec.privateKey, 'ES256')), /algorithm is not allowed/);
  });

  it('a JWKS that answers 500, a closed port, a discovery document without jwks_uri: TransientError (503), tried again later', async () => {
    const token = await sign(rsa.privateKey, 'RS256');
    for (const settings of [{ ...base, jwksUri: `${url}/jwks` }, { ...base, jwksUri: 'http://127.0.0.1:1/jwks' }, { ...base, issuer: url }]) {
      const v = new BearerVerifier(settings);
      await assert.rejects(v.verify(token), (e: unknown) => e instanceof TransientError, JSON.stringify(settings));
      await assert.rejects(v.verify(token), (e: unknown) => e instanceof TransientError, 'not remembered as a success');
    }
  });
});
