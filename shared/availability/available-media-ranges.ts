import { clipRanges, mergeRanges, type TimeRange } from '../time-ranges';
import { toIso } from '../time';
import type { AvailableMediaPrecision } from './available-media-query';
import { bucketIndex, bucketLabel } from './calendar-buckets';

/** One entry of `timeRanges` in the availableMedia answer; both ends inclusive, formatted per precision. */
export interface AvailableMediaRange {
  start: string;
  end: string;
}

/**
 * Turns stored ranges into AVA's availableMedia `timeRanges` for one precision.
 *
 * - full: the ranges clipped to the window, touching ranges joined (so ranges that meet at UTC midnight, read from
 *   two day rows, are one range), every hole kept as a split however short; `YYYY-MM-DDThh:mm:ss.sssZ`.
 * - year, month, day: every UTC bucket that holds at least one stored instant inside the window; consecutive
 *   buckets join into one range, a bucket without media splits them; `start` and `end` are the first and last
 *   bucket's labels (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), both inclusive.
 *
 * Ranges outside the window are dropped silently (AVA clips rather than failing).
 * @param ranges half-open [startMs, endMs) spans of stored media, epoch ms UTC, in any order; for the calendar
 *   precisions any span inside a bucket is enough evidence (e.g. one recorded day standing for its month)
 * @param window half-open [startMs, endMs), epoch ms UTC
 * @returns sorted, disjoint ranges; empty when nothing is stored in the window
 * Source: AVA availableMedia, docs/reference/ava-behaviour.md "Playback" (formats, inclusive ends, clipping,
 * discontinuities).
 */
export function availableMediaRanges(
  precision: AvailableMediaPrecision,
  ranges: Iterable<TimeRange>,
  window: TimeRange,
): AvailableMediaRange[] {
  const inWindow = clipRanges(mergeRanges(ranges), window.startMs, window.endMs);
  if (precision === 'full') return inWindow.map((r) => ({ start: toIso(r.startMs), end: toIso(r.endMs) }));

  // Runs of consecutive bucket indexes; ranges are sorted and disjoint, so runs only grow at their end.
  const runs: Array<{ first: number; last: number }> = [];
  for (const r of inWindow) {
    const first = bucketIndex(precision, r.startMs);
    const last = bucketIndex(precision, r.endMs - 1); // endMs is exclusive: a range ending at midnight stops the day before
    const run = runs[runs.length - 1];
    if (run && first <= run.last + 1) run.last = Math.max(run.last, last);
    else runs.push({ first, last });
  }
  return runs.map((run) => ({ start: bucketLabel(precision, run.first), end: bucketLabel(precision, run.last) }));
}
