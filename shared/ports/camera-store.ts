import type { SegmentRecord } from '../schemas/device-events';

/** One camera as the cloud knows it: which device records it, and its first and last recorded instants. */
export interface CameraRecord {
  cameraId: string;
  /** The device that reported the camera's latest segment. */
  deviceId: string;
  /** Start of the earliest stored segment, epoch ms UTC. */
  firstRecordedMs: number;
  /** End of the latest stored segment, epoch ms UTC. */
  lastRecordedMs: number;
}

/** The cameras list. Implemented on Table Storage by functions/adapters/table-camera-store.ts. */
export interface CameraStore {
  /**
   * Widens each camera's first/last recorded instants to cover the segments. Idempotent and order-independent.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  recordSegments(segments: readonly Pick<SegmentRecord, 'cameraId' | 'deviceId' | 'startMs' | 'durationMs'>[]): Promise<void>;
  /** @returns `undefined` for a camera that never recorded */
  getCamera(cameraId: string): Promise<CameraRecord | undefined>;
  /** Every camera, sorted by id. */
  listCameras(): Promise<CameraRecord[]>;
  /**
   * Moves the camera's first recorded instant forward after retention deleted its oldest segments. Never moves it
   * back (a concurrent ingest of an older segment wins) nor past `lastRecordedMs` (an emptied archive has
   * first = last). No row: nothing happens.
   * @param firstRecordedMs start of the earliest segment still stored, epoch ms UTC
   * @throws TransientError when storage fails in a way a retry may fix
   */
  advanceFirstRecorded(cameraId: string, firstRecordedMs: number): Promise<void>;
}
