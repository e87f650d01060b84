import type { SegmentRecord } from '../contracts/device-events';
import type { TimeRange } from '../time-ranges';

/**
 * The availability rollup (docs/contracts.md "Index"): per camera and UTC day, the merged ranges of every stored
 * segment, so availability over a month never scans every segment. Implemented on Table Storage by
 * functions/adapters/table/table-availability-store.ts.
 */
export interface AvailabilityStore {
  /**
   * Merges the segments' spans into their days' ranges. Idempotent: merging a known segment changes nothing.
   * @throws TransientError when storage fails, or concurrent writers keep winning, in a way a retry may fix
   * @throws ValidationError `AvailabilityRollupFull` when a day would hold more ranges than one row can
   */
  mergeSegments(segments: readonly Pick<SegmentRecord, 'cameraId' | 'startMs' | 'durationMs'>[]): Promise<void>;
  /**
   * Stored ranges that overlap [startMs, endMs), merged across midnight, sorted. Only the UTC days touching the
   * window are read, so a range that began on an earlier day starts at that first day's midnight here.
   */
  listRanges(cameraId: string, startMs: number, endMs: number): Promise<TimeRange[]>;
  /**
   * The UTC days touching [startMs, endMs) that hold stored media, as epoch ms of each day's 00:00:00.000 UTC,
   * sorted. Reads one key-only row per recorded day (no ranges are decoded): 31 rows for a recorded month.
   */
  listRecordedDays(cameraId: string, startMs: number, endMs: number): Promise<number[]>;
  /**
   * The first UTC day touching [startMs, endMs) that holds stored media (epoch ms of its midnight), or `undefined`.
   * Reads at most one key-only row, whatever the span, so "does this month/year hold media" costs one row.
   */
  firstRecordedDay(cameraId: string, startMs: number, endMs: number): Promise<number | undefined>;
  /**
   * Recomputes one day row after segments were deleted (retention): reads the row's version, calls `currentRanges`
   * (the ranges of the segments still indexed, e.g. from an index scan), clips them to the day and writes them only if
   * the row did not change meanwhile, else repeats; a day left without ranges loses its row. Reading the version
   * before the scan makes a concurrent ingest safe: ingest writes index rows before merging the rollup, so either the
   * scan sees its segment or the conditional write fails and the scan is repeated.
   * @param dayStartMs 00:00:00.000 UTC of the day, epoch ms
   * @throws TransientError when storage fails, or concurrent writers keep winning
   */
  rewriteDay(cameraId: string, dayStartMs: number, currentRanges: () => Promise<TimeRange[]>): Promise<void>;
}
