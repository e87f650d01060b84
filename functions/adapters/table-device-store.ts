import type { TableClient } from '@azure/data-tables';
import { ConflictError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import type { DeviceRecord, DeviceStore } from '../../shared/ports/device-store';
import { toIso } from '../../shared/time';
import { ensureTable } from './storage-clients';
import { rethrowStorageError, storageStatus } from './storage-errors';
import { double, readNumber } from './table-values';

/** RowKey of the one row per device (PartitionKey is the device id). */
const DEVICE_ROW_KEY = 'device';

/**
 * Devices on Table Storage (`{prefix}Devices`): one row per device, PartitionKey `{deviceId}`, RowKey `device`;
 * properties `secretSha256` (hex), `cameras` (comma-separated ids), `createdAtMs`, `secretSetAtMs` (Edm.Double),
 * `createdAt`, `secretSetAt` (ISO, for people), `disabled` (boolean).
 */
export class TableDeviceStore implements DeviceStore {
  constructor(private readonly table: TableClient) {}

  async create(device: DeviceRecord): Promise<void> {
    assertId('device', device.deviceId);
    await ensureTable(this.table);
    try {
      await this.table.createEntity({ partitionKey: device.deviceId, rowKey: DEVICE_ROW_KEY, ...toEntity(device) });
    } catch (err) {
      if (storageStatus(err) === 409) throw new ConflictError(`device '${device.deviceId}' is already provisioned; rotate its secret or delete it first`, 'DeviceExists');
      rethrowStorageError(err, `create device row ${device.deviceId}`);
    }
  }

  async get(deviceId: string): Promise<DeviceRecord | undefined> {
    assertId('device', deviceId);
    try {
      return toRecord(await this.table.getEntity<Record<string, unknown>>(deviceId, DEVICE_ROW_KEY));
    } catch (err) {
      if (storageStatus(err) === 404) return undefined; // no row, or no table yet
      rethrowStorageError(err, `read device row ${deviceId}`);
    }
  }

  async list(): Promise<DeviceRecord[]> {
    const out: DeviceRecord[] = [];
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>()) out.push(toRecord(row));
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, 'list device rows');
    }
    return out.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  }

  /** Merge of the two secret properties with the row's ETag (a revoked row is left alone). */
  async replaceSecret(deviceId: string, secretSha256: string, atMs: number): Promise<boolean> {
    return this.mergeLive(deviceId, () => ({ secretSha256, secretSetAtMs: double(atMs), secretSetAt: toIso(atMs) }), `rotate the secret of device ${deviceId}`);
  }

  async revoke(deviceId: string): Promise<boolean> {
    return this.mergeLive(deviceId, () => ({ disabled: true }), `revoke device ${deviceId}`);
  }

  async addCameras(deviceId: string, cameras: readonly string[]): Promise<boolean> {
    for (const c of cameras) assertId('camera', c);
    return this.mergeLive(
      deviceId,
      (held) => {
        const merged = [...new Set([...held.cameras, ...cameras])].sort();
        return merged.length === held.cameras.length ? undefined : { cameras: merged.join(',') };
      },
      `add cameras to device row ${deviceId}`,
    );
  }

  /**
   * Merges the properties `change` gives for the device's current row into it, with the row's ETag (retried when the
   * row changed meanwhile). `change` returning undefined writes nothing (and counts as done).
   * @returns false for an unknown or revoked device
   * @throws ConflictError `Conflict` when the row kept changing; TransientError
   */
  private async mergeLive(deviceId: string, change: (held: DeviceRecord) => Record<string, unknown> | undefined, what: string): Promise<boolean> {
    assertId('device', deviceId);
    for (let attempt = 0; attempt < 5; attempt++) {
      let row: Record<string, unknown> & { etag: string };
      try {
        row = await this.table.getEntity<Record<string, unknown>>(deviceId, DEVICE_ROW_KEY);
      } catch (err) {
        if (storageStatus(err) === 404) return false;
        rethrowStorageError(err, what);
      }
      const held = toRecord(row);
      if (held.disabled) return false;
      const props = change(held);
      if (!props) return true;
      try {
        await this.table.updateEntity({ partitionKey: deviceId, rowKey: DEVICE_ROW_KEY, ...props }, 'Merge', { etag: row.etag });
        return true;
      } catch (err) {
        const status = storageStatus(err);
        if (status === 404) return false;
        if (status !== 412) rethrowStorageError(err, what);
      }
    }
    throw new ConflictError(`device '${deviceId}' changed under five attempts to ${what}; retry`, 'Conflict');
  }

  async remove(deviceId: string): Promise<boolean> {
    assertId('device', deviceId);
    try {
      await this.table.deleteEntity(deviceId, DEVICE_ROW_KEY);
      return true;
    } catch (err) {
      if (storageStatus(err) === 404) return false;
      rethrowStorageError(err, `delete device row ${deviceId}`);
    }
  }
}

function toEntity(d: DeviceRecord): Record<string, unknown> {
  return {
    secretSha256: d.secretSha256,
    cameras: d.cameras.join(','),
    createdAtMs: double(d.createdAtMs),
    createdAt: toIso(d.createdAtMs),
    secretSetAtMs: double(d.secretSetAtMs),
    secretSetAt: toIso(d.secretSetAtMs),
    disabled: d.disabled,
  };
}

function toRecord(row: Record<string, unknown>): DeviceRecord {
  return {
    deviceId: String(row.partitionKey),
    secretSha256: String(row.secretSha256 ?? ''),
    cameras: String(row.cameras ?? '').split(',').filter(Boolean),
    createdAtMs: readNumber(row, 'createdAtMs'),
    secretSetAtMs: readNumber(row, 'secretSetAtMs'),
    disabled: row.disabled === true,
  };
}
