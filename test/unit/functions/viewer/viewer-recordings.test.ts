import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewerPureHelpers } from '../../../helpers/viewer-pure-helpers';

interface Mark {
  id: string;
  startMs: number;
  endMs: number;
  label: string;
}
interface PureHelpers {
  viewerRecordingMarks(recordings: unknown[], fromMs: number, toMs: number): Mark[];
  viewerSeekOffsetS(playback: { start: string; ranges: Array<{ start: string }> }): number;
}

const DAY = Date.UTC(2026, 10, 21);
const iso = (ms: number) => new Date(ms).toISOString();
const rec = (id: string, startMs: number, endMs: number, o: Record<string, unknown> = {}) => ({
  id, start: iso(startMs), end: iso(endMs), state: 'complete', signals: [], signalCount: 0, bytes: 0, available: true, held: false, ...o,
});

describe('viewer: recording markers and seek offset (pure helpers of viewer.js)', () => {
  const h = viewerPureHelpers<PureHelpers>(['viewerRecordingMarks', 'viewerSeekOffsetS']);

  it('marks are clipped to the day, sorted by start, labelled with state, signals and hold', () => {
    const marks = h.viewerRecordingMarks(
      [
        rec('b', DAY + 3_600_000, DAY + 3_630_000, { signalCount: 3, held: true, signals: [{ id: 's1', type: 'motion', time: iso(DAY + 3_600_500) }, { id: 's2', type: 'external', time: iso(DAY + 3_601_000), label: 'door open' }, { id: 's3', type: 'motion', time: iso(DAY + 3_602_000) }] }),
        rec('a', DAY - 20_000, DAY + 10_000, { state: 'recording', signalCount: 1, signals: [{ id: 's0', type: 'motion', time: iso(DAY - 15_000) }] }),
        rec('outside', DAY - 60_000, DAY - 30_000),
      ],
      DAY,
      DAY + 86_400_000,
    );
    assert.deepEqual(JSON.parse(JSON.stringify(marks)), [
      { id: 'a', startMs: DAY, endMs: DAY + 10_000, label: 'recording (open), 1 signal(s): motion' },
      { id: 'b', startMs: DAY + 3_600_000, endMs: DAY + 3_630_000, label: 'recording, 3 signal(s): motion, door open, held' },
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(h.viewerRecordingMarks([], DAY, DAY + 1))), []);
  });

  it('seeks from the first segment of the playlist to the answer\'s start', () => {
    assert.equal(h.viewerSeekOffsetS({ start: iso(DAY + 5000), ranges: [{ start: iso(DAY) }] }), 5);
    assert.equal(h.viewerSeekOffsetS({ start: iso(DAY), ranges: [] }), 0);
    assert.equal(h.viewerSeekOffsetS({ start: iso(DAY), ranges: [{ start: iso(DAY + 1000) }] }), 0, 'never negative');
  });
});
