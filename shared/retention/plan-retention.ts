import type { RetentionRule } from '../schemas/recording-policy';
import { mergeRanges, type TimeRange } from '../time-ranges';

/** What the plan needs of one stored segment: start (epoch ms UTC), duration (ms), size (bytes). */
export interface RetentionCandidate {
  startMs: number;
  durationMs: number;
  bytes: number;
}

/** Why a segment goes. */
export type RetentionCause = 'age' | 'size';

/** The outcome of {@link planRetention}; segment lists keep the input's objects, oldest first. */
export interface RetentionPlan<T extends RetentionCandidate> {
  /** Segments that ended at or before `nowMs - archiveMs` and overlap no hold. */
  byAge: T[];
  /** Further segments, oldest first, removed so the archive fits `maximumSizeBytes`; none without a cap. */
  bySize: T[];
  /** Segments that would have gone but overlap a hold (by age or by size). */
  held: number;
  /** Bytes of the segments that stay. */
  keptBytes: number;
  /** False when held segments alone keep the archive above its cap (nothing else left to delete). */
  sizeCapMet: boolean;
}

/**
 * Decides which segments of one camera's archive retention deletes (pure; the caller passes `nowMs`).
 *
 * - Age: a segment expires when its END is at or before `nowMs - rule.archiveMs`, so no expired segment still holds
 *   media younger than the retention (AVA `retentionPeriod`, azure-lva-ava.md §4: whole days, per segment, the rest of
 *   the archive stays playable, §5).
 * - Size: when `rule.maximumSizeBytes` is set and the bytes left after the age pass exceed it, the oldest segments go
 *   until the rest fits (AVA's file sink `maximumSizeMiB`: "its oldest files are deleted", azure-lva-ava.md §2).
 * - Holds: a segment overlapping any hold (half-open ranges) is never planned, by age or by size; it still counts
 *   toward the size, so a cap can stay unmet (`sizeCapMet: false`).
 * @param segments one camera's segments in any order
 * @param holds the camera's held ranges, any order, may overlap
 */
export function planRetention<T extends RetentionCandidate>(
  segments: readonly T[],
  holds: readonly TimeRange[],
  rule: RetentionRule,
  nowMs: number,
): RetentionPlan<T> {
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs);
  const heldRanges = mergeRanges(holds);
  const isHeld = (s: T) => overlapsAny(heldRanges, s.startMs, s.startMs + s.durationMs);
  const cutoffMs = nowMs - rule.archiveMs;
  const byAge: T[] = [];
  const kept: T[] = [];
  let held = 0;
  for (const s of sorted) {
    if (s.startMs + s.durationMs <= cutoffMs) {
      if (isHeld(s)) {
        held++;
        kept.push(s);
      } else byAge.push(s);
    } else kept.push(s);
  }
  let keptBytes = kept.reduce((sum, s) => sum + s.bytes, 0);
  const bySize: T[] = [];
  const cap = rule.maximumSizeBytes;
  if (cap !== undefined) {
    for (const s of kept) {
      if (keptBytes <= cap) break;
      if (isHeld(s)) {
        // Counted once: a segment already counted as held by age is not counted again.
        if (s.startMs + s.durationMs > cutoffMs) held++;
        continue;
      }
      bySize.push(s);
      keptBytes -= s.bytes;
    }
  }
  return { byAge, bySize, held, keptBytes, sizeCapMet: cap === undefined || keptBytes <= cap };
}

/** True when [startMs, endMs) overlaps one of `ranges` (sorted, disjoint): binary search for the first range ending after startMs. */
function overlapsAny(ranges: readonly TimeRange[], startMs: number, endMs: number): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].endMs <= startMs) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo].startMs < endMs;
}
