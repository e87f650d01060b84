import type { SignalRecord } from '../contracts/signals';

/** Most signals one listing page returns (`GET /api/cameras/{cameraId}/signals`, `limit` ≤ this). */
export const SIGNALS_PAGE_MAX = 1000;

/** One page of a camera's signals: sorted by media time (then by id hash), `continuation` set when more follow. */
export interface SignalPage {
  signals: SignalRecord[];
  /** Opaque; pass it back as `after` to read the next page. Absent on the last page. */
  continuation?: string;
}

/**
 * The signals of cameras that record by signals (EVR, CVR signal recordings), as they reached the cloud (device,
 * MQTT or HTTP), with their boxes, labels and properties. Implemented on Table Storage by
 * functions/adapters/table/table-signal-store.ts.
 */
export interface SignalStore {
  /**
   * Stores signals, idempotently on (camera, id): a redelivered signal rewrites the same row.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  upsert(signals: readonly SignalRecord[]): Promise<void>;
  /**
   * The camera's signals whose media time `atMs` lies in [startMs, endMs), oldest first, at most `limit`.
   * @param after a previous page's `continuation`
   * @throws ValidationError `InvalidContinuation` when `after` is not one this store made
   */
  list(cameraId: string, range: { startMs: number; endMs: number }, limit: number, after?: string): Promise<SignalPage>;
  /**
   * Deletes the camera's signals with media time before `beforeMs` (retention).
   * @returns how many rows this call deleted
   */
  removeBefore(cameraId: string, beforeMs: number): Promise<number>;
  /**
   * Deletes the camera's signals with media time in [startMs, endMs) (epoch ms UTC; erasure on demand).
   * @returns how many rows this call deleted
   */
  removeRange(cameraId: string, range: { startMs: number; endMs: number }): Promise<number>;
}
