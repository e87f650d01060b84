import { availableMediaRanges, type AvailableMediaRange } from '../../shared/availability/available-media-ranges';
import { resolveAvailableMediaWindow, type AvailableMediaQuery } from '../../shared/availability/available-media-query';
import { bucketIndex, bucketStartMs } from '../../shared/availability/calendar-buckets';
import type { TableAvailabilityStore } from '../adapters/table/table-availability-store';
import { DAY_MS } from '../../shared/time';
import type { TimeRange } from '../../shared/time-ranges';

/**
 * Answers one validated availableMedia query from the availability rollup (one row per camera and UTC day), reading
 * as few rows as each precision allows; the window is first clipped to the camera's recorded span, so years or
 * months before the first or after the last recording cost nothing.
 *
 * | precision | reads | rows read (at most) |
 * |---|---|---|
 * | full | the day rows the ≤ 25 h window touches, ranges decoded and merged across midnight | 3 |
 * | day | key-only rows of the recorded days in the ≤ 32-day window | 32 |
 * | month | per month, a `$top=1` key-only query for its first recorded day | 13 |
 * | year | per year inside the recorded span, a `$top=1` key-only query | 1 per recorded year |
 *
 * @param recorded the camera's [first segment start, last segment end), epoch ms UTC (its camera row)
 * @returns AVA's `timeRanges` (shared/availability/available-media-ranges.ts); empty when nothing is stored
 * @throws TransientError when storage fails in a way a retry may fix
 */
export async function readAvailableMedia(
  availability: TableAvailabilityStore,
  cameraId: string,
  query: AvailableMediaQuery,
  recorded: TimeRange,
): Promise<AvailableMediaRange[]> {
  const window = resolveAvailableMediaWindow(query, recorded);
  if (!window) return [];
  const { precision } = query;
  if (precision === 'full') {
    return availableMediaRanges('full', await availability.listRanges(cameraId, window.startMs, window.endMs), window);
  }
  if (precision === 'day') {
    const days = await availability.listRecordedDays(cameraId, window.startMs, window.endMs);
    return availableMediaRanges('day', days.map(wholeDay), window);
  }
  // Month and year: one probe per bucket; the first recorded day found stands for its bucket.
  const probes: Array<Promise<number | undefined>> = [];
  for (let i = bucketIndex(precision, window.startMs); i <= bucketIndex(precision, window.endMs - 1); i++) {
    const startMs = Math.max(bucketStartMs(precision, i), window.startMs);
    const endMs = Math.min(bucketStartMs(precision, i + 1), window.endMs);
    probes.push(availability.firstRecordedDay(cameraId, startMs, endMs));
  }
  const days = (await Promise.all(probes)).filter((d): d is number => d !== undefined);
  return availableMediaRanges(precision, days.map(wholeDay), window);
}

function wholeDay(dayStartMs: number): TimeRange {
  return { startMs: dayStartMs, endMs: dayStartMs + DAY_MS };
}
