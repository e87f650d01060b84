import { ConflictError } from '../../shared/errors';
import { deviceSecretSha256 } from '../../shared/device-secret';
import { randomSecret } from '../../shared/random-secret';
import type { DeviceRecord, TableDeviceStore } from '../adapters/table/table-device-store';
import type { DeviceProvisionRequest } from '../../shared/schemas/device';

/** A new device secret: 256 random bits, base64url without padding (43 characters, never a leading `-`; shared/device-secret.ts). */
export function newDeviceSecret(): string {
  return randomSecret(32);
}

/**
 * Provisions a device: a new secret (returned once; only its SHA-256 is stored) and the cameras it may record. Used by
 * `POST /api/devices` and by the local stack and CLI (local/provision-device.ts), so all three store the same row.
 * @param nowMs epoch ms UTC, the device's `createdAtMs`
 * @returns the stored record and the secret in clear (to show once, never to log)
 * @throws ConflictError `CameraOwned` when another (not revoked) device already records one of the cameras (a camera
 *   belongs to one device: its blobs and events are that device's; the store's camera claims make this hold when two
 *   provisionings race, TableDeviceStore.claimCameras); `DeviceExists` when the id is taken by a device that is not revoked;
 *   TransientError
 */
export async function provisionDevice(
  devices: TableDeviceStore,
  request: DeviceProvisionRequest,
  nowMs: number,
): Promise<{ device: DeviceRecord; secret: string }> {
  await assertCamerasFree(devices, request.deviceId, request.cameras);
  const existing = await devices.get(request.deviceId);
  if (existing && !existing.disabled) throw new ConflictError(`device '${request.deviceId}' is already provisioned; rotate its secret or delete it first`, 'DeviceExists');
  const claimed = await devices.claimCameras(request.deviceId, request.cameras, nowMs);
  const secret = newDeviceSecret();
  const device: DeviceRecord = {
    deviceId: request.deviceId,
    secretSha256: deviceSecretSha256(secret),
    cameras: request.cameras,
    createdAtMs: nowMs,
    secretSetAtMs: nowMs,
    disabled: false,
  };
  try {
    // A revoked device's tombstone gives way to the new provisioning of its id.
    if (existing?.disabled) await devices.remove(request.deviceId);
    await devices.create(device);
  } catch (err) {
    // Only the claims this call wrote. (Claims an earlier life of this id left are stale once its new row does not
    // list their cameras: TableDeviceStore.claimCameras.)
    await devices.releaseClaims(request.deviceId, claimed).catch(() => {}); // the error that matters is err
    throw err;
  }
  return { device, secret };
}

/**
 * Refuses cameras another device's row lists (rows written before camera claims existed); the claims
 * (TableDeviceStore.claimCameras) are what holds under concurrency.
 * @throws ConflictError `CameraOwned` when a device other than `deviceId` records one of `cameras`
 */
async function assertCamerasFree(devices: TableDeviceStore, deviceId: string, cameras: readonly string[]): Promise<void> {
  for (const other of await devices.list()) {
    if (other.deviceId === deviceId || other.disabled) continue; // a revoked device owns nothing
    const shared = other.cameras.find((c) => cameras.includes(c));
    if (shared !== undefined) {
      throw new ConflictError(`camera '${shared}' already belongs to device '${other.deviceId}'; delete that device or record the camera under another id`, 'CameraOwned');
    }
  }
}

/**
 * The provisioned, not revoked, device that records `cameraId` (its `cameras` list: provisioning or a live pipeline's
 * activation), if any.
 * @throws TransientError
 */
export async function cameraOwner(devices: TableDeviceStore, cameraId: string): Promise<string | undefined> {
  return (await devices.list()).find((d) => !d.disabled && d.cameras.includes(cameraId))?.deviceId;
}

/**
 * Gives a provisioned device the cameras a live pipeline adds to it, so its upload URLs cover them. A
 * device that was never provisioned (it uploads with a connection string or container SAS) is left alone.
 * @returns whether the device is provisioned
 * @throws ConflictError `CameraOwned` when another device records one of the cameras (nothing written); TransientError
 */
export async function bindCamerasToDevice(devices: TableDeviceStore, deviceId: string, cameras: readonly string[], nowMs: number): Promise<boolean> {
  const device = await devices.get(deviceId);
  if (!device || device.disabled) return false;
  if (cameras.every((c) => device.cameras.includes(c))) return true;
  await assertCamerasFree(devices, deviceId, cameras);
  const claimed = await devices.claimCameras(deviceId, cameras, nowMs);
  let added = false;
  try {
    added = await devices.addCameras(deviceId, cameras);
    return added;
  } finally {
    if (!added) await devices.releaseClaims(deviceId, claimed).catch(() => {}); // revoked meanwhile, or the write failed
  }
}
