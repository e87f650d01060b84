import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SIGNAL_WAIT_MAX_MS, recordedClockMs } from '../../../../functions/evr/evr-batch';

describe('the gate clock of a segment.recorded (functions/evr/evr-batch.ts)', () => {
  const seg = { startMs: 100_000, durationMs: 2000 };
  it('moves to the segment end when the agent has no signal source', () => {
    assert.equal(recordedClockMs(seg), 102_000);
  });
  it('waits at signalsThrough for a signal still to come, but never more than SIGNAL_WAIT_MAX_MS', () => {
    assert.equal(recordedClockMs({ ...seg, signalsThroughMs: 101_200 }), 101_200);
    assert.equal(recordedClockMs({ ...seg, signalsThroughMs: 105_000 }), 102_000, 'never past the end');
    assert.equal(recordedClockMs({ ...seg, signalsThroughMs: 50_000 }), 102_000 - SIGNAL_WAIT_MAX_MS, 'a stalled source does not freeze the gate');
  });
});
