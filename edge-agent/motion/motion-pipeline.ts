import type { CameraMotion } from '../../shared/schemas/camera-motion';
import type { Logger } from '../log';
import { MotionAggregator, type MotionSignal } from './motion-aggregator';
import { MotionDetector, type GrayFrame } from './motion-detector';

/** How long a frame may wait for the detector before it is dropped, ms (frames piling up > 2 s worth). */
export const MOTION_QUEUE_MAX_MS = 2000;
/** Hard cap of the queue, seconds of frames (memory bound whatever the clock says). */
const MOTION_QUEUE_HARD_MAX_S = 30;
/** At most one "frames dropped" log line per this many ms. */
const DROP_LOG_INTERVAL_MS = 60_000;

/** Options of {@link MotionPipeline}. */
export interface MotionPipelineOptions {
  cameraId: string;
  motion: CameraMotion;
  logger: Logger;
  /** Receives each motion signal (times epoch ms UTC, the frames' media time). */
  onSignal: (signal: MotionSignal) => void;
  /** Called with the number of frames dropped because the detector fell behind. */
  onDropped?: (frames: number) => void;
  /** Wall clock, epoch ms (swappable for tests). */
  now?: () => number;
}

/**
 * One camera's motion detection: grey frames from the recorder (placed on the UTC timeline) go through a
 * {@link MotionDetector} and a {@link MotionAggregator} (AVA eventAggregationWindow) and come out as MotionSignals.
 *
 * `push` only queues (O(1)), so the recorder keeps reading ffmpeg's frame pipe and a slow detector never stalls the
 * recording (a full pipe would block ffmpeg's whole output loop, segments included). Frames are detected one per
 * event-loop turn; a frame that waited more than 2 s (wall clock) when its turn comes is dropped, counted and logged
 * (at most once a minute), so a detector slower than the frame rate keeps at most 2 s of frames queued; the detector
 * then sees a longer frame interval, which its background update already scales by. Waiting time, not queue length,
 * decides: the recorder releases the frames it held until the session's timeline was anchored in one burst, and those
 * are not late. The queue never holds more than 30 s of frames.
 */
export class MotionPipeline {
  private readonly detector: MotionDetector;
  private readonly aggregator: MotionAggregator;
  private readonly queue: Array<{ frame: GrayFrame; queuedMs: number }> = [];
  private readonly maxQueued: number;
  private readonly now: () => number;
  private scheduled = false;
  private dropped = 0;
  private lastDropLogMs = -Infinity;
  private droppedSinceLog = 0;
  private lastDetectedPtsMs: number | undefined;

  constructor(private readonly opts: MotionPipelineOptions) {
    this.detector = new MotionDetector(opts.motion.params);
    this.aggregator = new MotionAggregator(opts.motion.params.eventAggregationWindowMs, opts.motion.params.outputMotionRegion);
    this.maxQueued = opts.motion.frameRate * MOTION_QUEUE_HARD_MAX_S;
    this.now = opts.now ?? Date.now;
  }

  /** Frames dropped so far because the detector fell behind. */
  get framesDropped(): number {
    return this.dropped;
  }

  /**
   * Media time (epoch ms UTC) before which this pipeline will emit no more signals: the start of the open aggregation
   * window, else just after the last frame examined (frames come in media-time order); undefined before the first
   * frame. The agent sends it with `segment.recorded` so the cloud's gate clock never passes a motion signal still to
   * come (shared/contracts/device-events.ts `signalsThrough`).
   */
  get signalsCompleteBeforeMs(): number | undefined {
    return this.aggregator.openSinceMs ?? (this.lastDetectedPtsMs === undefined ? undefined : this.lastDetectedPtsMs + 1);
  }

  /** Queues one frame (ptsMs = epoch ms UTC). */
  push(frame: GrayFrame): void {
    this.queue.push({ frame, queuedMs: this.now() });
    if (this.queue.length > this.maxQueued) this.drop(this.queue.length - this.maxQueued);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.work());
    }
  }

  /**
   * Detects every queued frame now, then emits the open aggregation window (end of a recording session or stop).
   */
  flush(): void {
    this.work(Infinity);
    for (const s of this.aggregator.flush()) this.opts.onSignal(s);
  }

  /** Drops the `n` oldest queued frames: counted, logged at most once a minute. */
  private drop(n: number): void {
    this.queue.splice(0, n);
    this.dropped += n;
    this.droppedSinceLog += n;
    this.opts.onDropped?.(n);
    const now = this.now();
    if (now - this.lastDropLogMs >= DROP_LOG_INTERVAL_MS) {
      this.opts.logger.warn({ cameraId: this.opts.cameraId, dropped: this.droppedSinceLog, total: this.dropped }, 'motion detector behind: frames dropped');
      this.lastDropLogMs = now;
      this.droppedSinceLog = 0;
    }
  }

  private work(limit = 1): void {
    this.scheduled = false;
    const late = this.now() - MOTION_QUEUE_MAX_MS;
    let stale = 0;
    while (stale < this.queue.length && this.queue[stale].queuedMs < late) stale++;
    if (stale) this.drop(stale);
    for (let i = 0; i < limit && this.queue.length; i++) {
      const { frame } = this.queue.shift()!;
      this.lastDetectedPtsMs = frame.ptsMs;
      let result;
      try {
        result = this.detector.detect(frame);
      } catch (err) {
        this.opts.logger.error({ cameraId: this.opts.cameraId, err }, 'motion frame rejected');
        continue;
      }
      for (const s of this.aggregator.push(result)) this.opts.onSignal(s);
    }
    if (this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.work());
    }
  }
}
