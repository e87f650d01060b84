import { odata, type TableClient } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import type { SegmentRecord } from '../../../shared/contracts/device-events';
import { streamInfoSchema, type StreamInfo } from '../../../shared/contracts/stream-info';
import { toIso } from '../../../shared/time';
import { optimisticUpdate } from './optimistic-update';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

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

/** RowKey of the one row per camera (PartitionKey is the camera id). */
const CAMERA_ROW_KEY = 'camera';

/**
 * RowKey of the camera's stream info row, beside its camera row: a row of its own, so that the camera row's
 * read-merge-writes (segments, retention) and the stream's never overwrite each other, and so that a stream reported
 * before the camera's first segment does not make a camera that "recorded".
 */
const STREAM_ROW_KEY = 'stream';

/**
 * The cameras list, on Table Storage: one row per camera, PartitionKey `{cameraId}`, RowKey `camera`; properties
 * `deviceId`, `firstRecordedMs`, `lastRecordedMs` (Edm.Double) and their ISO forms for people. Beside it, RowKey
 * `stream`: the latest stream info (docs/contracts.md "Other device events"), properties `stream` (JSON of
 * shared/contracts/stream-info.ts), `sinceMs` (Edm.Double) and `since`, `deviceId`, `eventId`.
 */
export class TableCameraStore {
  constructor(private readonly table: TableClient) {}

  /**
   * Widens each camera's first/last recorded instants to cover the segments. Idempotent and order-independent.
   * Per camera: first = earliest start, last = latest end, deviceId = the device of the segment with the latest end
   * (ties: the smaller id), so the row does not depend on the order segments arrive in. ETag read-merge-write.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async recordSegments(segments: readonly Pick<SegmentRecord, 'cameraId' | 'deviceId' | 'startMs' | 'durationMs'>[]): Promise<void> {
    if (segments.length === 0) return;
    await ensureTable(this.table);
    const cameras = new Map<string, CameraRecord>();
    for (const s of segments) {
      const endMs = s.startMs + s.durationMs;
      const c = cameras.get(s.cameraId);
      if (!c) {
        cameras.set(s.cameraId, { cameraId: s.cameraId, deviceId: s.deviceId, firstRecordedMs: s.startMs, lastRecordedMs: endMs });
        continue;
      }
      c.firstRecordedMs = Math.min(c.firstRecordedMs, s.startMs);
      if (endMs > c.lastRecordedMs || (endMs === c.lastRecordedMs && s.deviceId < c.deviceId)) c.deviceId = s.deviceId;
      c.lastRecordedMs = Math.max(c.lastRecordedMs, endMs);
    }
    await Promise.all(
      [...cameras.values()].map((batch) =>
        optimisticUpdate(this.table, batch.cameraId, CAMERA_ROW_KEY, `camera row ${batch.cameraId}`, (current) => {
          const known = current ? toRecord(current) : undefined;
          const next = { ...batch };
          if (known) {
            next.firstRecordedMs = Math.min(known.firstRecordedMs, batch.firstRecordedMs);
            next.lastRecordedMs = Math.max(known.lastRecordedMs, batch.lastRecordedMs);
            const batchWins = batch.lastRecordedMs > known.lastRecordedMs || (batch.lastRecordedMs === known.lastRecordedMs && batch.deviceId < known.deviceId);
            next.deviceId = batchWins ? batch.deviceId : known.deviceId;
            if (next.firstRecordedMs === known.firstRecordedMs && next.lastRecordedMs === known.lastRecordedMs && next.deviceId === known.deviceId) {
              return undefined;
            }
          }
          return {
            cameraId: next.cameraId,
            deviceId: next.deviceId,
            firstRecordedMs: double(next.firstRecordedMs),
            lastRecordedMs: double(next.lastRecordedMs),
            firstRecorded: toIso(next.firstRecordedMs),
            lastRecorded: toIso(next.lastRecordedMs),
          };
        }),
      ),
    );
  }

  /**
   * Moves the camera's first recorded instant forward after retention deleted its oldest segments. Never moves it
   * back (a concurrent ingest of an older segment wins) nor past `lastRecordedMs` (an emptied archive has
   * first = last). No row: nothing happens. ETag read-modify-write of the camera row; ISO `firstRecorded` follows.
   * @param firstRecordedMs start of the earliest segment still stored, epoch ms UTC
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async advanceFirstRecorded(cameraId: string, firstRecordedMs: number): Promise<void> {
    assertId('camera', cameraId);
    await optimisticUpdate(this.table, cameraId, CAMERA_ROW_KEY, `camera row ${cameraId}`, (current) => {
      if (!current) return undefined;
      const known = toRecord(current);
      const next = Math.min(Math.max(known.firstRecordedMs, firstRecordedMs), known.lastRecordedMs);
      if (next === known.firstRecordedMs) return undefined;
      return {
        cameraId: known.cameraId,
        deviceId: known.deviceId,
        firstRecordedMs: double(next),
        lastRecordedMs: double(known.lastRecordedMs),
        firstRecorded: toIso(next),
        lastRecorded: toIso(known.lastRecordedMs),
      };
    });
  }

  /**
   * Keeps each camera's latest stream info: a report replaces the stored one only when its event is newer (`sinceMs`,
   * then `eventId` on a tie), so redeliveries and late, older reports change nothing. Idempotent and
   * order-independent. A camera that has not recorded yet keeps it until it has (`getCamera` and `listCameras` show
   * only cameras that recorded). Per camera, the newest report of the batch, then an ETag read-modify-write of the
   * stream row.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async recordStreams(reports: readonly CameraStreamRecord[]): Promise<void> {
    if (reports.length === 0) return;
    await ensureTable(this.table);
    const latest = new Map<string, CameraStreamRecord>();
    for (const r of reports) {
      const known = latest.get(r.cameraId);
      if (!known || isNewer(r, known)) latest.set(r.cameraId, r);
    }
    await Promise.all(
      [...latest.values()].map((r) =>
        optimisticUpdate(this.table, r.cameraId, STREAM_ROW_KEY, `stream row ${r.cameraId}`, (current) => {
          if (current && !isNewer(r, readableStream(current))) return undefined;
          return { deviceId: r.deviceId, stream: JSON.stringify(r.stream), sinceMs: double(r.sinceMs), since: toIso(r.sinceMs), eventId: r.eventId };
        }),
      ),
    );
  }

  /**
   * The camera row and its stream row, in one partition query.
   * @returns `undefined` for a camera that never recorded
   */
  async getCamera(cameraId: string): Promise<CameraRecord | undefined> {
    assertId('camera', cameraId);
    const [camera] = await this.readCameras(odata`PartitionKey eq ${cameraId}`, `read camera row ${cameraId}`);
    return camera;
  }

