import type { EvrMemory, OutboxEntry } from './recording-plan';

/**
 * One camera's EVR gate row: the device that owns the camera, the signal gate's state with what the cloud remembers
 * beside it (pending signal infos, the open recording), and the OUTBOX of decisions whose effects (recordings row,
 * upload-window command, lifecycle events) are not yet known to be applied.
 */
export interface GateRow {
  cameraId: string;
  /** The device of the camera's latest device event (commands go to it). */
  deviceId: string;
  memory: EvrMemory;
  outbox: OutboxEntry[];
  /** When the row last changed, epoch ms UTC. */
  updatedAtMs: number;
  /** Opaque version for If-Match. */
  etag: string;
}

/** Per-camera EVR gate rows with ETag concurrency. Implemented on Table Storage by functions/adapters/table/table-gate-store.ts. */
export interface GateStore {
  /** @returns undefined when the camera has no gate row */
  get(cameraId: string): Promise<GateRow | undefined>;
  /**
   * Creates (`ifMatch` undefined: only if absent) or replaces (`ifMatch` = the ETag read) the row.
   * @returns the new ETag
   * @throws PreconditionFailedError when the row was created or changed meanwhile (read again and re-apply)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  put(row: Omit<GateRow, 'etag'>, ifMatch: string | undefined): Promise<string>;
}
