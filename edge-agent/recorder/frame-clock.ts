/**
 * Places the frames of one decoded ffmpeg output (fps filter: exactly one frame every `intervalMs` of media time,
 * starting at the first decoded frame) on the UTC timeline: frame n is at `baseMs + n × intervalMs`, where `baseMs`
 * is the UTC time of the session's first video packet (SegmentTimeline anchor + its muxer time). The fps filter
 * rounds the first frame to its grid, so a frame time is within ½ interval of the picture's own time.
 *
 * Frames that come before the base is known are held (at most `maxHeld`, the oldest dropped beyond), then released in
 * order. A new base (the timeline re-anchored after camera clock drift) applies to the frames that follow. Pure.
 */
export class FrameClock<T> {
  private baseMs: number | undefined;
  private next = 0;
  private readonly held: Array<{ item: T; index: number }> = [];

  /**
   * @param intervalMs media time between frames, ms (1000 / fps)
   * @param maxHeld most frames held while the base is unknown
   * @param onTimed receives each frame with its UTC time (epoch ms), in order
   */
  constructor(
    private readonly intervalMs: number,
    private readonly maxHeld: number,
    private readonly onTimed: (item: T, atMs: number) => void,
  ) {}

  /** True once a base was set. */
  get anchored(): boolean {
    return this.baseMs !== undefined;
  }

  /** Frames held, waiting for the base. */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Adds the next frame of the output.
   * @returns how many held frames were dropped to stay within `maxHeld` (0 or 1)
   */
  add(item: T): number {
    const index = this.next++;
    if (this.baseMs !== undefined) {
      this.onTimed(item, Math.round(this.baseMs + index * this.intervalMs));
      return 0;
    }
    this.held.push({ item, index });
    if (this.held.length <= this.maxHeld) return 0;
    this.held.shift();
    return 1;
  }

  /** Sets (or moves) the base, epoch ms UTC of frame 0, and releases the held frames. */
  setBase(baseMs: number): void {
    this.baseMs = baseMs;
    for (const { item, index } of this.held.splice(0)) this.onTimed(item, Math.round(baseMs + index * this.intervalMs));
  }
}
