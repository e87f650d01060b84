import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evrSegmentFate, type EvrFateContext } from '../../../../shared/evr/segment-fate';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const HORIZON = 90_000; // evrCacheHorizon PT1M30S
const seg = { startMs: T0, durationMs: 2000 }; // ends at T0 + 2 s

describe('evrSegmentFate (EVR keep/drop rule)', () => {
  const ctx = (over: Partial<EvrFateContext>): EvrFateContext => ({ nowMs: T0 + 2000 + HORIZON, horizonMs: HORIZON, cloudCaughtUp: true, connectedSinceMs: T0 - 60_000, ...over });
  const cases: Array<[string, boolean, Partial<EvrFateContext>, string]> = [
    ['in a window: uploaded, whatever the horizon', true, { nowMs: T0 + 2000 }, 'upload'],
    ['in a window while offline: uploaded (the uploader waits for storage, not the broker)', true, { cloudCaughtUp: false }, 'upload'],
    ['outside, past the horizon after its end, cloud caught up: dropped', false, {}, 'drop'],
    ['outside, 1 ms before the horizon: kept', false, { nowMs: T0 + 2000 + HORIZON - 1 }, 'keep'],
    ['outside, past the horizon but offline or events queued: kept', false, { cloudCaughtUp: false }, 'keep'],
    ['outside, never connected: kept', false, { connectedSinceMs: undefined }, 'keep'],
    ['outside, reconnected recently: the horizon runs from the reconnect', false, { connectedSinceMs: T0 + 30_000 }, 'keep'],
    ['outside, past the horizon since the reconnect: dropped', false, { connectedSinceMs: T0 + 30_000, nowMs: T0 + 30_000 + HORIZON }, 'drop'],
  ];
  for (const [name, inWindow, over, fate] of cases) {
    it(name, () => assert.equal(evrSegmentFate(seg, inWindow, ctx(over)), fate));
  }
});
