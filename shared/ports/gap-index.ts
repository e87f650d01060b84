import type { GapRecord } from '../contracts/device-events';

/** One gap as playback and availability see it (epoch ms UTC, [startMs, endMs)). */
export type GapSpan = Pick<GapRecord, 'startMs' | 'endMs' | 'cause'>;

/**
 * The gap index (docs/contracts.md "Index"): one row per reported gap of a camera's timeline, with its cause.
 * Implemented on Table Storage by functions/adapters/table/table-gap-index.ts.
 */
export interface GapIndex {
  /**
   * Writes one row per gap, keyed by camera + start. Idempotent: the same records give the same rows, in any order
   * and any number of times (of two gaps with one start, the longer is kept).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  upsertGaps(gaps: readonly GapRecord[]): Promise<void>;
  /** Gaps of one camera that overlap [startMs, endMs), sorted by start. */
  listGaps(cameraId: string, startMs: number, endMs: number): Promise<GapSpan[]>;
}
