import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { ConflictError, ValidationError } from '../../../shared/errors';
import { assertId } from '../../../shared/ids';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/**
 * One provisioned device (docs/devices.md): an edge agent installation that may create segment blobs of its own
 * cameras. The device secret itself is never stored, only its SHA-256 (shared/device-secret.ts).
 */
export interface DeviceRecord {
  /** `[a-z0-9-]{1,32}` (shared/ids.ts). */
  deviceId: string;
  /** Lower-case hex SHA-256 of the device secret's UTF-8 text (64 characters). Never leaves the cloud. */
  secretSha256: string;
  /** Camera ids the device may record (upload segments of), sorted, unique, at least one. */
  cameras: string[];
  /** When the device was provisioned, epoch ms UTC. */
  createdAtMs: number;
  /** When its secret was last set (provisioning or rotation), epoch ms UTC. */
  secretSetAtMs: number;
  /** A disabled device is refused like an unknown one (401). */
  disabled: boolean;
}

/** RowKey of the one row per device (PartitionKey is the device id). */
const DEVICE_ROW_KEY = 'device';

/** PartitionKey of the camera claims: one row per camera, RowKey the camera id (`~` is never in a device id). */
const CLAIMS_PARTITION = '~camera-claims';

/** Table transactions take at most 100 actions; a device is given at most this many cameras at once. */
const CLAIMS_PER_CALL_MAX = 100;

/**
 * How old a claim must be before an owner that is missing, revoked or does not list the camera makes it free, ms. A
 * provisioning or binding writes its claims before its device row, so a fresh claim the row does not show yet belongs
 * to a request in flight; an old one to a request that failed without cleaning up.
 */
export const CLAIM_GRACE_MS = 5 * 60_000;

/**
 * Provisioned devices, on Table Storage (`{prefix}Devices`): one row per device, PartitionKey `{deviceId}`, RowKey
 * `device`; properties `secretSha256` (hex), `cameras` (comma-separated ids), `createdAtMs`, `secretSetAtMs`
 * (Edm.Double), `createdAt`, `secretSetAt` (ISO, for people), `disabled` (boolean). Camera claims in the same table:
 * PartitionKey `~camera-claims`, RowKey the camera id, properties `deviceId`, `claimedAtMs`
 * ({@link TableDeviceStore.claimCameras}).
 */
export class TableDeviceStore {
  constructor(private readonly table: TableClient) {}

  /**
   * Adds a device.
   * @throws ConflictError `DeviceExists` when the id is taken
   * @throws TransientError when storage fails in a way a retry may fix
   */
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

  /** @returns `undefined` for an unknown device */
  async get(deviceId: string): Promise<DeviceRecord | undefined> {
    assertId('device', deviceId);
    try {
      return toRecord(await this.table.getEntity<Record<string, unknown>>(deviceId, DEVICE_ROW_KEY));
    } catch (err) {
      if (storageStatus(err) === 404) return undefined; // no row, or no table yet
      rethrowStorageError(err, `read device row ${deviceId}`);
    }
  }

