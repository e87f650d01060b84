import type { MotionBox } from './changed-regions';
import type { FrameMotion } from './motion-detector';

/**
 * One motion signal, ready to publish as a `signal` event and to feed the signal gate.
 * AVA emitted the same information as an `Analytics.Inference` event,
 * `{ inferences: [{ type: 'motion', motion: { box: { l, t, w, h } } }] }` (docs/reference/ava-behaviour.md "Events").
 * Publish it with a deterministic id, e.g. `motion-{cameraId}-{atMs}`, so that a republish is the same
 * signal to the gate (shared/evr/signal-gate.ts drops repeated ids).
 */
export interface MotionSignal {
  /** pts of the first frame with motion in the window, ms: the signal's media time. */
  atMs: number;
  /** pts of the last frame with motion in the window, ms. */
  lastMs: number;
  /** Number of frames with motion in the window. */
  frames: number;
  /** Every region seen in the window, largest first per frame (empty when outputMotionRegion is false). */
  boxes: MotionBox[];
}

/**
 * AVA's `eventAggregationWindow`: motion frames within one window, counted from the first motion
 * frame, become one signal, emitted when a frame at or after the window's end arrives (or on flush).
 * A window of 0 emits one signal per motion frame. Frames without motion never start a window.
 */
export class MotionAggregator {
  private current: MotionSignal | null = null;

  /**
   * @param windowMs eventAggregationWindow in ms, ≥ 0
   * @param withBoxes AVA's outputMotionRegion
   */
  constructor(
    private readonly windowMs: number,
    private readonly withBoxes: boolean,
  ) {}

  /** Adds one frame's result; returns the signals that closed (0 or 1, 2 with a zero window). */
  push(frame: FrameMotion): MotionSignal[] {
    const out: MotionSignal[] = [];
    if (this.current && frame.ptsMs >= this.current.atMs + this.windowMs) out.push(...this.flush());
    if (frame.boxes.length === 0) return out;
    if (!this.current) this.current = { atMs: frame.ptsMs, lastMs: frame.ptsMs, frames: 0, boxes: [] };
    this.current.lastMs = frame.ptsMs;
    this.current.frames++;
    if (this.withBoxes) this.current.boxes.push(...frame.boxes);
    if (this.windowMs === 0) out.push(...this.flush());
    return out;
  }

  /** Media time of the first frame of the open window (the next signal's `atMs`), or undefined when none is open. */
  get openSinceMs(): number | undefined {
    return this.current?.atMs;
  }

  /** Emits the open window, if any (end of stream, camera stopped). */
  flush(): MotionSignal[] {
    const c = this.current;
    this.current = null;
    return c ? [c] : [];
  }
}
