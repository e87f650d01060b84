import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseHoldBody } from '../../../../shared/schemas/hold';

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.code === code && message.test(e.message), message.source);
}

describe('hold body (shared/schemas/hold.ts)', () => {
  it('parses start/end to epoch ms, reason optional', () => {
    assert.deepEqual(parseHoldBody({ start: '2026-11-20T10:00:00Z', end: '2026-11-20T12:00:00.000+01:00', reason: 'incident 42' }), {
      startMs: Date.UTC(2026, 10, 20, 10),
      endMs: Date.UTC(2026, 10, 20, 11),
      reason: 'incident 42',
    });
    assert.deepEqual(parseHoldBody({ start: '2026-11-20T10:00:00Z', end: '2026-11-20T10:00:00.001Z' }), { startMs: Date.UTC(2026, 10, 20, 10), endMs: Date.UTC(2026, 10, 20, 10) + 1 });
  });

  it('refuses an empty or inverted range, bad times, unknown keys and long reasons, naming them', () => {
    rejects(() => parseHoldBody({ start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:00:00+01:00' }), 'InvalidRange', /'end' .* must be after 'start'/);
    rejects(() => parseHoldBody({ start: 'yesterday', end: '2026-11-20T10:00:00Z' }), 'InvalidDateTime', /hold 'start' "yesterday"/);
    rejects(() => parseHoldBody({ start: '2026-11-20T10:00:00Z' }), 'InvalidHold', /end/);
    rejects(() => parseHoldBody({ start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:00:00Z', until: 'x' }), 'InvalidHold', /unknown key 'until'/);
    rejects(() => parseHoldBody({ start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:00:00Z', reason: 'r'.repeat(257) }), 'InvalidHold', /reason/);
  });
});
