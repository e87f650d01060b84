import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locatePreview, nearestRecorded } from '../../../../shared/previews/locate-preview';

const seg = (startMs: number, durationMs = 10_000) => ({ startMs, durationMs, blobName: `b${startMs}` });

describe('locatePreview', () => {
  it('finds the segment whose half-open span holds the instant, and the offset into it', () => {
    const segments = [seg(20_000), seg(0), seg(10_000)];
    assert.deepEqual(locatePreview(segments, 0), { segment: seg(0), offsetMs: 0 });
    assert.deepEqual(locatePreview(segments, 9_999), { segment: seg(0), offsetMs: 9_999 });
    assert.deepEqual(locatePreview(segments, 10_000), { segment: seg(10_000), offsetMs: 0 }, 'an end is the next one\'s start');
    assert.deepEqual(locatePreview(segments, 29_999), { segment: seg(20_000), offsetMs: 9_999 });
  });

  it('is undefined in a gap, before the first and at the end of the last', () => {
    const segments = [seg(0), seg(30_000)];
    assert.equal(locatePreview(segments, 15_000), undefined);
    assert.equal(locatePreview(segments, -1), undefined);
    assert.equal(locatePreview(segments, 40_000), undefined);
    assert.equal(locatePreview([], 0), undefined);
  });

  it('where segments overlap (a clock step), takes the one that started last', () => {
    assert.deepEqual(locatePreview([seg(0), seg(5_000)], 7_000), { segment: seg(5_000), offsetMs: 2_000 });
  });
});

describe('nearestRecorded', () => {
  const ranges = [{ startMs: 0, endMs: 10_000 }, { startMs: 30_000, endMs: 40_000 }, { startMs: 60_000, endMs: 70_000 }];
  it('gives the last recorded ms before and the first after', () => {
    assert.deepEqual(nearestRecorded(ranges, 50_000), { beforeMs: 39_999, afterMs: 60_000 });
    assert.deepEqual(nearestRecorded(ranges, 10_000), { beforeMs: 9_999, afterMs: 30_000 });
  });
  it('leaves out a side with nothing', () => {
    assert.deepEqual(nearestRecorded(ranges, -5), { afterMs: 0 });
    assert.deepEqual(nearestRecorded(ranges, 80_000), { beforeMs: 69_999 });
    assert.deepEqual(nearestRecorded([], 0), {});
  });
});
