import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewerPureHelpers } from '../../../helpers/viewer-pure-helpers';

interface Helpers {
  viewerSignalMarks(recordings: unknown[], fromMs: number, toMs: number): Array<{ atMs: number; label: string; recordingId: string }>;
  viewerMergeRanges(timeRanges: Array<{ start: string; end: string }>): Array<{ startMs: number; endMs: number }>;
  viewerGapBars(ranges: Array<{ startMs: number; endMs: number }>, gaps: Array<{ start: string; end: string; cause: string }>): Array<{ startMs: number; endMs: number; causes: string[] }>;
  viewerThumbInterval(spanMs: number, count: number): string;
}

const T = Date.UTC(2026, 10, 21, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const plain = <V>(v: V): V => JSON.parse(JSON.stringify(v)) as V;

describe('viewer: timeline helpers (pure helpers of viewer.js)', () => {
  const h = viewerPureHelpers<Helpers>(['viewerSignalMarks', 'viewerMergeRanges', 'viewerGapBars', 'viewerThumbInterval']);

  it('joins availability answers split at request boundaries (touching or 1 ms apart), keeps real gaps', () => {
    const merged = h.viewerMergeRanges([
      { start: iso(T + 60_000), end: iso(T + 86_399_999) }, // the second request's range, listed first
      { start: iso(T), end: iso(T + 10_000) },
      { start: iso(T + 20_000), end: iso(T + 59_999) },
      { start: iso(T + 86_400_000), end: iso(T + 86_500_000) },
    ]);
    assert.deepEqual(plain(merged), [
      { startMs: T, endMs: T + 10_000 },
      { startMs: T + 20_000, endMs: T + 86_500_000 },
    ]);
    assert.deepEqual(plain(h.viewerMergeRanges([])), []);
  });

  it('gap bars: holes between ranges with the causes of overlapping reported gaps, and reported gaps after the last range', () => {
    const ranges = [
      { startMs: T, endMs: T + 10_000 },
      { startMs: T + 20_000, endMs: T + 30_000 },
      { startMs: T + 31_000, endMs: T + 40_000 },
    ];
    const gaps = [
      { start: iso(T + 9_000), end: iso(T + 21_000), cause: 'camera-unavailable' },
      { start: iso(T + 15_000), end: iso(T + 16_000), cause: 'ffmpeg-stall' },
      { start: iso(T + 9_500), end: iso(T + 12_000), cause: 'camera-unavailable' },
      { start: iso(T + 45_000), end: iso(T + 50_000), cause: 'agent-stopped' },
      { start: iso(T - 50_000), end: iso(T - 40_000), cause: 'eviction' },
    ];
    assert.deepEqual(plain(h.viewerGapBars(ranges, gaps)), [
      { startMs: T + 10_000, endMs: T + 20_000, causes: ['camera-unavailable', 'ffmpeg-stall'] },
      { startMs: T + 30_000, endMs: T + 31_000, causes: [] },
      { startMs: T + 45_000, endMs: T + 50_000, causes: ['agent-stopped'] },
    ]);
    assert.deepEqual(plain(h.viewerGapBars([], [gaps[3]])), [{ startMs: T + 45_000, endMs: T + 50_000, causes: ['agent-stopped'] }], 'no range: every reported gap');
  });

  it('signal marks: the listed signals inside the window, by time, labelled by label or type', () => {
    const recs = [
      { id: 'r2', signals: [{ id: 's3', type: 'motion', time: iso(T + 5_000) }, { id: 's4', type: 'external', label: 'door', time: iso(T + 1_000) }] },
      { id: 'r1', signals: [{ id: 's1', type: 'motion', time: iso(T - 1) }, { id: 's2', type: 'motion', time: iso(T + 60_000) }] },
    ];
    assert.deepEqual(plain(h.viewerSignalMarks(recs, T, T + 60_000)), [
      { atMs: T + 1_000, label: 'door', recordingId: 'r2' },
      { atMs: T + 5_000, label: 'motion', recordingId: 'r2' },
    ]);
  });

  it('thumbnail interval: the shortest accepted step giving at most `count` thumbnails, PT2S..PT1H', () => {
    assert.equal(h.viewerThumbInterval(60_000, 120), 'PT2S');
    assert.equal(h.viewerThumbInterval(3_600_000, 120), 'PT30S');
    assert.equal(h.viewerThumbInterval(3_600_000, 50), 'PT5M');
    assert.equal(h.viewerThumbInterval(86_400_000, 120), 'PT15M');
    assert.equal(h.viewerThumbInterval(7 * 86_400_000, 120), 'PT1H', 'never longer than the route allows');
  });
});
