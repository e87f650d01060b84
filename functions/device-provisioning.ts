import { randomBytes } from 'node:crypto';
import { ConflictError } from '../shared/errors';
import { deviceSecretSha256 } from '../shared/device-secret';
import type { DeviceRecord, DeviceStore } from '../shared/ports/device-store';
import type { DeviceProvisionRequest } from '../shared/schemas/device';

/** A new device secret: 256 random bits, base64url without padding (43 characters; shared/device-secret.ts). */
export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Provisions a device: a new secret (returned once; only its SHA-256 is stored) and the cameras it may record. Used by
 * `POST /api/devices` and by the local stack and CLI (local/provision-device.ts), so all three store the same row.
 * @param nowMs epoch ms UTC, the device's `createdAtMs`
 * @returns the stored record and the secret in clear (to show once, never to log)
 * @throws ConflictError `CameraOwned` when another device already records one of the cameras (a camera belongs to one
 *   device: its blobs and events are that device's); `DeviceExists` when the id is taken; TransientError
 */
export async function provisionDevice(
  devices: DeviceStore,
  request: DeviceProvisionRequest,
  nowMs: number,
): Promise<{ device: DeviceRecord; secret: string }> {
  for (const other of await devices.list()) {
    if (other.deviceId === request.deviceId) continue; // the store's create answers DeviceExists
    const shared = other.cameras.find((c) => request.cameras.includes(c));
    if (shared !== undefined) {
      throw new ConflictError(`camera '${shared}' already belongs to device '${other.deviceId}'; delete that device or provision without it`, 'CameraOwned');
    }
  }
  const secret = newDeviceSecret();
  const device: DeviceRecord = {
    deviceId: request.deviceId,
    secretSha256: deviceSecretSha256(secret),
    cameras: request.cameras,
    createdAtMs: nowMs,
    secretSetAtMs: nowMs,
    disabled: false,
  };
  await devices.create(device);
  return { device, secret };
}
