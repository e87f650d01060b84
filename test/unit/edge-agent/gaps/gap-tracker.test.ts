import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GapTracker, MIN_GAP_MS } from '../../../../edge-agent/gaps/gap-tracker';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('GapTracker', () => {
  it('abutting segments and sub-second holes make no gap; the first segment ever makes none', () => {
    const g = new GapTracker();
    assert.equal(g.segment('cam', T0, T0 + 2000), undefined);
    assert.equal(g.segment('cam', T0 + 2000, T0 + 4000), undefined);
    assert.equal(g.segment('cam', T0 + 4000 + MIN_GAP_MS - 1, T0 + 7000), undefined, 'timing noise');
  });

  it('a hole after a failed session is a camera-unavailable gap from the last end to the next start, reported once', () => {
    const g = new GapTracker();
    g.segment('cam', T0, T0 + 2000);
    g.sessionEnded('cam', 'camera-unavailable');
    assert.deepEqual(g.segment('cam', T0 + 22_000, T0 + 24_000), { cameraId: 'cam', startMs: T0 + 2000, endMs: T0 + 22_000, cause: 'camera-unavailable' });
    assert.equal(g.segment('cam', T0 + 24_000, T0 + 26_000), undefined);
  });

  it('keeps the first cause of a hole: a stall followed by failed reconnects is an ffmpeg-stall gap', () => {
    const g = new GapTracker();
    g.segment('cam', T0, T0 + 2000);
    g.sessionEnded('cam', 'ffmpeg-stall');
    g.sessionEnded('cam', 'camera-unavailable');
    assert.equal(g.segment('cam', T0 + 12_000, T0 + 14_000)?.cause, 'ffmpeg-stall');
  });

  it("the agent's own outage, restored from the journal, explains the hole whatever the sessions did after", () => {
    const stopped = new GapTracker();
    stopped.restore(new Map([['cam', T0 + 2000]]), 'agent-stopped');
    stopped.sessionEnded('cam', 'camera-unavailable');
    assert.deepEqual(stopped.segment('cam', T0 + 60_000, T0 + 62_000), { cameraId: 'cam', startMs: T0 + 2000, endMs: T0 + 60_000, cause: 'agent-stopped' });
    const crashed = new GapTracker();
    crashed.restore(new Map([['cam', T0 + 2000]]), 'agent-restart');
    assert.equal(crashed.segment('cam', T0 + 5000, T0 + 7000)?.cause, 'agent-restart');
    assert.equal(crashed.segment('other', T0, T0 + 2000), undefined, 'a camera the journal never saw has no hole');
  });

  it('an evicted segment is an eviction gap of its own span, and cameras are independent', () => {
    const g = new GapTracker();
    g.segment('a', T0, T0 + 2000);
    g.sessionEnded('b', 'camera-unavailable');
    assert.deepEqual(g.evicted('a', T0, T0 + 2000), { cameraId: 'a', startMs: T0, endMs: T0 + 2000, cause: 'eviction' });
    assert.equal(g.segment('a', T0 + 2000, T0 + 4000), undefined);
  });
});
