import { TableDeviceStore } from '../functions/adapters/table/table-device-store';
import { storageClients } from '../functions/adapters/storage/storage-clients';
import { provisionDevice } from '../functions/devices/device-provisioning';
import { parseDeviceProvisionBody } from '../shared/schemas/device';

/**
 * The device store of a local stack: the same Table adapter the functions use, over Azurite.
 * @param tableName the functions' `settings.tables.devices` (`{prefix}Devices`)
 */
export function localDeviceStore(connectionString: string, tableName: string): TableDeviceStore {
  return new TableDeviceStore(storageClients({ kind: 'connection-string', connectionString }).tableClient(tableName));
}

/**
 * Provisions the local stack's own device through the same code as `POST /api/devices` (functions/devices/device-provisioning.ts).
 * The stack owns this device id: a row left by an earlier run of the same data folder is replaced, so each start has a
 * fresh secret and the cameras of this run.
 * @returns the device secret (for the agent's `upload.deviceSecret` and MQTT password; never logged)
 * @throws ValidationError for a bad id or camera list; ConflictError `CameraOwned` when another device records a camera
 */
export async function provisionLocalDevice(store: TableDeviceStore, deviceId: string, cameras: string[], nowMs: number): Promise<string> {
  const request = parseDeviceProvisionBody({ deviceId, cameras });
  await store.remove(deviceId);
  return (await provisionDevice(store, request, nowMs)).secret;
}
