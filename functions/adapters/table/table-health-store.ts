import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { TransientError } from '../../../shared/errors';
import { assertId } from '../../../shared/ids';
import { AGENT_CAMERA_STATES } from '../../../shared/contracts/device-status';
import { SESSION_FAILURE_CAUSES } from '../../../shared/contracts/device-events';
import type { Announced, CameraHealthRecord, CameraReport, DeviceHealthRecord, DeviceHealthSnapshot } from '../../../shared/health/health-records';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/** RowKey of a device's own row; its cameras' rows are `camera-{cameraId}`. */
const DEVICE_ROW_KEY = 'device';
const CAMERA_ROW_PREFIX = 'camera-';

/** A snapshot as read, with the ETag of each row, so that {@link TableHealthStore.write} changes only what it read. */
export interface StoredHealth {
  snapshot: DeviceHealthSnapshot;
  /** RowKey → ETag of the rows read. */
  etags: Map<string, string>;
}

/**
 * Device and camera health on Table Storage (`{prefix}Health`, docs/contracts.md "Table layouts"): one partition per
 * device, PartitionKey `{deviceId}`, so a device's status can only ever write its own rows. RowKey `device`: `state`,
 * `stateSinceMs`, `lastHeardMs` (Edm.Double) and ISO forms, the last announcement (`announced`, `announcedSinceMs`).
 * RowKey `camera-{cameraId}`: `report` (JSON of shared/health/health-records.ts `CameraReport`, absent when the newest
 * status did not list the camera), `reportedAtMs`, `failingSeenMs`, `announced`, `announcedSinceMs`.
 */
export class TableHealthStore {
  constructor(private readonly table: TableClient) {}

  /**
   * One device's rows (one partition query); a device never heard has an empty snapshot.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async read(deviceId: string): Promise<StoredHealth> {
    assertId('device', deviceId);
    const [found] = await this.query(odata`PartitionKey eq ${deviceId}`, `read health rows of ${deviceId}`);
    return found ?? { snapshot: { deviceId, cameras: new Map() }, etags: new Map() };
  }

  /** Every device's rows (the health sweep, `GET /api/cameras`), sorted by device id. */
  async list(): Promise<StoredHealth[]> {
    return this.query(undefined, 'list health rows');
  }

