import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evrSegmentFate, type EvrFateContext } from '../../../../shared/evr/segment-fate';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const HOLD = 90_000; // evrCacheHold PT1M30S
const seg = { startMs: T0, durationMs: 2000 }; // ends at T0 + 2 s

describe('evrSegmentFate (EVR keep/drop rule)', () => {
  const ctx = (over: Partial<EvrFateContext>): EvrFateContext => ({ nowMs: T0 + 2000 + HOLD, holdMs: HOLD, cloudCaughtUp: true, connectedSinceMs: T0 - 60_000, ...over });
  const cases: Array<[string, boolean, Partial<EvrFateContext>, string]> = [
    ['in a window: uploaded, whatever the hold', true, { nowMs: T0 + 2000 }, 'upload'],
    ['in a window while offline: uploaded (the uploader waits for storage, not the broker)', true, { cloudCaughtUp: false }, 'upload'],
    ['outside, hold over after its end, cloud caught up: dropped', false, {}, 'drop'],
    ['outside, 1 ms before the hold ends: held', false, { nowMs: T0 + 2000 + HOLD - 1 }, 'hold'],
    ['outside, hold over but offline or events queued: held', false, { cloudCaughtUp: false }, 'hold'],
    ['outside, never connected: held', false, { connectedSinceMs: undefined }, 'hold'],
    ['outside, reconnected recently: the hold runs from the reconnect', false, { connectedSinceMs: T0 + 30_000 }, 'hold'],
    ['outside, hold over since the reconnect: dropped', false, { connectedSinceMs: T0 + 30_000, nowMs: T0 + 30_000 + HOLD }, 'drop'],
  ];
  for (const [name, inWindow, over, fate] of cases) {
    it(name, () => assert.equal(evrSegmentFate(seg, inWindow, ctx(over)), fate));
  }
});
