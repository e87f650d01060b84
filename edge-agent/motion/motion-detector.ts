import { ValidationError } from '../../shared/errors';
import type { MotionParams } from '../../shared/schemas/motion-detection';
import { boxBlur } from './box-blur';
import { changedRegions, type MotionBox } from './changed-regions';
import { matchExposure } from './exposure-match';
import { rasterizeRegions } from './region-mask';

/** One decoded grey frame (ffmpeg `format=gray`, `-f rawvideo`): `data` is row-major, one byte per pixel. */
export interface GrayFrame {
  width: number;
  height: number;
  /** `width * height` grey levels 0..255. */
  data: Uint8Array;
  /** Presentation time, ms (epoch ms UTC on the agent, any monotonic ms in tests). */
  ptsMs: number;
}

/** What one frame showed. */
export interface FrameMotion {
  ptsMs: number;
  /** Regions large enough to count, largest first; empty = no motion. */
  boxes: MotionBox[];
}

/**
 * Frame differencing against a running background, for one camera. Per frame: box blur; the
 * background is re-lit to the frame's exposure (matchExposure), so a global brightness change alone
 * is no motion; a pixel changed when it differs from that background by more than `pixelThreshold`
 * and lies in a zone and outside every mask; changed pixels form regions (changedRegions) and those
 * covering `minimumChangedArea` of the frame are motion. The background then follows the frame with
 * time constant `backgroundTimeConstantMs` (exponential, scaled by the real frame interval, so any fps works).
 * Pure: no I/O, no clock; state is the background only.
 */
export class MotionDetector {
  private background: Float32Array | null = null;
  private active: Uint8Array | null = null;
  private width = 0;
  private height = 0;
  private lastPtsMs = 0;

  constructor(private readonly params: MotionParams) {}

  /**
   * Examines one frame. The first frame (and the first after a size change) only seeds the background.
   * @throws ValidationError when `data` is not `width * height` bytes or ptsMs is not finite
   */
  detect(frame: GrayFrame): FrameMotion {
    const { width, height, data, ptsMs } = frame;
    if (!(width > 0 && height > 0) || data.length !== width * height) {
      throw new ValidationError(`motion: frame of ${width}x${height} needs ${width * height} bytes, got ${data.length}`);
    }
    if (!Number.isFinite(ptsMs)) throw new ValidationError(`motion: frame ptsMs ${ptsMs} is not a number`);
    const p = this.params;
    const blurred = boxBlur(data, width, height, p.blurRadius);
    if (!this.background || width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.active = rasterizeRegions(width, height, p.zones, p.masks);
      this.background = blurred;
      this.lastPtsMs = ptsMs;
      return { ptsMs, boxes: [] };
    }
    const relit = matchExposure(blurred, this.background);
    const changed = new Uint8Array(width * height);
    const active = this.active!;
    for (let i = 0; i < changed.length; i++) {
      if (active[i] && Math.abs(blurred[i] - relit[i]) > p.pixelThreshold) changed[i] = 1;
    }
    const boxes = changedRegions(changed, width, height, p.minimumChangedArea);
    const dt = Math.max(0, ptsMs - this.lastPtsMs);
    const alpha = 1 - Math.exp(-dt / p.backgroundTimeConstantMs);
    for (let i = 0; i < relit.length; i++) relit[i] += alpha * (blurred[i] - relit[i]);
    this.background = relit;
    this.lastPtsMs = ptsMs;
    return { ptsMs, boxes };
  }
}
