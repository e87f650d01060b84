import type { SegmentRecord } from '../contracts/device-events';

/** What playback needs of one stored segment (epoch ms UTC, ms). */
export interface SegmentSpan {
  startMs: number;
  durationMs: number;
  blobName: string;
  /** Stored size of the segment blob, bytes, when the index read it (MP4 export caps its input with it). */
  bytes?: number;
}

/** A span with its size, for retention (bytes of the stored blob). */
export interface SegmentSize extends SegmentSpan {
  bytes: number;
}

/**
 * The segment index (docs/contracts.md "Index"): one row per stored segment, keyed for range scans.
 * Implemented on Table Storage by functions/adapters/table/table-segment-index.ts.
 */
export interface SegmentIndex {
  /**
   * Writes one row per segment, keyed by camera + start. Idempotent: the same records give the same rows,
   * in any order and any number of times.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  upsertSegments(segments: readonly SegmentRecord[]): Promise<void>;
  /**
   * Segments of one camera that overlap [startMs, endMs) — including one that began before `startMs` and reaches
   * into the range — sorted by start.
   * @param onPage called with each page of spans as it arrives (in no particular order), so a caller can work on
   *   them while the rest is still being read
   */
  listSegmentSpans(cameraId: string, startMs: number, endMs: number, onPage?: (spans: readonly SegmentSpan[]) => void): Promise<SegmentSpan[]>;
  /**
   * Segments of one camera that overlap [startMs, endMs), with their sizes, sorted by start (retention's scan).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  listSegmentSizes(cameraId: string, startMs: number, endMs: number): Promise<SegmentSize[]>;
  /**
   * Whole rows of the segments of one camera that START in [startMs, endMs) (no look-back), sorted by start: what the
   * asset manifest of an hour lists (functions/manifests/write-hour-manifest.ts).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  listSegmentRecords(cameraId: string, startMs: number, endMs: number): Promise<SegmentRecord[]>;
  /**
   * Starts (epoch ms UTC) of the camera's segments that START in [startMs, endMs), sorted, at most about `maxRows`
   * (whole pages are kept, so a few more may come): the walk of the manifests backfill over an archive indexed before
   * manifests (functions/manifests/backfill-hours.ts). Any number of day partitions, read in one ranged query.
   * @returns `complete` false when rows may remain after the last start returned
   * @throws TransientError when storage fails in a way a retry may fix
   */
  listSegmentStarts(cameraId: string, startMs: number, endMs: number, maxRows: number): Promise<{ startsMs: number[]; complete: boolean }>;
  /**
   * Deletes the rows of the camera's segments starting at `startsMs`. Idempotent: a row already gone is skipped, not
   * an error.
   * @returns rows that existed and were deleted
   * @throws TransientError when storage fails in a way a retry may fix
   */
  deleteSegments(cameraId: string, startsMs: readonly number[]): Promise<number>;
}