  /** Every device, sorted by id. */
  async list(): Promise<DeviceRecord[]> {
    const out: DeviceRecord[] = [];
    try {
      // Not the claims partition: a camera may be called `device` too.
      const filter = odata`PartitionKey ne ${CLAIMS_PARTITION} and RowKey eq ${DEVICE_ROW_KEY}`;
      for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) out.push(toRecord(row));
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, 'list device rows');
    }
    return out.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  }

  /**
   * Replaces the device's secret hash (rotation): the old secret stops working at once. Merge of the two secret
   * properties with the row's ETag (a revoked row is left alone).
   * @param atMs epoch ms UTC, stored as `secretSetAtMs`
   * @returns false for an unknown or revoked device (nothing written)
   */
  async replaceSecret(deviceId: string, secretSha256: string, atMs: number): Promise<boolean> {
    return this.mergeLive(deviceId, () => ({ secretSha256, secretSetAtMs: double(atMs), secretSetAt: toIso(atMs) }), `rotate the secret of device ${deviceId}`);
  }

  /**
   * Revokes the device: its row stays as a tombstone with `disabled: true`, so its secret is refused, its events name
   * no camera of its own (ingest dead-letters them) and its cameras may be given to another device. Segments it
   * uploaded stay. A revoked id can be provisioned again (the tombstone is replaced).
   * @returns false for an unknown or already revoked device (nothing written)
   */
  async revoke(deviceId: string): Promise<boolean> {
    const revoked = await this.mergeLive(deviceId, () => ({ disabled: true }), `revoke device ${deviceId}`);
    if (revoked) await this.releaseClaims(deviceId); // its cameras are free at once (a crash here: free after CLAIM_GRACE_MS)
    return revoked;
  }

  /**
   * Adds cameras to the ones the device may record (sorted, unique; those it has already are kept), with the row's
   * ETag so a concurrent rotation or addition is not lost.
   * @returns false for an unknown device (nothing written)
   * @throws ConflictError `Conflict` when the row kept changing under it; TransientError
   */
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

  /**
   * Makes the device the one owner of each of `cameras`, all or none, atomically: of two devices claiming a camera at
   * the same moment exactly one succeeds. A camera claimed by another device is refused, unless that device has no
   * row, is revoked or does not list the camera, and the claim is older than a grace time (a provisioning or binding
   * writes its claims before its row); the device's own claims are kept. Call it before writing the cameras into the
   * device's row (create, addCameras), and {@link releaseClaims} when that write fails. `revoke` releases the device's
   * claims; `remove` does not (its callers provision the id again at once, which releases what the id held before).
   *
   * Writes the claims in one transaction of the claims partition, so that of two devices claiming a camera at the same
   * moment exactly one wins: a new claim is an insert (fails if another claim appeared), a taken-over claim a replace
   * with the ETag read (fails if it changed). Either failure re-reads and decides again, up to five times. A claim is
   * taken over only when its owner has no row, is revoked, or does not list the camera, and the claim is
   * {@link CLAIM_GRACE_MS} old (revoke releases a device's claims at once; this covers what a crash or failed write
   * left).
   * @param nowMs epoch ms UTC, stored with each claim
   * @returns the cameras whose claims this call wrote (to release if the row write fails)
   * @throws ConflictError `CameraOwned` naming the camera and its owner (nothing written); `Conflict` when the claims
   *   kept changing; ValidationError for bad ids or more than 100 cameras; TransientError
   */
  async claimCameras(deviceId: string, cameras: readonly string[], nowMs: number): Promise<string[]> {
    assertId('device', deviceId);
    for (const c of cameras) assertId('camera', c);
    const wanted = [...new Set(cameras)];
    if (wanted.length > CLAIMS_PER_CALL_MAX) throw new ValidationError(`at most ${CLAIMS_PER_CALL_MAX} cameras can be given to a device at once, got ${wanted.length}`, undefined, 'InvalidDevice');
    if (!wanted.length) return [];
    await ensureTable(this.table);
    for (let attempt = 0; attempt < 5; attempt++) {
      const actions: TransactionAction[] = [];
      const written: string[] = [];
      for (const cameraId of wanted) {
        const claim = await this.readClaim(cameraId);
        if (claim?.deviceId === deviceId) continue;
        const entity = { partitionKey: CLAIMS_PARTITION, rowKey: cameraId, deviceId, claimedAtMs: double(nowMs) };
        if (claim) {
          const owner = await this.get(claim.deviceId);
          // Stale: its device is gone, revoked, or does not list the camera (a provisioning or binding that failed
          // between the claim and its row write). A fresh claim may be one in flight, so it holds for the grace time.
          const stale = !owner || owner.disabled || !owner.cameras.includes(cameraId);
          if (!stale || nowMs - claim.claimedAtMs < CLAIM_GRACE_MS) {
            throw new ConflictError(`camera '${cameraId}' already belongs to device '${claim.deviceId}'; delete that device or record the camera under another id`, 'CameraOwned');
          }
          actions.push(['update', entity, 'Replace', { etag: claim.etag }]);
        } else {
          actions.push(['create', entity]);
        }
        written.push(cameraId);
      }
      if (!actions.length) return [];
      try {
        await this.table.submitTransaction(actions);
        return written;
      } catch (err) {
        const status = storageStatus(err);
        if (status !== 409 && status !== 412) rethrowStorageError(err, `claim cameras for device ${deviceId}`);
      }
    }
    throw new ConflictError(`the claims of cameras ${wanted.join(', ')} kept changing under five attempts; retry`, 'Conflict');
  }

  /**
   * Deletes the claims that still name the device: of `cameras` (a provisioning or binding whose row write failed), or
   * all of them (an id provisioned anew: claims left by its earlier life).
   * @throws TransientError
   */
  async releaseClaims(deviceId: string, cameras?: readonly string[]): Promise<void> {
    assertId('device', deviceId);
    const claims: Array<{ cameraId: string; deviceId: string; etag: string }> = [];
    if (cameras) {
      for (const cameraId of cameras) {
        const claim = await this.readClaim(cameraId);
        if (claim) claims.push({ cameraId, deviceId: claim.deviceId, etag: claim.etag });
      }
    } else {
      try {
        const filter = odata`PartitionKey eq ${CLAIMS_PARTITION} and deviceId eq ${deviceId}`;
        for await (const row of this.table.listEntities<{ deviceId?: string }>({ queryOptions: { filter } })) claims.push({ cameraId: String(row.rowKey), deviceId: String(row.deviceId ?? ''), etag: row.etag });
      } catch (err) {
        if (storageStatus(err) === 404) return;
        rethrowStorageError(err, `list the camera claims of device ${deviceId}`);
      }
    }
    for (const { cameraId, deviceId: owner, etag } of claims) {
      if (owner !== deviceId) continue;
      try {
        await this.table.deleteEntity(CLAIMS_PARTITION, cameraId, { etag });
      } catch (err) {
        const status = storageStatus(err);
        if (status !== 404 && status !== 412) rethrowStorageError(err, `release the claim of camera ${cameraId}`);
      }
    }
  }

  /** The claim row of a camera, if any. @throws TransientError */
  private async readClaim(cameraId: string): Promise<{ deviceId: string; claimedAtMs: number; etag: string } | undefined> {
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(CLAIMS_PARTITION, cameraId);
      return { deviceId: String(row.deviceId ?? ''), claimedAtMs: typeof row.claimedAtMs === 'number' ? row.claimedAtMs : 0, etag: row.etag };
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read the claim of camera ${cameraId}`);
    }
  }

  /**
   * Removes the device's row altogether (a re-provisioning replacing a tombstone, the local stack's own device): its
   * secret is refused from then on. Its camera claims stay; they are stale (free to another device) once they are older
   * than the claim grace time and no row of the id lists their cameras. Segments it uploaded stay.
   * @returns false for an unknown device
   */
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