  /** Every camera, sorted by id. */
  async listCameras(): Promise<CameraRecord[]> {
    return this.readCameras(undefined, 'list camera rows');
  }

  /** Camera rows with their stream rows attached, sorted by camera id; a stream row without a camera row is left out. */
  private async readCameras(filter: string | undefined, what: string): Promise<CameraRecord[]> {
    const cameras = new Map<string, CameraRecord>();
    const streams = new Map<string, CameraStreamRecord>();
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>(filter ? { queryOptions: { filter } } : {})) {
        if (row.rowKey === CAMERA_ROW_KEY) cameras.set(String(row.partitionKey), toRecord(row));
        else if (row.rowKey === STREAM_ROW_KEY) streams.set(String(row.partitionKey), toStreamRecord(row));
      }
    } catch (err) {
      if (storageStatus(err) === 404) return []; // no table yet
      rethrowStorageError(err, what);
    }
    for (const [cameraId, stream] of streams) {
      const camera = cameras.get(cameraId);
      if (camera) camera.stream = stream;
    }
    return [...cameras.values()].sort((a, b) => (a.cameraId < b.cameraId ? -1 : a.cameraId > b.cameraId ? 1 : 0));
  }
}

/** True when `a` was reported after `b`: a later event time, or the same time and a greater event id (a total order). */
function isNewer(a: Pick<CameraStreamRecord, 'sinceMs' | 'eventId'>, b: Pick<CameraStreamRecord, 'sinceMs' | 'eventId'>): boolean {
  return a.sinceMs > b.sinceMs || (a.sinceMs === b.sinceMs && a.eventId > b.eventId);
}

/** The stored stream row's order key; a corrupt row orders first, so that any report replaces it. */
function readableStream(row: Record<string, unknown>): Pick<CameraStreamRecord, 'sinceMs' | 'eventId'> {
  try {
    return toStreamRecord(row);
  } catch {
    return { sinceMs: Number.NEGATIVE_INFINITY, eventId: '' };
  }
}

/** @throws TypeError naming the row when it is corrupt (like readNumber) */
function toStreamRecord(row: Record<string, unknown>): CameraStreamRecord {
  let stream: unknown;
  try {
    stream = JSON.parse(String(row.stream));
  } catch {
    stream = undefined;
  }
  const parsed = streamInfoSchema.safeParse(stream);
  if (!parsed.success) throw new TypeError(`table row ${String(row.partitionKey)}/${String(row.rowKey)}: stream is not stream info`);
  return { cameraId: String(row.partitionKey), deviceId: String(row.deviceId), stream: parsed.data, sinceMs: readNumber(row, 'sinceMs'), eventId: String(row.eventId) };
}

function toRecord(row: Record<string, unknown>): CameraRecord {
  return {
    cameraId: String(row.partitionKey),
    deviceId: String(row.deviceId),
    firstRecordedMs: readNumber(row, 'firstRecordedMs'),
    lastRecordedMs: readNumber(row, 'lastRecordedMs'),
  };
}
