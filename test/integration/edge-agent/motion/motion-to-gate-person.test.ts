import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { MotionAggregator, type MotionSignal } from '../../../../edge-agent/motion/motion-aggregator';
import type { FrameMotion } from '../../../../edge-agent/motion/motion-detector';
import { advanceGate, applySignal, initialGateState, type GateDecision } from '../../../../shared/evr/signal-gate';
import { parseMotionSettings } from '../../../../shared/schemas/motion-detection';
import { parseSignalGateSettings } from '../../../../shared/schemas/signal-gate';
import { mergeRanges } from '../../../../shared/time-ranges';
import { decodeGrayFrames } from '../../../helpers/gray-frames';
import { MEDIA, assertMotionIn, assertStillIn, detectAll, type Interval } from '../../../helpers/motion-clip-intervals';

// test/fixtures/media/README.md, one-by-one-person-detection.mp4: people walking in or out, and the empty room.
const WALKING: Interval[] = [[6, 8], [17, 20], [22, 24], [42.5, 45.5], [50, 52], [67, 70.5], [74, 76], [84, 87.5], [92, 94], [117, 120.5], [123, 125], [133.5, 136.5]];
const EMPTY: Interval[] = [[0, 5.5], [20, 22], [45.5, 50], [70.5, 74], [87.5, 92], [120.5, 123], [136.5, 139.4]];

/** Media time of the clip's first frame on the gate's clock (any epoch ms works). */
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('person clip: motion detector, then the signal gate', () => {
  let results: FrameMotion[];
  before(async () => {
    const frames = await decodeGrayFrames(path.join(MEDIA, 'one-by-one-person-detection.mp4'));
    assert.ok(frames.length >= 690);
    results = detectAll(frames, parseMotionSettings({}));
  });

  it('motion whenever someone walks in or out, none while the room is empty', () => {
    assertMotionIn(results, WALKING, 'person');
    assert.ok(assertStillIn(results, EMPTY, 'person') >= 6);
  });

  it('motion signals through an AVA gate (−PT2S, PT5S..PT30S) record every walk and leave the empty start out', () => {
    const motion = parseMotionSettings({});
    const gate = parseSignalGateSettings({ activationSignalOffset: '-PT2S', minimumActivationTime: 'PT5S', maximumActivationTime: 'PT30S' });
    const agg = new MotionAggregator(motion.eventAggregationWindowMs, motion.outputMotionRegion);
    const signals: MotionSignal[] = results.flatMap((r) => agg.push(r)).concat(agg.flush());
    let state = initialGateState();
    const decisions: GateDecision[] = [];
    signals.forEach((s, i) => {
      const step = applySignal(state, { id: `motion-${i}`, atMs: T0 + s.atMs }, gate);
      state = step.state;
      decisions.push(...step.decisions);
    });
    decisions.push(...advanceGate(state, T0 + 200_000, gate).decisions);
    assert.ok(decisions.every((d) => d.kind !== 'late' && d.kind !== 'duplicate'));
    const recordings = decisions.flatMap((d) => (d.kind === 'closed' ? [[(d.startMs - T0) / 1000, (d.endMs - T0) / 1000]] : []));
    assert.ok(recordings.length >= 5, `${recordings.length} recordings`);
    // a walk can fall across back-to-back recordings (a new activation's pre-roll is clamped to the previous end): check their union
    const covered = mergeRanges(recordings.map(([startMs, endMs]) => ({ startMs, endMs })));
    for (const [s, e] of WALKING) {
      assert.ok(covered.some((r) => r.startMs <= s + 0.5 && r.endMs >= e - 0.5), `walk ${s}-${e} s not recorded: ${JSON.stringify(recordings)}`);
    }
    assert.ok(recordings[0][0] >= 3.5, `the first recording starts at ${recordings[0][0]} s, in the empty room's first seconds`);
    for (let i = 1; i < recordings.length; i++) assert.ok(recordings[i][0] >= recordings[i - 1][1], 'recordings never overlap');
  });
});
