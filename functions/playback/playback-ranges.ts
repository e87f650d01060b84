import type { TableAvailabilityStore } from '../adapters/table/table-availability-store';
import type { SegmentIndex } from '../../shared/ports/segment-index';
import type { TimeRange } from '../../shared/time-ranges';

/**
 * The stored ranges a playlist for [startMs, endMs) covers, segment-aligned: the merged spans of every segment that
 * overlaps the window, whole (a segment partly inside is included whole, as the playlist includes it).
 *
 * Read from the availability rollup (a few day rows) rather than by scanning every segment row: ranges wholly inside
 * the window are exact as stored. Only the first and last range can reach past the window's edges (or be cut at a
 * day boundary by the rollup read); their outer ends become the start of the segment containing `startMs` and the
 * end of the segment containing `endMs - 1`, found with two short index scans.
 * @returns sorted, disjoint ranges; empty when nothing is stored in the window
 */
export async function playbackRanges(
  deps: { availability: TableAvailabilityStore; segmentIndex: SegmentIndex },
  cameraId: string,
  startMs: number,
  endMs: number,
): Promise<TimeRange[]> {
  const ranges = (await deps.availability.listRanges(cameraId, startMs, endMs)).map((r) => ({ ...r }));
  if (ranges.length === 0) return ranges;
  const first = ranges[0];
  const last = ranges[ranges.length - 1];
  const [atStart, atEnd] = await Promise.all([
    first.startMs <= startMs ? deps.segmentIndex.listSegmentSpans(cameraId, startMs, startMs + 1) : Promise.resolve([]),
    last.endMs >= endMs ? deps.segmentIndex.listSegmentSpans(cameraId, endMs - 1, endMs) : Promise.resolve([]),
  ]);
  if (atStart.length > 0) first.startMs = Math.min(...atStart.map((s) => s.startMs));
  if (atEnd.length > 0) last.endMs = Math.max(...atEnd.map((s) => s.startMs + s.durationMs));
  return ranges;
}
