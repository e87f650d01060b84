import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planErasure } from '../../../../shared/erasure/plan-erasure';

const seg = (startMs: number, durationMs = 10) => ({ startMs, durationMs, blobName: `b${startMs}` });

describe('planErasure', () => {
  it('erases segments that overlap the range whole, widening the covered range to them', () => {
    // Segments [0,10) [10,20) [20,30) [30,40); range [15, 25) cuts the middle two.
    const segments = [seg(30), seg(0), seg(20), seg(10)];
    const plan = planErasure({ startMs: 15, endMs: 25 }, segments, []);
    assert.deepEqual(plan.segments.map((s) => s.startMs), [10, 20], 'sorted, only the overlapping ones');
    assert.deepEqual(plan.covered, { startMs: 10, endMs: 30 });
    assert.deepEqual(plan.conflicts, []);
  });

  it('keeps the requested range when the segments lie inside it, or there are none; touching segments are not overlapping', () => {
    assert.deepEqual(planErasure({ startMs: 10, endMs: 30 }, [seg(0), seg(10), seg(20), seg(30)], []).covered, { startMs: 10, endMs: 30 });
    const empty = planErasure({ startMs: 100, endMs: 200 }, [], []);
    assert.deepEqual([empty.segments, empty.covered], [[], { startMs: 100, endMs: 200 }]);
  });

  it('finds holds that overlap the covered range, also those only a widened segment reaches', () => {
    const holds = [
      { id: 'b', startMs: 28, endMs: 35 }, // overlaps [20,30), which the range [15,25) erases whole
      { id: 'a', startMs: 28, endMs: 29 },
      { id: 'far', startMs: 30, endMs: 50 }, // touches the covered end only
      { id: 'rec-1', startMs: 0, endMs: 11 }, // a recording hold reaching into [10,20)
    ];
    const plan = planErasure({ startMs: 15, endMs: 25 }, [seg(10), seg(20)], holds);
    assert.deepEqual(plan.conflicts.map((h) => h.id), ['rec-1', 'a', 'b']);
    assert.deepEqual(planErasure({ startMs: 15, endMs: 25 }, [], holds).conflicts, [], 'without segments, only the requested range counts');
  });
});
