import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewerPureHelpers } from '../../../helpers/viewer-pure-helpers';

interface Helpers {
  signInConfig(text: string): { issuer?: string; clientId?: string; scopes?: string };
  jwtPayload(token: string): Record<string, unknown>;
  renewDelayMs(obtainedAtMs: number, expiresAtMs: number, nowMs: number): number;
}

const h = viewerPureHelpers<Helpers>(['signInConfig', 'jwtPayload', 'renewDelayMs'], 'viewer-signin.js', { atob, TextDecoder, Uint8Array, JSON, Math });
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('viewer sign-in: pure helpers of viewer-signin.js', () => {
  it('reads the configuration the page embeds; anything else means sign-in is off', () => {
    assert.deepEqual(h.signInConfig('{"issuer":"https://i.test","clientId":"c","scopes":"openid"}'), { issuer: 'https://i.test', clientId: 'c', scopes: 'openid' });
    for (const text of ['{}', '', 'not json', '{"issuer":"https://i.test"}', '{"issuer":1,"clientId":"c"}', 'null']) assert.deepEqual({ ...h.signInConfig(text) }, {}, text);
  });

  it("decodes a JWT's payload (base64url, UTF-8) for display; a malformed token gives {}", () => {
    const token = `${b64url({ alg: 'RS256' })}.${b64url({ name: 'Zoë Ünal', roles: ['Keepwatch.Viewer'], cameras: ['door'] })}.sig`;
    assert.deepEqual({ ...h.jwtPayload(token) }, { name: 'Zoë Ünal', roles: ['Keepwatch.Viewer'], cameras: ['door'] });
    for (const bad of ['', 'abc', 'a.!!!.c', `a.${Buffer.from('[not json').toString('base64url')}.c`]) assert.deepEqual({ ...h.jwtPayload(bad) }, {}, bad);
  });

  it('renews 2 min before expiry, or a tenth of the lifetime for short tokens, never in the past', () => {
    const hour = 3600_000;
    assert.equal(h.renewDelayMs(0, hour, 0), hour - 120_000);
    assert.equal(h.renewDelayMs(0, hour, 30 * 60_000), 30 * 60_000 - 120_000);
    assert.equal(h.renewDelayMs(0, 600_000, 0), 540_000); // 10 min token: renewed after 9 min
    assert.equal(h.renewDelayMs(0, hour, hour + 5_000), 0);
  });
});
