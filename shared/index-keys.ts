import { assertId } from './ids';
import { DAY_MS, startOfUtcDay, utcDay } from './time';

/**
 * Table keys of the segment index (docs/contracts.md "Index"): PartitionKey = camera + UTC day
 * (`cam1_2026-11-21`), RowKey = segment start as 13-digit zero-padded epoch ms, so lexical order is
 * chronological and a day is one partition scan. `_` cannot occur in a camera id, so keys are unambiguous.
 */
export function segmentPartitionKey(cameraId: string, ms: number): string {
  return `${assertId('camera', cameraId)}_${utcDay(ms)}`;
}

/** RowKey for a segment starting at `startMs` (epoch ms ≥ 0). */
export function segmentRowKey(startMs: number): string {
  return String(startMs).padStart(13, '0');
}

/**
 * The day partitions to scan for segments that may overlap [startMs, endMs): every UTC day from the
 * one holding `startMs - maxSegmentMs` (a segment that began before the range can reach into it)
 * to the one holding `endMs - 1`.
 * @returns `{ partitionKey, fromRowKey, toRowKey }` per day, row keys as a half-open interval
 */
export function segmentScanPlan(
  cameraId: string,
  startMs: number,
  endMs: number,
  maxSegmentMs: number,
): Array<{ partitionKey: string; fromRowKey: string; toRowKey: string }> {
  const from = Math.max(0, startMs - maxSegmentMs);
  const plan: Array<{ partitionKey: string; fromRowKey: string; toRowKey: string }> = [];
  for (let day = startOfUtcDay(from); day < endMs; day += DAY_MS) {
    plan.push({
      partitionKey: segmentPartitionKey(cameraId, day),
      fromRowKey: segmentRowKey(Math.max(from, day)),
      toRowKey: segmentRowKey(Math.min(endMs, day + DAY_MS)),
    });
  }
  return plan;
}

/**
 * RowKey of an archive hour's row in the manifests table (`kwManifests`, PartitionKey = camera id): the hour's start
 * as `yyyy-MM-ddTHH` (`2026-11-21T10`), so lexical order is chronological and a day of hours is one RowKey range.
 * @param ms any instant of the hour, epoch ms UTC
 */
export function hourRowKey(ms: number): string {
  return new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().slice(0, 13);
}
