import { ValidationError } from '../errors';
import type { SegmentSpan } from '../ports/segment-index';
import { gapsInWindow, snapToAvailable } from '../snap-range';
import { toIsoDuration } from '../time';
import { mergeRanges, type TimeRange } from '../time-ranges';

/** What one MP4 export reads and writes. Times epoch ms UTC. */
export interface ExportPlan {
  /** The segments to concatenate, sorted, none overlapping (whole segments: each starts on a keyframe). */
  segments: SegmentSpan[];
  /** The requested window snapped to stored media (shared/snap-range.ts); names the file. */
  snapped: TimeRange;
  /** Parts of the requested window with no media (leading, inner, trailing), in order. */
  gaps: TimeRange[];
  /** Sum of the segments' stored bytes (segments the index gave no size count 0). */
  inputBytes: number;
  /**
   * Where to cut the output, ms from its first frame: the media before `snapped.endMs` once gaps are left out (the
   * MP4 timeline has no holes); `undefined` when the last segment ends at `snapped.endMs` (nothing to cut).
   */
  outputDurationMs?: number;
}

/**
 * Plans an MP4 export of [window.startMs, window.endMs) from the segments overlapping it.
 *
 * Trimming is at keyframe granularity at the start: the MP4 begins with the segment containing the start, whose first
 * frame is a keyframe (the recorder cuts segments on keyframes), so it may begin up to one segment early; it ends at
 * `snapped.endMs` (packets from there on are dropped). Gaps are left out of the MP4 timeline and reported.
 * @param window requested half-open range, epoch ms UTC, already validated (end > start, within the duration cap)
 * @param segments playable segments overlapping the window (shared/hls/playable-segments.ts), sorted by start
 * @param maxBytes the byte cap (`KEEPWATCH_EXPORT_MAX_BYTES`)
 * @returns the plan, or `undefined` when no segment overlaps the window
 * @throws ValidationError `ExportTooLarge` when the segments hold more than `maxBytes`
 */
export function planExport(window: TimeRange, segments: readonly SegmentSpan[], maxBytes: number): ExportPlan | undefined {
  const used = segments.filter((s) => s.startMs < window.endMs && s.startMs + s.durationMs > window.startMs);
  const available = mergeRanges(used.map((s) => ({ startMs: s.startMs, endMs: s.startMs + s.durationMs })));
  const snapped = snapToAvailable(window, available);
  if (!snapped || used.length === 0) return undefined;
  const inputBytes = used.reduce((sum, s) => sum + (s.bytes ?? 0), 0);
  if (inputBytes > maxBytes) {
    throw new ValidationError(
      `the export of ${toIsoDuration(window.endMs - window.startMs)} reads ${inputBytes} bytes of segments, more than the maximum ${maxBytes} bytes (KEEPWATCH_EXPORT_MAX_BYTES); export a shorter range`,
      { inputBytes, maxBytes },
      'ExportTooLarge',
    );
  }
  const last = used[used.length - 1];
  const lastEndMs = last.startMs + last.durationMs;
  const mediaBeforeLastMs = used.slice(0, -1).reduce((sum, s) => sum + s.durationMs, 0);
  return {
    segments: used,
    snapped,
    gaps: gapsInWindow(window, available),
    inputBytes,
    outputDurationMs: snapped.endMs < lastEndMs ? mediaBeforeLastMs + (snapped.endMs - last.startMs) : undefined,
  };
}
