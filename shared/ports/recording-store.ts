/** A signal that opened or extended a recording, as the recording keeps it (the first 16). */
export interface RecordingSignal {
  id: string;
  type: string;
  /** Media time, epoch ms UTC. */
  atMs: number;
  label?: string;
}

/** Lifecycle of a recording: `recording` while the signal gate may still extend it, `complete` once closed. */
export type RecordingState = 'recording' | 'complete';

/**
 * One EVR recording (an AVA "clip"): a window of one camera's timeline that the signal gate opened
 * (shared/evr/signal-gate.ts), with the signals that made it. Times epoch ms UTC, window half-open [startMs, endMs).
 */
export interface RecordingRecord {
  /** API id `{13-digit startMs}-{12 hex}` (shared/contracts/upload-window.ts RECORDING_ID_PATTERN); sorts by start. */
  id: string;
  cameraId: string;
  deviceId: string;
  /** The gate's recording id: the id of the signal that opened it (AVA's correlation id). */
  gateRecordingId: string;
  startMs: number;
  endMs: number;
  state: RecordingState;
  /** The gate decision sequence this row reflects (0 opened, +1 per extension, +1 for the close). */
  sequence: number;
  /** The first 16 signals that opened or extended it, in media-time order. */
  signals: RecordingSignal[];
  /** How many signals opened or extended it in all. */
  signalCount: number;
  /** When the first segment of the window was indexed (`recording.available` was published), epoch ms; absent before. */
  availableAtMs?: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Most signals a recording row keeps. */
export const RECORDING_SIGNALS_KEPT = 16;

/** EVR recordings. Implemented on Table Storage by functions/adapters/table/table-recording-store.ts. */
export interface RecordingStore {
  /**
   * Writes recordings, idempotently: a row is replaced only by one with a higher or equal `sequence` (a redelivered or
   * older decision never shrinks a window or reopens a closed recording); `availableAtMs`, once set, is kept.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  upsert(records: readonly RecordingRecord[]): Promise<void>;
  /** One recording, or undefined. */
  get(cameraId: string, id: string): Promise<RecordingRecord | undefined>;
  /** The camera's recordings overlapping [startMs, endMs) (half-open), sorted by start. */
  list(cameraId: string, range: { startMs: number; endMs: number }): Promise<RecordingRecord[]>;
  /**
   * Sets `availableAtMs` if it is not set yet (ETag-conditional).
   * @returns true when this call set it (the caller then publishes `recording.available` once), false when it was
   *   already set or the recording does not exist
   */
  markAvailable(cameraId: string, id: string, atMs: number): Promise<boolean>;
  /**
   * Deletes recording rows of one camera (retention), idempotently: an id with no row is already gone.
   * @param ids recording API ids; duplicates allowed
   * @returns how many rows this call deleted
   * @throws TransientError when storage fails in a way a retry may fix
   */
  remove(cameraId: string, ids: readonly string[]): Promise<number>;
}
