import type { TableClient } from '@azure/data-tables';
import { assertId } from '../../shared/ids';
import type { CameraRecord, CameraStore } from '../../shared/ports/camera-store';
import type { SegmentRecord } from '../../shared/schemas/device-events';
import { toIso } from '../../shared/time';
import { optimisticUpdate } from './optimistic-update';
import { ensureTable } from './storage-clients';
import { rethrowStorageError, storageStatus } from './storage-errors';
import { double, readNumber } from './table-values';

/** RowKey of the one row per camera (PartitionKey is the camera id). */
const CAMERA_ROW_KEY = 'camera';

/**
 * Cameras on Table Storage: one row per camera, PartitionKey `{cameraId}`, RowKey `camera`; properties `deviceId`,
 * `firstRecordedMs`, `lastRecordedMs` (Edm.Double) and their ISO forms for people.
 */
export class TableCameraStore implements CameraStore {
  constructor(private readonly table: TableClient) {}

  /**
   * Per camera: first = earliest start, last = latest end, deviceId = the device of the segment with the latest end
   * (ties: the smaller id), so the row does not depend on the order segments arrive in. ETag read-merge-write.
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

  /** See the port: ETag read-modify-write of the camera row; ISO `firstRecorded` follows. */
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

  async getCamera(cameraId: string): Promise<CameraRecord | undefined> {
    assertId('camera', cameraId);
    try {
      return toRecord(await this.table.getEntity<Record<string, unknown>>(cameraId, CAMERA_ROW_KEY));
    } catch (err) {
      if (storageStatus(err) === 404) return undefined; // no row, or no table yet
      rethrowStorageError(err, `read camera row ${cameraId}`);
    }
  }

  async listCameras(): Promise<CameraRecord[]> {
    const out: CameraRecord[] = [];
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>()) out.push(toRecord(row));
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, 'list camera rows');
    }
    return out.sort((a, b) => (a.cameraId < b.cameraId ? -1 : a.cameraId > b.cameraId ? 1 : 0));
  }
}

function toRecord(row: Record<string, unknown>): CameraRecord {
  return {
    cameraId: String(row.partitionKey),
    deviceId: String(row.deviceId),
    firstRecordedMs: readNumber(row, 'firstRecordedMs'),
    lastRecordedMs: readNumber(row, 'lastRecordedMs'),
  };
}
