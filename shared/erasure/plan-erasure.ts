import type { RetentionHold } from '../retention/plan-retention';
import { overlaps, type TimeRange } from '../time-ranges';

/** What the erasure plan needs of one stored segment: start (epoch ms UTC), duration (ms). */
export interface ErasureCandidate {
  startMs: number;
  durationMs: number;
}

/** The outcome of {@link planErasure}. Times epoch ms UTC, half-open ranges. */
export interface ErasurePlan<T extends ErasureCandidate> {
  /** Every segment overlapping the requested range, whole, sorted by start (media is never cut). */
  segments: T[];
  /**
   * The range that holds no media once the segments are gone: the requested range widened to the first segment's
   * start and the last segment's end when they reach outside it.
   */
  covered: TimeRange;
  /** Holds overlapping `covered` (the request must be refused: 409), sorted by start then id. */
  conflicts: RetentionHold[];
}

/**
 * Plans the erasure of `range` from one camera's archive (pure).
 *
 * A segment is independently decodable media starting on a keyframe, and Keepwatch never rewrites stored media (codec
 * copy end to end), so a segment partly inside the range is erased whole: the covered range can reach up to one
 * segment beyond each end of the requested one. Holds are checked against the covered range, not the requested one, so
 * that a segment reaching into a held range is never erased; a hold of a recording (`rec-{id}`,
 * shared/recording-hold.ts) is a hold like any other here.
 * @param range requested half-open range, end > start
 * @param segments the camera's segments overlapping `range` (SegmentIndex.listSegmentSpans), any order
 * @param holds the camera's holds, any order
 */
export function planErasure<T extends ErasureCandidate>(range: TimeRange, segments: readonly T[], holds: readonly RetentionHold[]): ErasurePlan<T> {
  const sorted = segments.filter((s) => s.startMs < range.endMs && s.startMs + s.durationMs > range.startMs).sort((a, b) => a.startMs - b.startMs);
  const covered: TimeRange = {
    startMs: Math.min(range.startMs, ...sorted.map((s) => s.startMs)),
    endMs: Math.max(range.endMs, ...sorted.map((s) => s.startMs + s.durationMs)),
  };
  const conflicts = holds
    .filter((h) => overlaps(h, covered))
    .sort((a, b) => a.startMs - b.startMs || ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
  return { segments: sorted, covered, conflicts };
}
