import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { MotionAggregator, type MotionSignal } from '../../../../edge-agent/motion/motion-aggregator';
import type { GrayFrame } from '../../../../edge-agent/motion/motion-detector';
import { parseMotionSettings } from '../../../../shared/schemas/motion-detection';
import { decodeGrayFrames } from '../../../helpers/gray-frames';
import { MEDIA, STILL_EDGE_S, assertMotionIn, assertStillIn, detectAll, type Interval } from '../../../helpers/motion-clip-intervals';

// Timings from test/fixtures/media/README.md.
const BOTTLE_MOTION: Interval[] = [[5.7, 7.6], [11.2, 14.5], [15.7, 18.8], [22, 25.3], [27.3, 29.6], [30.7, 32.8], [34.7, 38.2]];
const BOTTLE_STILL: Interval[] = [[0, 5.7], [7.6, 11.2], [14.5, 15.7], [18.8, 22], [25.3, 27.3], [29.6, 30.7], [32.8, 34.7], [38.2, 39.9]];
const CAR_MOTION: Interval[] = [[4.4, 9.4], [14, 19.8], [25, 28.3]];
// 28.5-30.2 s: empty, while the camera's auto-exposure is still recovering from the white car
const CAR_STILL: Interval[] = [[0, 4.3], [9.5, 14], [20, 25], [28.5, 30.2]];

const medium = parseMotionSettings({});

/** A copy of the frames with `f` applied to every grey level of frames at or after `fromMs`. */
function relight(frames: GrayFrame[], fromMs: number, f: (v: number) => number): GrayFrame[] {
  return frames.map((fr) => (fr.ptsMs < fromMs ? fr : { ...fr, data: Uint8Array.from(fr.data, (v) => Math.max(0, Math.min(255, Math.round(f(v))))) }));
}

