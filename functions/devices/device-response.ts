import type { DeviceRecord } from '../adapters/table/table-device-store';
import { toIso } from '../../shared/time';

/** One device in the devices API: never the secret nor its hash. Times ISO 8601 UTC with milliseconds. */
export interface DeviceResponse {
  deviceId: string;
  cameras: string[];
  createdAt: string;
  /** When the current secret was set (provisioning or the last rotation). */
  secretSetAt: string;
  disabled: boolean;
}

/** The API form of a stored device (drops `secretSha256`). */
export function deviceResponse(d: DeviceRecord): DeviceResponse {
  return { deviceId: d.deviceId, cameras: [...d.cameras], createdAt: toIso(d.createdAtMs), secretSetAt: toIso(d.secretSetAtMs), disabled: d.disabled };
}
