import { recordingHoldId } from '../recording-hold';
import type { RetentionRule } from '../schemas/recording-policy';
import { mergeRanges, type TimeRange } from '../time-ranges';

/** What the plan needs of one stored segment: start (epoch ms UTC), duration (ms), size (bytes). */
export interface RetentionCandidate {
  startMs: number;
  durationMs: number;
  bytes: number;
}

/** What the plan needs of one EVR recording row: its API id and its window [startMs, endMs), epoch ms UTC. */
export interface RetentionRecording {
  id: string;
  startMs: number;
  endMs: number;
}

/** A held range; `id` lets the plan recognise a recording's own hold `rec-{recordingId}` (shared/recording-hold.ts). */
export type RetentionHold = TimeRange & { id?: string };

/** Why a segment goes. */
export type RetentionCause = 'age' | 'size';

/** The outcome of {@link planRetention}; segment and recording lists keep the input's objects, oldest first. */
export interface RetentionPlan<T extends RetentionCandidate, R extends RetentionRecording = RetentionRecording> {
  /**
   * Segments that ended at or before `nowMs - recordingsMs` (when they overlap a recording) or `nowMs - archiveMs`
   * (when they overlap none), and overlap no hold.
   */
  byAge: T[];
  /** Further segments, oldest first, removed so the archive fits `maximumSizeBytes`; none without a cap. */
  bySize: T[];
  /** Segments that would have gone but overlap a hold (by age or by size). */
  held: number;
  /** Bytes of the segments that stay. */
  keptBytes: number;
  /** False when held segments alone keep the archive above its cap (nothing else left to delete). */
  sizeCapMet: boolean;
  /** Recording rows to delete: window ended at or before `nowMs - recordingsMs`, not held, no staying segment overlaps. */
  recordingsExpired: R[];
  /** Recording rows that would have gone but are held (their hold `rec-{id}`, or a hold overlapping their window). */
  recordingsHeld: number;
}

/**
 * Decides which segments of one camera's archive, and which of its EVR recording rows, retention deletes (pure; the
 * caller passes `nowMs`).
 *
 * - Age: a segment expires when its END is at or before `nowMs - rule.recordingsMs` if it overlaps any recording
 *   (half-open windows), else `nowMs - rule.archiveMs`, so no expired segment still holds media younger than its
 *   retention (AVA `retentionPeriod`, docs/reference/ava-behaviour.md "Playback": whole days, per segment, the rest of
 *   the archive stays playable). AVA kept EVR clips in a video resource of their own with its own retention; Keepwatch
 *   keeps one archive, so the recordings' retention is applied per segment. The same rule serves CVR with signal
 *   recordings (policy `cvr.signalRecordings`, Frigate's default: 24/7 with a short archive retention, event windows
 *   kept longer): the continuous archive goes after `archiveMs` except the segments inside a signal gate window (a
 *   recording row younger than `recordingsMs`) or a hold, which stay until `recordingsMs`.
 * - Size: when `rule.maximumSizeBytes` is set and the bytes left after the age pass exceed it, the oldest segments go
 *   until the rest fits, recording or not (AVA's file sink `maximumSizeMiB`: "its oldest files are deleted",
 *   docs/reference/ava-behaviour.md "Nodes").
 * - Holds: a segment overlapping any hold (half-open ranges) is never planned, by age or by size; it still counts
 *   toward the size, so a cap can stay unmet (`sizeCapMet: false`).
 * - Recording rows: one expires when its window ends at or before `nowMs - rule.recordingsMs`, unless it is held (the
 *   hold `rec-{id}` or any hold overlapping its window) or a segment that stays overlaps it. The last condition
 *   keeps a row as long as media it covers is stored (a segment reaching past the window's end expires up to one
 *   segment later than the row would); the caller deletes the rows after the segments, so no row points at deleted
 *   media for longer than one run. The size cap never deletes rows.
 * @param segments one camera's segments in any order; must include every segment overlapping a recording whose
 *   window ended at or before `nowMs - rule.recordingsMs`
 * @param holds the camera's held ranges, any order, may overlap
 * @param recordings the camera's recording rows that overlap any segment in `segments` or may expire, any order
 */
export function planRetention<T extends RetentionCandidate, R extends RetentionRecording = RetentionRecording>(
  segments: readonly T[],
  holds: readonly RetentionHold[],
  rule: RetentionRule,
  nowMs: number,
  recordings: readonly R[] = [],
): RetentionPlan<T, R> {
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs);
  const heldRanges = mergeRanges(holds);
  const recordingRanges = mergeRanges(recordings);
  const isHeld = (s: T) => overlapsAny(heldRanges, s.startMs, s.startMs + s.durationMs);
  const archiveCutoffMs = nowMs - rule.archiveMs;
  const recordingsCutoffMs = nowMs - rule.recordingsMs;
  const isExpired = (s: T) => {
    const endMs = s.startMs + s.durationMs;
    return endMs <= (overlapsAny(recordingRanges, s.startMs, endMs) ? recordingsCutoffMs : archiveCutoffMs);
  };
  const byAge: T[] = [];
  const kept: T[] = [];
  let held = 0;
  for (const s of sorted) {
    if (isExpired(s)) {
      if (isHeld(s)) {
        held++;
        kept.push(s);
      } else byAge.push(s);
    } else kept.push(s);
  }
  let keptBytes = kept.reduce((sum, s) => sum + s.bytes, 0);
  const bySize: T[] = [];
  const sizeDeleted = new Set<T>();
  const cap = rule.maximumSizeBytes;
  if (cap !== undefined) {
    for (const s of kept) {
      if (keptBytes <= cap) break;
      if (isHeld(s)) {
        // Counted once: a segment already counted as held by age is not counted again.
        if (!isExpired(s)) held++;
        continue;
      }
      bySize.push(s);
      sizeDeleted.add(s);
      keptBytes -= s.bytes;
    }
  }

  const staying = mergeRanges(kept.filter((s) => !sizeDeleted.has(s)).map((s) => ({ startMs: s.startMs, endMs: s.startMs + s.durationMs })));
  const recordingsExpired: R[] = [];
  let recordingsHeld = 0;
  const holdIds = new Set(holds.map((h) => h.id).filter((id) => id !== undefined));
  for (const r of [...recordings].sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1))) {
    if (r.endMs > recordingsCutoffMs) continue;
    if (holdIds.has(recordingHoldId(r.id)) || overlapsAny(heldRanges, r.startMs, r.endMs)) recordingsHeld++;
    else if (!overlapsAny(staying, r.startMs, r.endMs)) recordingsExpired.push(r);
  }
  return { byAge, bySize, held, keptBytes, sizeCapMet: cap === undefined || keptBytes <= cap, recordingsExpired, recordingsHeld };
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