describe('motion detector on real clips (ffmpeg scale=320:-2,fps=5,format=gray)', () => {
  let bottle: GrayFrame[];
  let car: GrayFrame[];
  before(async () => {
    [bottle, car] = await Promise.all([decodeGrayFrames(path.join(MEDIA, 'bottle-detection.mp4')), decodeGrayFrames(path.join(MEDIA, 'car-detection.mp4'))]);
    assert.equal(bottle[0].width * bottle[0].height, 320 * 180);
    assert.ok(bottle.length >= 195 && car.length >= 150);
  });

  it('bottle clip: motion in every documented motion interval, none in the still ones', () => {
    const r = detectAll(bottle, medium);
    assertMotionIn(r, BOTTLE_MOTION, 'bottle');
    assert.equal(assertStillIn(r, BOTTLE_STILL, 'bottle'), 4);
  });

  it('car clip: motion with each car, none in the still stretches, auto-exposure recovery included', () => {
    const r = detectAll(car, medium);
    assertMotionIn(r, CAR_MOTION, 'car');
    assert.equal(assertStillIn(r, CAR_STILL, 'car'), 4);
  });

  it('a global brightness step on still frames (darker, brighter, gamma) gives no motion', () => {
    // the first still stretch of each clip, minus STILL_EDGE_S before the first motion
    const still = car.filter((f) => f.ptsMs <= (4.3 - STILL_EDGE_S) * 1000);
    const stillBottle = bottle.filter((f) => f.ptsMs <= (5.7 - STILL_EDGE_S) * 1000);
    for (const [name, f] of [
      ['×0.5', (v: number) => v * 0.5],
      ['+60', (v: number) => v + 60],
      ['gamma 1.5', (v: number) => 255 * Math.pow(v / 255, 1.5)],
    ] as const) {
      for (const [clip, frames] of [['car', still], ['bottle', stillBottle]] as const) {
        const r = detectAll(relight(frames, 2000, f), medium);
        const moving = r.filter((x) => x.boxes.length > 0).map((x) => x.ptsMs);
        assert.deepEqual(moving, [], `${clip} ${name}: motion at ${moving.join(', ')} ms`);
      }
    }
  });

  it('a brightness step as motion ends does not prolong it', () => {
    const plain = detectAll(bottle, medium).filter((r) => r.boxes.length > 0 && r.ptsMs >= 5000 && r.ptsMs < 11000);
    const lastPlain = plain.at(-1)!.ptsMs;
    assert.ok(lastPlain >= 7000 && lastPlain <= 8200, `first bottle event ends at ${lastPlain} ms`);
    const stepped = detectAll(relight(bottle, 7600, (v) => v * 0.6), medium).filter((r) => r.boxes.length > 0 && r.ptsMs >= 5000 && r.ptsMs < 11000);
    assert.ok(stepped.at(-1)!.ptsMs <= lastPlain, `motion lasted to ${stepped.at(-1)!.ptsMs} ms with the step, ${lastPlain} ms without`);
  });

  it('a mask over the moving area suppresses it; motion elsewhere still counts', () => {
    // in 11-14.5 s and 27.3-29.6 s the hand only moves in the left fifth of the frame (x < 0.23)
    const leftThird: Array<[number, number]> = [[0, 0], [0.3, 0], [0.3, 1], [0, 1]];
    const masked = detectAll(bottle, parseMotionSettings({ masks: [leftThird] }));
    assertStillIn(masked, [[11.2 - 1, 14.5 + 1], [27.3 - 1, 29.6 + 1]], 'bottle, left masked');
    assertMotionIn(masked, [[15.7, 18.8], [22, 25.3]], 'bottle, left masked');
    for (const r of masked) for (const b of r.boxes) assert.ok(b.l >= 0.3 - 1e-9, `box at l=${b.l} inside the mask`);
  });

  it('a zone elsewhere gets nothing', () => {
    const rightHalf = detectAll(bottle, parseMotionSettings({ zones: [[[0.5, 0], [1, 0], [1, 1], [0.5, 1]]] }));
    assertStillIn(rightHalf, [[11.2 - 1, 14.5 + 1], [27.3 - 1, 29.6 + 1]], 'bottle, right-half zone');
    const bottomStrip = detectAll(bottle, parseMotionSettings({ zones: [[[0, 0.9], [1, 0.9], [1, 1], [0, 1]]] }));
    assert.deepEqual(bottomStrip.filter((r) => r.boxes.length > 0).map((r) => r.ptsMs), []);
  });

  it('boxes are normalised 0..1 and aggregated per eventAggregationWindow (PT1S: one signal per second of motion at most)', () => {
    const agg = new MotionAggregator(medium.eventAggregationWindowMs, true);
    const signals: MotionSignal[] = [];
    for (const r of detectAll(bottle, medium)) signals.push(...agg.push(r));
    signals.push(...agg.flush());
    for (const [s, e] of BOTTLE_MOTION) {
      assert.ok(signals.some((x) => x.atMs >= (s - 0.5) * 1000 && x.atMs <= (e + 0.5) * 1000), `no signal in ${s}-${e} s`);
    }
    for (const x of signals) {
      assert.ok(BOTTLE_MOTION.some(([s, e]) => x.atMs >= (s - 0.5) * 1000 && x.atMs <= (e + 0.5) * 1000), `signal at ${x.atMs} ms outside any motion`);
      assert.ok(x.lastMs - x.atMs < 1000 && x.frames >= 1 && x.boxes.length >= x.frames);
      for (const b of x.boxes) {
        assert.ok(b.l >= 0 && b.t >= 0 && b.w > 0 && b.h > 0 && b.l + b.w <= 1 + 1e-9 && b.t + b.h <= 1 + 1e-9, JSON.stringify(b));
      }
    }
    for (let i = 1; i < signals.length; i++) assert.ok(signals[i].atMs - signals[i - 1].atMs >= 1000);
    const perFrame = new MotionAggregator(0, false);
    const n = detectAll(bottle, medium).flatMap((r) => perFrame.push(r)).length;
    assert.ok(n > signals.length * 2, `PT0S gives one signal per motion frame (${n} vs ${signals.length})`);
  });
});
