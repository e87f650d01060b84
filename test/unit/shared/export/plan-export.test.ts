import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { planExport } from '../../../../shared/export/plan-export';

const T0 = Date.UTC(2026, 10, 21, 10);
const seg = (offsetS: number, durationS = 10, bytes = 1000) => ({ startMs: T0 + offsetS * 1000, durationMs: durationS * 1000, blobName: `b${offsetS}`, bytes });
const win = (a: number, b: number) => ({ startMs: T0 + a * 1000, endMs: T0 + b * 1000 });
/** Three abutting segments, a 30 s gap, two more (as the HTTP integration fixture). */
const SEGMENTS = [seg(0), seg(10), seg(20), seg(60), seg(70)];

describe('planExport', () => {
  it('takes whole segments from the one containing start, cuts the end, and lists the gap', () => {
    const plan = planExport(win(15, 65), SEGMENTS, 1e9)!;
    assert.deepEqual(plan.segments.map((s) => s.blobName), ['b10', 'b20', 'b60']);
    assert.deepEqual(plan.snapped, win(15, 65));
    assert.deepEqual(plan.gaps, [win(30, 60)]);
    assert.equal(plan.inputBytes, 3000);
    // Output timeline without the gap: 10 s + 10 s before the last segment, then 5 s of it.
    assert.equal(plan.outputDurationMs, 25_000);
  });

  it('no cut when the last segment ends at the (snapped) end; leading and trailing gaps listed and snapped away', () => {
    const plan = planExport(win(40, 90), SEGMENTS, 1e9)!;
    assert.deepEqual(plan.segments.map((s) => s.blobName), ['b60', 'b70']);
    assert.deepEqual(plan.snapped, win(60, 80));
    assert.deepEqual(plan.gaps, [win(40, 60), win(80, 90)]);
    assert.equal(plan.outputDurationMs, undefined);
  });

  it('undefined when the window is wholly in a gap', () => {
    assert.equal(planExport(win(30, 60), SEGMENTS, 1e9), undefined);
    assert.equal(planExport(win(30, 60), [], 1e9), undefined);
  });

  it('refuses more segment bytes than the cap, naming the setting', () => {
    assert.ok(planExport(win(0, 30), SEGMENTS, 3000));
    assert.throws(
      () => planExport(win(0, 61), SEGMENTS, 3000),
      (e: unknown) => e instanceof ValidationError && e.code === 'ExportTooLarge' && /3000 bytes \(KEEPWATCH_EXPORT_MAX_BYTES\)/.test(e.message),
    );
  });
});
