import assert from 'node:assert/strict';
import { MotionDetector, type FrameMotion, type GrayFrame } from '../../edge-agent/motion/motion-detector';
import type { MotionParams } from '../../shared/schemas/motion-detection';

/** Folder of the real test clips and their README with the motion timings (test/fixtures/media). */
export { MEDIA_DIR as MEDIA } from '../../testbed/rtsp-server';

/** Seconds, [start, end], as test/fixtures/media/README.md lists them. */
export type Interval = [number, number];

/**
 * Tolerance at the edges of the README's intervals, seconds. The README's timings are accurate to
 * ±0.5 s; the detector lags the scene by up to about half its background time constant (1 s), the
 * time an object that left takes to fade below the pixel threshold (measured ≤ 0.4 s on these clips).
 * So motion intervals are shrunk by 0.5 s at each end and still intervals by 0.5 + 0.5 s.
 */
export const MOTION_EDGE_S = 0.5;
export const STILL_EDGE_S = 1.0;
/** Share of frames inside a (shrunk) motion interval that must show motion: a hand or car can pause for a frame or two. */
export const MOTION_SHARE = 0.6;

/** Runs a fresh detector over the frames. */
export function detectAll(frames: GrayFrame[], params: MotionParams): FrameMotion[] {
  const d = new MotionDetector(params);
  return frames.map((f) => d.detect(f));
}

const inside = (r: FrameMotion, [s, e]: Interval) => r.ptsMs >= s * 1000 && r.ptsMs <= e * 1000;

/** Asserts motion in at least MOTION_SHARE of the frames of each interval, shrunk by MOTION_EDGE_S. */
export function assertMotionIn(results: FrameMotion[], intervals: Interval[], clip: string): void {
  for (const [s, e] of intervals) {
    const frames = results.filter((r) => inside(r, [s + MOTION_EDGE_S, e - MOTION_EDGE_S]));
    assert.ok(frames.length > 0, `${clip} ${s}-${e} s: no frames`);
    const moving = frames.filter((r) => r.boxes.length > 0).length;
    assert.ok(moving >= MOTION_SHARE * frames.length, `${clip}: motion in only ${moving}/${frames.length} frames of ${s}-${e} s`);
  }
}

/**
 * Asserts no motion in any frame of each interval, shrunk by STILL_EDGE_S on the sides next to motion
 * (not at the clip's start, where the background is seeded, nor at its end).
 * @returns how many intervals were long enough to check
 */
export function assertStillIn(results: FrameMotion[], intervals: Interval[], clip: string): number {
  const clipEndS = results.at(-1)!.ptsMs / 1000;
  let checked = 0;
  for (const [s, e] of intervals) {
    const from = s === 0 ? 0 : s + STILL_EDGE_S;
    const to = e >= clipEndS ? e : e - STILL_EDGE_S;
    if (to <= from) continue;
    const moving = results.filter((r) => inside(r, [from, to]) && r.boxes.length > 0).map((r) => r.ptsMs / 1000);
    assert.deepEqual(moving, [], `${clip}: motion during the still ${s}-${e} s at ${moving.join(', ')} s`);
    checked++;
  }
  return checked;
}
