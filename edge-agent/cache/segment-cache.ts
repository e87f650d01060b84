import { rmSync } from 'node:fs';
import type { Logger } from '../log';
import type { RecordedSegment } from '../segments/recorded-segment';

/**
 * The agent's cache of complete segments not yet uploaded (and acknowledged), bounded by
 * `localMediaCacheMaximumSizeMiB` (docs/reference/ava-behaviour.md "Resilient recording": when full, the oldest data
 * goes first). Byte accounting counts complete segments only: the cap can be exceeded by the segments ffmpeg is
 * still writing, one per camera.
 */
export class SegmentCache {
  private readonly segments = new Map<string, RecordedSegment>();
  private bytes = 0;

  /**
   * @param maxBytes cap in bytes
   * @param onEvict called for each segment removed to respect the cap (data lost: the caller logs
   *   and reports it)
   * @param keepRank eviction priority (docs/contracts.md "EVR on the agent", eviction): segments of a lower rank go
   *   first, oldest first within a rank; the default ranks all alike (0), as CVR needs. EVR ranks segments inside a
   *   commanded upload window above the others (edge-agent/evr/evr-controller.ts).
   */
  constructor(
    private readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly onEvict: (seg: RecordedSegment) => void = () => {},
    private readonly keepRank: (seg: RecordedSegment) => number = () => 0,
  ) {}

  /** Bytes of complete segments held. */
  get totalBytes(): number {
    return this.bytes;
  }

  /** Number of segments held. */
  get size(): number {
    return this.segments.size;
  }

  /**
   * Adds a complete segment, then evicts the oldest (by start time, any camera) until the cache
   * fits its cap again; `inUse` segments (being uploaded) are evicted last.
   * @returns the evicted segments (possibly including `seg` itself when it alone exceeds the cap)
   */
  add(seg: RecordedSegment, inUse: (seg: RecordedSegment) => boolean = () => false): RecordedSegment[] {
    this.segments.set(seg.path, seg);
    this.bytes += seg.bytes;
    const evicted: RecordedSegment[] = [];
    while (this.bytes > this.maxBytes && this.segments.size) evicted.push(this.evictOne(inUse, 'cache full: oldest segment evicted before upload'));
    return evicted;
  }

  /**
   * Evicts up to `count` of the oldest segments (those `inUse` last) to free disk space when the disk
   * is full below the cap.
   * @returns the evicted segments
   */
  evictOldest(count: number, inUse: (seg: RecordedSegment) => boolean = () => false): RecordedSegment[] {
    const evicted: RecordedSegment[] = [];
    while (evicted.length < count && this.segments.size) evicted.push(this.evictOne(inUse, 'disk full: oldest segment evicted before upload'));
    return evicted;
  }

  private evictOne(inUse: (seg: RecordedSegment) => boolean, why: string): RecordedSegment {
    // inUse (uploading) ranks above everything; then keepRank; then oldest first.
    const rank = (s: RecordedSegment) => (inUse(s) ? Number.MAX_SAFE_INTEGER : this.keepRank(s));
    const all = [...this.segments.values()].map((s) => ({ s, r: rank(s) })).sort((a, b) => a.r - b.r || a.s.startMs - b.s.startMs);
    const victim = all[0].s;
    this.remove(victim);
    this.logger.error({ cameraId: victim.cameraId, segmentStartMs: victim.startMs, bytes: victim.bytes, cacheBytes: this.bytes, maxCacheBytes: this.maxBytes }, why);
    this.onEvict(victim);
    return victim;
  }

  /** The held segment that starts first (the next to upload, CVR), or undefined when empty. */
  oldest(): RecordedSegment | undefined {
    let oldest: RecordedSegment | undefined;
    for (const s of this.segments.values()) if (!oldest || s.startMs < oldest.startMs) oldest = s;
    return oldest;
  }

  /** Every held segment, oldest first. */
  list(): RecordedSegment[] {
    return [...this.segments.values()].sort((a, b) => a.startMs - b.startMs);
  }

  /** True while `seg` is held. */
  has(seg: RecordedSegment): boolean {
    return this.segments.has(seg.path);
  }

  /** Drops a segment and deletes its file (after its upload was acknowledged, or on eviction). */
  remove(seg: RecordedSegment): void {
    if (!this.segments.delete(seg.path)) return;
    this.bytes -= seg.bytes;
    try {
      rmSync(seg.path, { force: true });
    } catch (err) {
      this.logger.warn({ file: seg.path, err }, 'could not delete a cached segment file');
    }
  }
}
