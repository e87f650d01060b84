import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { thumbnailTimes } from '../../../../shared/previews/thumbnail-times';

const seg = (startMs: number, durationMs = 10_000) => ({ startMs, durationMs, blobName: `b${startMs}` });

describe('thumbnailTimes', () => {
  it('one per step: the start of the segment holding each grid point', () => {
    const segments = Array.from({ length: 12 }, (_, i) => seg(i * 10_000));
    assert.deepEqual(thumbnailTimes(segments, 5_000, 65_000, 20_000), [0, 20_000, 40_000]);
  });

  it('a grid point in a gap takes the first segment starting within its step, or nothing', () => {
    const segments = [seg(0), seg(47_000), seg(57_000)];
    assert.deepEqual(thumbnailTimes(segments, 0, 80_000, 20_000), [0, 47_000, 57_000]);
    // 20 s: the gap 10..47 s has no segment starting before 40 s, so no thumbnail for that step.
  });

  it('steps shorter than a segment give each segment once; any order in, ascending out', () => {
    assert.deepEqual(thumbnailTimes([seg(10_000), seg(0)], 0, 20_000, 2_000), [0, 10_000]);
  });

  it('a segment begun before the range gives its start', () => {
    assert.deepEqual(thumbnailTimes([seg(0), seg(10_000)], 5_000, 15_000, 10_000), [0]);
  });

  it('nothing stored: nothing; a non-positive interval is a RangeError', () => {
    assert.deepEqual(thumbnailTimes([], 0, 60_000, 10_000), []);
    assert.throws(() => thumbnailTimes([], 0, 10, 0), RangeError);
  });
});
