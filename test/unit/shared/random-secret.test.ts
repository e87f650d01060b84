import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomSecret } from '../../../shared/random-secret';

describe('randomSecret', () => {
  it('gives base64url text of the asked bytes that never starts with "-" (a CLI would take it for an option)', () => {
    // 1 draw in 64 starts with '-' before the redraw: 4,000 draws miss it by chance with probability ≈ e^-62.
    const drawn = Array.from({ length: 4000 }, () => randomSecret(32));
    for (const s of drawn) {
      assert.match(s, /^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
      assert.equal(Buffer.from(s, 'base64url').length, 32);
    }
    assert.equal(new Set(drawn).size, drawn.length);
    assert.ok(drawn.some((s) => s.slice(1).includes('-')), 'dashes still appear after the first character');
    assert.equal(randomSecret(18).length, 24);
  });

  it('refuses fewer than 16 random bytes', () => {
    for (const n of [0, 8, 15, 16.5, Number.NaN]) assert.throws(() => randomSecret(n), RangeError, String(n));
  });
});
