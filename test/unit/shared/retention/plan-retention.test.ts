import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention } from '../../../../shared/retention/plan-retention';
import { DAY_MS } from '../../../../shared/time';

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
    const plan = planRetention([...segs].reverse(), [], { archiveMs: 7 * DAY_MS, recordingsMs: 7 * DAY_MS }, NOW);
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
    const plan = planRetention(segs, holds, { archiveMs: DAY_MS, recordingsMs: DAY_MS }, NOW);
    assert.deepEqual(plan.byAge.map((s) => (s.startMs - t0) / S), [0, 2, 3, 5]);
    assert.equal(plan.held, 2);
  });

  it('size cap: deletes the oldest unexpired segments until the rest fits, skipping held ones', () => {
    const segs = run(NOW - DAY_MS, 10); // 1000 bytes, none expired by age
    const t0 = segs[0].startMs;
    const plan = planRetention(segs, [{ startMs: t0 + S, endMs: t0 + 2 * S }], { archiveMs: 7 * DAY_MS, recordingsMs: 7 * DAY_MS, maximumSizeBytes: 650 }, NOW);
    // Must drop ≥ 350 bytes: segments 0, 2, 3, 4 (1 is held).
    assert.deepEqual(plan.byAge, []);
    assert.deepEqual(plan.bySize.map((s) => (s.startMs - t0) / S), [0, 2, 3, 4]);
    assert.equal(plan.keptBytes, 600);
    assert.equal(plan.sizeCapMet, true);
    assert.equal(plan.held, 1);
  });

  it('size cap counts only what the age pass keeps', () => {
    const segs = [...run(NOW - 10 * DAY_MS, 5), ...run(NOW - DAY_MS, 5)];
    const plan = planRetention(segs, [], { archiveMs: 7 * DAY_MS, recordingsMs: 7 * DAY_MS, maximumSizeBytes: 300 }, NOW);
    assert.equal(plan.byAge.length, 5);
    assert.deepEqual(plan.bySize, segs.slice(5, 7));
    assert.equal(plan.keptBytes, 300);
  });

  it('reports an unmet cap when held segments alone exceed it', () => {
    const segs = run(NOW - DAY_MS, 4);
    const plan = planRetention(segs, [{ startMs: 0, endMs: NOW }], { archiveMs: 7 * DAY_MS, recordingsMs: 7 * DAY_MS, maximumSizeBytes: 100 }, NOW);
    assert.deepEqual(plan.bySize, []);
    assert.equal(plan.sizeCapMet, false);
    assert.equal(plan.keptBytes, 400);
  });

  it('nothing to do for an empty archive', () => {
    assert.deepEqual(planRetention([], [], { archiveMs: DAY_MS, recordingsMs: DAY_MS, maximumSizeBytes: 1 }, NOW), {
      byAge: [], bySize: [], held: 0, keptBytes: 0, sizeCapMet: true, recordingsExpired: [], recordingsHeld: 0,
    });
  });

  describe('EVR recordings (retention.recordings)', () => {
    const A = 2 * DAY_MS;
    const R = 7 * DAY_MS;
    const rule = { archiveMs: A, recordingsMs: R };
    /** A recording row over [startMs, endMs) with an id of RECORDING_ID_PATTERN's shape. */
    const rec = (startMs: number, endMs: number) => ({ id: `${startMs}-0123456789ab`, startMs, endMs });

    it('a segment overlapping a recording expires at its end + recordings, any other at its end + archive', () => {
      const t0 = NOW - 5 * DAY_MS; // older than the archive retention, younger than the recordings one
      const segs = run(t0, 4);
      const recording = rec(t0 + S + 5000, t0 + 2 * S + 1); // overlaps segments 1 and 2 (half-open)
      const plan = planRetention(segs, [], rule, NOW, [recording]);
      assert.deepEqual(plan.byAge.map((s) => (s.startMs - t0) / S), [0, 3]);
      assert.deepEqual(plan.recordingsExpired, []);

      const old = NOW - R - 3 * S; // segments end at or before now - recordings
      const oldSegs = run(old, 3);
      const plan2 = planRetention(oldSegs, [], rule, NOW, [rec(old + S, old + 2 * S)]);
      assert.deepEqual(plan2.byAge, oldSegs, 'overlapping or not, all are past both retentions');
      assert.deepEqual(plan2.recordingsExpired.map((r) => r.startMs), [old + S]);
    });

    it('a recording touching a segment only at an edge does not extend it (half-open windows)', () => {
      const t0 = NOW - 5 * DAY_MS;
      const segs = run(t0, 3);
      const plan = planRetention(segs, [], rule, NOW, [rec(t0 + S, t0 + 2 * S)]);
      assert.deepEqual(plan.byAge.map((s) => (s.startMs - t0) / S), [0, 2]);
    });

    it('a shorter recordings retention deletes recording segments before the archive ones', () => {
      const t0 = NOW - 3 * DAY_MS;
      const segs = run(t0, 3);
      const recording = rec(t0 + S, t0 + 2 * S);
      const plan = planRetention(segs, [], { archiveMs: 30 * DAY_MS, recordingsMs: DAY_MS }, NOW, [recording]);
      assert.deepEqual(plan.byAge, [segs[1]]);
      assert.deepEqual(plan.recordingsExpired, [recording]);
    });

    it('a recording row expires when its window ends at or before now - recordings, not 1 ms later', () => {
      const cutoff = NOW - R;
      const atCutoff = rec(cutoff - 20_000, cutoff);
      const after = rec(cutoff - 10_000 + 1, cutoff + 1);
      const plan = planRetention([], [], rule, NOW, [after, atCutoff]);
      assert.deepEqual(plan.recordingsExpired, [atCutoff], 'a row without stored segments goes on its own age');
    });

    it('a held recording row stays: its hold rec-{id}, or any hold overlapping its window; its segments stay too', () => {
      const t0 = NOW - 10 * DAY_MS;
      const segs = run(t0, 6);
      const byId = rec(t0, t0 + S);
      const byRange = rec(t0 + 2 * S, t0 + 3 * S);
      const free = rec(t0 + 4 * S, t0 + 5 * S);
      const holds = [
        { id: `rec-${byId.id}`, startMs: t0 + 1000, endMs: t0 + 2000 },
        { id: 'a1b2c3d4-0000-4000-8000-000000000000', startMs: t0 + 2 * S + 500, endMs: t0 + 2 * S + 600 },
        // Touching free's end only: not an overlap.
        { id: 'b1b2c3d4-0000-4000-8000-000000000000', startMs: t0 + 5 * S, endMs: t0 + 5 * S + 1 },
      ];
      const plan = planRetention(segs, holds, rule, NOW, [free, byRange, byId]);
      assert.deepEqual(plan.recordingsExpired, [free]);
      assert.equal(plan.recordingsHeld, 2);
      assert.deepEqual(plan.byAge.map((s) => (s.startMs - t0) / S), [1, 3, 4]);
      assert.equal(plan.held, 3);
    });

    it('a hold rec-{id} whose range no longer overlaps still keeps the row by its id', () => {
      const t0 = NOW - 10 * DAY_MS;
      const r = rec(t0, t0 + S);
      const plan = planRetention([], [{ id: `rec-${r.id}`, startMs: t0 - 2 * S, endMs: t0 - S }], rule, NOW, [r]);
      assert.deepEqual(plan.recordingsExpired, []);
      assert.equal(plan.recordingsHeld, 1);
    });

    it('a row stays while a segment it overlaps stays (one reaching past its end, or held by another range)', () => {
      const cutoff = NOW - R;
      // The window ends 4 s before the cutoff; the segment under its end ends 5 s after: not yet expired.
      const segs = run(cutoff - 15_000, 2);
      const r = rec(cutoff - 10_000, cutoff - 4000);
      const plan = planRetention(segs, [], rule, NOW, [r]);
      assert.deepEqual(plan.byAge, segs.slice(0, 1));
      assert.deepEqual(plan.recordingsExpired, [], 'its last segment is still stored');
      const heldElsewhere = planRetention(segs, [{ startMs: cutoff + 4000, endMs: cutoff + 4001 }], rule, NOW + S, [r]);
      assert.deepEqual(heldElsewhere.byAge, segs.slice(0, 1), 'a hold past the window keeps the segment under it');
      assert.deepEqual(heldElsewhere.recordingsExpired, [], 'and so the row');
      assert.equal(heldElsewhere.recordingsHeld, 0, 'the row itself is not held');
      // One segment length later, both go in the same pass.
      const later = planRetention(segs, [], rule, NOW + S, [r]);
      assert.deepEqual(later.byAge, segs);
      assert.deepEqual(later.recordingsExpired, [r]);
    });

    it('the size cap deletes oldest first regardless of recordings, and never deletes a row', () => {
      const t0 = NOW - DAY_MS; // nothing expired by age
      const segs = run(t0, 10);
      const r = rec(t0, t0 + 3 * S);
      const plan = planRetention(segs, [], { ...rule, maximumSizeBytes: 500 }, NOW, [r]);
      assert.deepEqual(plan.bySize, segs.slice(0, 5));
      assert.deepEqual(plan.recordingsExpired, []);
    });
  });

  describe('CVR with signal recordings (archive P1D, recordings P30D: only the signal gate\'s windows outlive the archive)', () => {
    const rule = { archiveMs: DAY_MS, recordingsMs: 30 * DAY_MS };
    const rec = (startMs: number, endMs: number) => ({ id: `${startMs}-0123456789ab`, startMs, endMs });
    const t0 = NOW - 3 * DAY_MS;
    const segs = run(t0, 30); // 5 min of continuous archive, three days old
    // Two windows: [t0+25 s, t0+60 s) (pre-roll into segment 2) and [t0+200 s, t0+210 s) (exactly segment 20).
    const windows = [rec(t0 + 25_000, t0 + 60_000), rec(t0 + 200_000, t0 + 210_000)];

    it('after the archive retention only the segments inside a window remain, with their recording rows', () => {
      const plan = planRetention(segs, [], rule, NOW, windows);
      const kept = segs.filter((s) => !plan.byAge.includes(s)).map((s) => (s.startMs - t0) / S);
      assert.deepEqual(kept, [2, 3, 4, 5, 20]);
      assert.deepEqual(plan.recordingsExpired, []);
      assert.equal(plan.keptBytes, 500);
    });

    it('a hold keeps archive segments outside every window too', () => {
      const plan = planRetention(segs, [{ startMs: t0 + 100_000, endMs: t0 + 110_000 }], rule, NOW, windows);
      const kept = segs.filter((s) => !plan.byAge.includes(s)).map((s) => (s.startMs - t0) / S);
      assert.deepEqual(kept, [2, 3, 4, 5, 10, 20]);
      assert.equal(plan.held, 1);
    });

    it('inside the archive retention nothing goes, windows or not', () => {
      const young = run(NOW - DAY_MS + S, 10);
      assert.deepEqual(planRetention(young, [], rule, NOW, [rec(young[0].startMs, young[0].startMs + S)]).byAge, []);
    });

    it('once the recordings retention ends, the windows and their rows go too', () => {
      const later = NOW + 28 * DAY_MS; // the windows ended 31 days before
      const plan = planRetention(segs, [], rule, later, windows);
      assert.deepEqual(plan.byAge, segs);
      assert.deepEqual(plan.recordingsExpired, windows);
    });
  });
});
