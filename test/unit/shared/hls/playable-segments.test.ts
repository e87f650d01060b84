import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playableSegments } from '../../../../shared/hls/playable-segments';

describe('playableSegments', () => {
  it('sorts and drops a segment that starts before the previous one ended', () => {
    const s = (startMs: number, durationMs: number) => ({ startMs, durationMs, blobName: `b${startMs}` });
    const { segments, dropped } = playableSegments([s(20, 10), s(0, 10), s(5, 10), s(10, 10), s(40, 0)]);
    assert.deepEqual(segments.map((x) => x.startMs), [0, 10, 20]);
    assert.equal(dropped, 2);
  });
});
