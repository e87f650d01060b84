import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { MAX_PLAYBACK_SPAN_MS, parsePlaybackRange, RECENT_PLAYBACK_SPAN_MS, resolvePlaybackWindow } from '../../../shared/playback-range';

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

describe('resolvePlaybackWindow: AVA time-range rules (docs/reference/ava-behaviour.md, playback)', () => {
  const NOW = Date.UTC(2026, 10, 21, 12);
  const LAST = Date.UTC(2026, 10, 21, 9, 30);
  const at = { nowMs: NOW, lastRecordedMs: LAST };
  const resolveFails = (start: string | null, end: string | null, code: string, pattern: RegExp) =>
    assert.throws(() => resolvePlaybackWindow(start, end, at), (e: unknown) => e instanceof ValidationError && e.code === code && pattern.test(e.message), `${start}..${end}`);

  it('both: the given range, as parsePlaybackRange', () => {
    assert.deepEqual(resolvePlaybackWindow('2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z', at), {
      startMs: Date.UTC(2026, 10, 20, 10),
      endMs: Date.UTC(2026, 10, 20, 11),
      kind: 'range',
    });
    resolveFails('2026-11-20T00:00:00Z', '2026-11-21T00:00:00.001Z', 'RangeTooLong', /maximum P1D/);
  });

  it('neither: the most recent 4 h of the archive, ending at its last recorded instant', () => {
    assert.deepEqual(resolvePlaybackWindow(null, null, at), { startMs: LAST - RECENT_PLAYBACK_SPAN_MS, endMs: LAST, kind: 'most-recent' });
    assert.deepEqual(resolvePlaybackWindow('', '', at), { startMs: LAST - 4 * 3_600_000, endMs: LAST, kind: 'most-recent' });
  });

  it('start only: everything after start up to now, at most 24 h', () => {
    assert.deepEqual(resolvePlaybackWindow('2026-11-21T10:00:00Z', null, at), { startMs: Date.UTC(2026, 10, 21, 10), endMs: NOW, kind: 'from-start' });
    assert.deepEqual(resolvePlaybackWindow('2026-11-20T12:00:00Z', null, at), { startMs: NOW - MAX_PLAYBACK_SPAN_MS, endMs: NOW, kind: 'from-start' });
    resolveFails('2026-11-20T11:59:59.999Z', null, 'RangeTooLong', /without end covers everything up to now .* give an end/);
    resolveFails('2026-11-21T12:00:00Z', null, 'InvalidRange', /must be in the past/);
    resolveFails('yesterday', null, 'InvalidDateTime', /'start' "yesterday"/);
  });

  it('end only: an error naming start', () => {
    resolveFails(null, '2026-11-21T10:00:00Z', 'MissingParameter', /'start' is required when 'end' is given/);
    resolveFails('', '2026-11-21T10:00:00Z', 'MissingParameter', /'start'/);
  });
});
