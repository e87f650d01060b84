import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipRanges, gapsBetween, mergeRanges, overlaps } from '../../../shared/time-ranges';

const r = (startMs: number, endMs: number) => ({ startMs, endMs });

describe('time ranges', () => {
  it('mergeRanges joins touching and overlapping spans in any order and keeps any hole', () => {
    assert.deepEqual(mergeRanges([r(20, 30), r(0, 10), r(10, 20), r(31, 40), r(35, 38)]), [r(0, 30), r(31, 40)]);
  });

  it('mergeRanges drops empty spans and does not mutate its input', () => {
    const input = [r(0, 10), r(5, 5), r(9, 3), r(10, 12)];
    const copy = structuredClone(input);
    assert.deepEqual(mergeRanges(input), [r(0, 12)]);
    assert.deepEqual(input, copy);
  });

  it('clipRanges cuts to the window and drops ranges outside it', () => {
    assert.deepEqual(clipRanges([r(0, 10), r(20, 30), r(40, 50)], 5, 25), [r(5, 10), r(20, 25)]);
    assert.deepEqual(clipRanges([r(0, 10)], 10, 20), []);
  });

  it('gapsBetween lists the holes in order', () => {
    assert.deepEqual(gapsBetween([r(0, 10), r(20, 30), r(31, 40)]), [r(10, 20), r(30, 31)]);
    assert.deepEqual(gapsBetween([r(0, 10)]), []);
  });

  it('overlaps treats ranges as half-open', () => {
    assert.equal(overlaps(r(0, 10), r(10, 20)), false);
    assert.equal(overlaps(r(0, 10), r(9, 20)), true);
    assert.equal(overlaps(r(5, 6), r(0, 10)), true);
  });
});
