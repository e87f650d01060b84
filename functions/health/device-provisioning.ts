import type { DeviceRecord } from '../adapters/table/table-device-store';

/**
 * What a device's provisioning says about its cameras' health (docs/devices.md): a provisioned device speaks only for
 * the cameras it is provisioned for, and a revoked device for none; a camera of a revoked device, or one its device is
 * no longer provisioned for, is `disabled`. A device that was never provisioned (it uploads with a connection string)
 * speaks for every camera it reports, in its own health rows only.
 * @param device the device's row, `undefined` when it was never provisioned
 */
export function healthProvisioning(device: DeviceRecord | undefined): { owns(cameraId: string): boolean; disabled(cameraId: string): boolean } {
  if (!device) return { owns: () => true, disabled: () => false };
  const cameras = new Set(device.disabled ? [] : device.cameras);
  return { owns: (c) => cameras.has(c), disabled: (c) => !cameras.has(c) };
}
