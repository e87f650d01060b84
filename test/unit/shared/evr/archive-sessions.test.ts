import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { archiveSessionEvents, ARCHIVE_SESSION_LOOKBACK_MS } from '../../../../shared/evr/archive-sessions';
import { toIso } from '../../../../shared/time';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const S = 10_000;
const NOW = T0 + 3_600_000;
const seg = (startMs: number) => ({ startMs, durationMs: S });
const base = { cameraId: 'yard', deviceId: 'dev1', nowMs: NOW, gaps: [] };
const summary = (events: ReturnType<typeof archiveSessionEvents>) => events.map((e) => [e.type, e.id, (e.data as { start: string }).start, (e.data as { end: string }).end]);

describe('archiveSessionEvents (shared/evr/archive-sessions.ts): AVA CVR video sink lifecycle over a continuous archive', () => {
  it('the first segment of a session starts it and makes it available; later segments of the same session say nothing', () => {
    const events = archiveSessionEvents({ ...base, segments: [seg(T0), seg(T0 + S)], ranges: [{ startMs: T0, endMs: T0 + 2 * S }] });
    assert.deepEqual(summary(events), [
      ['recording.started', `recording-started-archive-yard-${T0}`, toIso(T0), toIso(T0 + S)],
      ['recording.available', `recording-available-archive-yard-${T0}`, toIso(T0), toIso(T0 + S)],
    ]);
    assert.deepEqual(events[0]!.data, { deviceId: 'dev1', cameraId: 'yard', recordingId: `archive-${T0}`, start: toIso(T0), end: toIso(T0 + S), reason: 'continuous', signals: [], kind: 'archive' });
    assert.equal(events[0]!.time, toIso(NOW));
    assert.deepEqual(archiveSessionEvents({ ...base, segments: [seg(T0 + 2 * S)], ranges: [{ startMs: T0, endMs: T0 + 3 * S }] }), []);
  });

  it('holes up to 1 s (ms rounding of segment starts) do not split a session; a longer one does, and stops the one before', () => {
    assert.deepEqual(archiveSessionEvents({ ...base, segments: [seg(T0 + S + 1000)], ranges: [{ startMs: T0, endMs: T0 + S }, { startMs: T0 + S + 1000, endMs: T0 + 2 * S + 1000 }] }), []);
    const after = T0 + S + 1001;
    const events = archiveSessionEvents({ ...base, segments: [seg(after)], ranges: [{ startMs: T0, endMs: T0 + S }, { startMs: after, endMs: after + S }] });
    assert.deepEqual(summary(events), [
      ['recording.started', `recording-started-archive-yard-${after}`, toIso(after), toIso(after + S)],
      ['recording.available', `recording-available-archive-yard-${after}`, toIso(after), toIso(after + S)],
      ['recording.stopped', `recording-stopped-archive-yard-${T0}`, toIso(T0), toIso(T0 + S)],
    ]);
  });

  it('a reported gap stops the session that ended at its start; the same stop seen from the next session has the same id', () => {
    const ranges = [{ startMs: T0, endMs: T0 + 3 * S }];
    const stop = archiveSessionEvents({ ...base, segments: [], gaps: [{ startMs: T0 + 3 * S, endMs: T0 + 10 * S }], ranges });
    assert.deepEqual(summary(stop), [['recording.stopped', `recording-stopped-archive-yard-${T0}`, toIso(T0), toIso(T0 + 3 * S)]]);
    const resumed = archiveSessionEvents({ ...base, segments: [seg(T0 + 10 * S)], ranges: [...ranges, { startMs: T0 + 10 * S, endMs: T0 + 11 * S }] });
    assert.equal(resumed.find((e) => e.type === 'recording.stopped')?.id, stop[0]!.id);
  });

  it('a gap inside stored media (segments uploaded later cover it) stops nothing; nor does a session ended longer ago than the lookback', () => {
    assert.deepEqual(archiveSessionEvents({ ...base, segments: [], gaps: [{ startMs: T0 + S, endMs: T0 + 2 * S }], ranges: [{ startMs: T0, endMs: T0 + 5 * S }] }), []);
    const late = T0 + S + ARCHIVE_SESSION_LOOKBACK_MS + 1;
    assert.deepEqual(archiveSessionEvents({ ...base, segments: [], gaps: [{ startMs: late, endMs: late + S }], ranges: [{ startMs: T0, endMs: T0 + S }] }), []);
  });
});
