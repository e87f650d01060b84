import type { SegmentRecord } from '../contracts/device-events';
import type { StreamInfo } from '../contracts/stream-info';

/**
 * What a camera sends, as the `session-established` diagnostics event of one recording session reported it
 * (docs/contracts.md "Other device events").
 */
export interface CameraStreamRecord {
  cameraId: string;
  /** The device that reported it. */
  deviceId: string;
  stream: StreamInfo;
  /** The event's time (when the session started sending), epoch ms UTC: the newest wins. */
  sinceMs: number;
  /** The CloudEvent id that reported it; breaks ties between events of the same time. */
  eventId: string;
}

/** One camera as the cloud knows it: which device records it, its first and last recorded instants, what it sends. */
export interface CameraRecord {
  cameraId: string;
  /** The device that reported the camera's latest segment. */
  deviceId: string;
  /** Start of the earliest stored segment, epoch ms UTC. */
  firstRecordedMs: number;
  /** End of the latest stored segment, epoch ms UTC. */
  lastRecordedMs: number;
  /** What the camera sent in its latest reported session; absent until a session reported it. */
  stream?: CameraStreamRecord;
}

/** The cameras list. Implemented on Table Storage by functions/adapters/table/table-camera-store.ts. */
export interface CameraStore {
  /**
   * Widens each camera's first/last recorded instants to cover the segments. Idempotent and order-independent.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  recordSegments(segments: readonly Pick<SegmentRecord, 'cameraId' | 'deviceId' | 'startMs' | 'durationMs'>[]): Promise<void>;
  /**
   * Keeps each camera's latest stream info: a report replaces the stored one only when its event is newer (`sinceMs`,
   * then `eventId` on a tie), so redeliveries and late, older reports change nothing. Idempotent and
   * order-independent. A camera that has not recorded yet keeps it until it has (`getCamera` and `listCameras` show
   * only cameras that recorded).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  recordStreams(reports: readonly CameraStreamRecord[]): Promise<void>;
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
