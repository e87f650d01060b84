import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { MAX_PLAYBACK_SPAN_MS, parsePlaybackRange } from '../../../shared/playback-range';

function fails(start: string | null, end: string | null, code: string, pattern: RegExp): void {
  assert.throws(() => parsePlaybackRange(start, end), (e: unknown) => e instanceof ValidationError && e.code === code && pattern.test(e.message), `${start}..${end}`);
}

describe('parsePlaybackRange', () => {
  it('returns the half-open range in ms', () => {
    assert.deepEqual(parsePlaybackRange('2026-11-21T10:00:00Z', '2026-11-21T11:00:00.500Z'), {
      startMs: Date.UTC(2026, 10, 21, 10),
      endMs: Date.UTC(2026, 10, 21, 11, 0, 0, 500),
    });
  });

  it('accepts exactly 24 h and refuses one millisecond more', () => {
    const r = parsePlaybackRange('2026-11-21T00:00:00Z', '2026-11-22T00:00:00Z');
    assert.equal(r.endMs - r.startMs, MAX_PLAYBACK_SPAN_MS);
    fails('2026-11-21T00:00:00Z', '2026-11-22T00:00:00.001Z', 'RangeTooLong', /more than the maximum P1D/);
  });

  it('names a missing or empty parameter', () => {
    fails(null, '2026-11-21T10:00:00Z', 'MissingParameter', /'start' is required/);
    fails('2026-11-21T10:00:00Z', '', 'MissingParameter', /'end' is required/);
  });

  it('names an unparseable parameter', () => {
    fails('tomorrow', '2026-11-21T10:00:00Z', 'InvalidDateTime', /'start' "tomorrow"/);
    fails('2026-11-21T10:00:00Z', '2026-11-21T11:00:00', 'InvalidDateTime', /'end'/);
  });

  it('refuses an inverted or empty range', () => {
    fails('2026-11-21T11:00:00Z', '2026-11-21T10:00:00Z', 'InvalidRange', /must be after start/);
    fails('2026-11-21T10:00:00Z', '2026-11-21T10:00:00Z', 'InvalidRange', /must be after start/);
  });
});