  /**
   * Writes the rows of `next` that differ from `read`: created when `read` had no such row, else replaced
   * `If-Match` its ETag. Rows are never deleted here.
   * @returns false when another writer changed or created one of the rows meanwhile (nothing after it was written;
   *   read again and decide again), true when every changed row was written
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async write(read: StoredHealth, next: DeviceHealthSnapshot): Promise<boolean> {
    const rows: Array<{ rowKey: string; props: Record<string, unknown> }> = [];
    const before = read.snapshot;
    if (next.device && JSON.stringify(deviceProps(next.device)) !== JSON.stringify(before.device && deviceProps(before.device))) {
      rows.push({ rowKey: DEVICE_ROW_KEY, props: deviceProps(next.device) });
    }
    for (const [cameraId, camera] of next.cameras) {
      const old = before.cameras.get(cameraId);
      if (old && JSON.stringify(cameraProps(old)) === JSON.stringify(cameraProps(camera))) continue;
      rows.push({ rowKey: CAMERA_ROW_PREFIX + cameraId, props: cameraProps(camera) });
    }
    if (rows.length === 0) return true;
    await ensureTable(this.table);
    for (const { rowKey, props } of rows) {
      const entity = { ...props, partitionKey: next.deviceId, rowKey };
      const etag = read.etags.get(rowKey);
      try {
        if (etag) await this.table.updateEntity(entity, 'Replace', { etag });
        else await this.table.createEntity(entity);
      } catch (err) {
        const status = storageStatus(err);
        if (status === 409 || status === 412) return false;
        rethrowStorageError(err, `write health row ${next.deviceId}/${rowKey}`);
      }
    }
    return true;
  }

  private async query(filter: string | undefined, what: string): Promise<StoredHealth[]> {
    const byDevice = new Map<string, StoredHealth>();
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>(filter ? { queryOptions: { filter } } : {})) {
        const deviceId = String(row.partitionKey);
        let stored = byDevice.get(deviceId);
        if (!stored) byDevice.set(deviceId, (stored = { snapshot: { deviceId, cameras: new Map() }, etags: new Map() }));
        const rowKey = String(row.rowKey);
        if (rowKey === DEVICE_ROW_KEY) stored.snapshot.device = toDevice(row);
        else if (rowKey.startsWith(CAMERA_ROW_PREFIX)) stored.snapshot.cameras.set(rowKey.slice(CAMERA_ROW_PREFIX.length), toCamera(row));
        else continue;
        stored.etags.set(rowKey, (row as TableEntityResult<Record<string, unknown>>).etag);
      }
    } catch (err) {
      if (storageStatus(err) === 404) return []; // no table yet
      if (err instanceof TransientError) throw err;
      rethrowStorageError(err, what);
    }
    return [...byDevice.values()].sort((a, b) => (a.snapshot.deviceId < b.snapshot.deviceId ? -1 : 1));
  }
}

function announcedProps(a: Announced | undefined): Record<string, unknown> {
  return a ? { announced: a.state, announcedSinceMs: double(a.sinceMs), announcedSince: toIso(a.sinceMs) } : {};
}

function deviceProps(d: DeviceHealthRecord): Record<string, unknown> {
  return {
    state: d.state,
    stateSinceMs: double(d.stateSinceMs),
    stateSince: toIso(d.stateSinceMs),
    lastHeardMs: double(d.lastHeardMs),
    lastHeard: toIso(d.lastHeardMs),
    ...announcedProps(d.announced),
  };
}

function cameraProps(c: CameraHealthRecord): Record<string, unknown> {
  return {
    ...(c.report ? { report: JSON.stringify(c.report) } : {}),
    reportedAtMs: double(c.reportedAtMs),
    ...(c.failingSeenMs === undefined ? {} : { failingSeenMs: double(c.failingSeenMs) }),
    ...announcedProps(c.announced),
  };
}

function toAnnounced(row: Record<string, unknown>): { announced?: Announced } {
  const state = row.announced;
  if (state !== 'online' && state !== 'offline') return {};
  return { announced: { state, sinceMs: readNumber(row, 'announcedSinceMs') } };
}

/** @throws TypeError naming the row when it is corrupt */
function toDevice(row: Record<string, unknown>): DeviceHealthRecord {
  const state = row.state === 'offline' ? 'offline' : 'online';
  return { deviceId: String(row.partitionKey), state, stateSinceMs: readNumber(row, 'stateSinceMs'), lastHeardMs: readNumber(row, 'lastHeardMs'), ...toAnnounced(row) };
}

/** @throws TypeError naming the row when it is corrupt; an unreadable report reads as none (`not-reported`) */
function toCamera(row: Record<string, unknown>): CameraHealthRecord {
  const rowKey = String(row.rowKey);
  const c: CameraHealthRecord = { deviceId: String(row.partitionKey), cameraId: rowKey.slice(CAMERA_ROW_PREFIX.length), reportedAtMs: readNumber(row, 'reportedAtMs'), ...toAnnounced(row) };
  const report = parseReport(row.report);
  if (report) c.report = report;
  if (row.failingSeenMs !== undefined) c.failingSeenMs = readNumber(row, 'failingSeenMs');
  return c;
}

function parseReport(text: unknown): CameraReport | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const r = JSON.parse(text) as CameraReport;
    if (!(AGENT_CAMERA_STATES as readonly string[]).includes(r.state) || typeof r.sinceMs !== 'number') return undefined;
    if (r.cause !== undefined && !(SESSION_FAILURE_CAUSES as readonly string[]).includes(r.cause)) return undefined;
    return r;
  } catch {
    return undefined;
  }
}
