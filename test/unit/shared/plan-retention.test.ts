import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention } from '../../../shared/retention/plan-retention';
import { DAY_MS } from '../../../shared/time';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const S = 10_000;
/** n abutting 10 s segments of 100 bytes from startMs. */
const run = (startMs: number, n: number, bytes = 100) => Array.from({ length: n }, (_, i) => ({ startMs: startMs + i * S, durationMs: S, bytes }));

describe('planRetention (shared/retention/plan-retention.ts)', () => {
  it('age: a segment expires when its END is at or before now - retention (AVA retentionPeriod)', () => {
    const cutoff = NOW - 7 * DAY_MS;
    const segs = [
      { startMs: cutoff - 2 * S, durationMs: S, bytes: 1 }, // ends cutoff - S: expired
      { startMs: cutoff - S, durationMs: S, bytes: 2 }, // ends exactly at cutoff: expired
      { startMs: cutoff - S + 1, durationMs: S, bytes: 4 }, // ends 1 ms after: kept
      { startMs: cutoff, durationMs: S, bytes: 8 },
    ];
    const plan = planRetention([...segs].reverse(), [], { archiveMs: 7 * DAY_MS }, NOW);
    assert.deepEqual(plan.byAge, segs.slice(0, 2));
    assert.deepEqual(plan.bySize, []);
    assert.equal(plan.keptBytes, 12);
    assert.equal(plan.sizeCapMet, true);
  });

  it('holds: a segment overlapping a hold (half-open) is never planned by age', () => {
    const segs = run(NOW - 10 * DAY_MS, 6);
    const t0 = segs[0].startMs;
    // [t0+15 s, t0+20 s) overlaps segment 1 only; [t0+40 s, t0+40 s+1) overlaps segment 4; one touching segment 5's end does not.
    const holds = [
      { startMs: t0 + 15_000, endMs: t0 + 20_000 },
      { startMs: t0 + 40_000, endMs: t0 + 40_001 },
      { startMs: t0 + 60_000, endMs: t0 + 70_000 },
    ];
    const plan = planRetention(segs, holds, { archiveMs: DAY_MS }, NOW);
    assert.deepEqual(plan.byAge.map((s) => (s.startMs - t0) / S), [0, 2, 3, 5]);
    assert.equal(plan.held, 2);
  });

  it('size cap: deletes the oldest unexpired segments until the rest fits, skipping held ones', () => {
    const segs = run(NOW - DAY_MS, 10); // 1000 bytes, none expired by age
    const t0 = segs[0].startMs;
    const plan = planRetention(segs, [{ startMs: t0 + S, endMs: t0 + 2 * S }], { archiveMs: 7 * DAY_MS, maximumSizeBytes: 650 }, NOW);
    // Must drop ≥ 350 bytes: segments 0, 2, 3, 4 (1 is held).
    assert.deepEqual(plan.byAge, []);
    assert.deepEqual(plan.bySize.map((s) => (s.startMs - t0) / S), [0, 2, 3, 4]);
    assert.equal(plan.keptBytes, 600);
    assert.equal(plan.sizeCapMet, true);
    assert.equal(plan.held, 1);
  });

  it('size cap counts only what the age pass keeps', () => {
    const segs = [...run(NOW - 10 * DAY_MS, 5), ...run(NOW - DAY_MS, 5)];
    const plan = planRetention(segs, [], { archiveMs: 7 * DAY_MS, maximumSizeBytes: 300 }, NOW);
    assert.equal(plan.byAge.length, 5);
    assert.deepEqual(plan.bySize, segs.slice(5, 7));
    assert.equal(plan.keptBytes, 300);
  });

  it('reports an unmet cap when held segments alone exceed it', () => {
    const segs = run(NOW - DAY_MS, 4);
    const plan = planRetention(segs, [{ startMs: 0, endMs: NOW }], { archiveMs: 7 * DAY_MS, maximumSizeBytes: 100 }, NOW);
    assert.deepEqual(plan.bySize, []);
    assert.equal(plan.sizeCapMet, false);
    assert.equal(plan.keptBytes, 400);
  });

  it('nothing to do for an empty archive', () => {
    assert.deepEqual(planRetention([], [], { archiveMs: DAY_MS, maximumSizeBytes: 1 }, NOW), { byAge: [], bySize: [], held: 0, keptBytes: 0, sizeCapMet: true });
  });
});
