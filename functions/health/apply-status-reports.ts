import type { InvocationContext } from '@azure/functions';
import type { DeviceStatus } from '../../shared/contracts/device-status';
import { applyDeviceStatus } from '../../shared/health/apply-status';
import { updateDeviceHealth, type HealthDeps } from './update-device-health';

/** One status message as ingest decoded it: the device the transport vouched for, the payload, when the broker received it. */
export interface StatusReport {
  deviceId: string;
  status: DeviceStatus;
  /** Epoch ms UTC: the routed event's `time` (Event Grid stamps when it received the publish). */
  receivedMs: number;
}

/**
 * Applies a batch's device status messages to the devices' health rows, in the order the broker received them, and
 * publishes the health events that follows (`device.online`/`device.offline`, `camera.online`/`camera.offline`;
 * functions/health/update-device-health.ts). One read-decide-write per device. Idempotent: a redelivered status
 * changes nothing (shared/health/apply-status.ts).
 * @returns the events published
 * @throws TransientError when storage or the event sink fails (the batch is retried)
 */
export async function applyStatusReports(reports: readonly StatusReport[], deps: HealthDeps, context: InvocationContext): Promise<number> {
  const byDevice = new Map<string, StatusReport[]>();
  for (const r of reports) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
  let published = 0;
  for (const [deviceId, list] of byDevice) {
    const ordered = [...list].sort((a, b) => a.receivedMs - b.receivedMs);
    published += await updateDeviceHealth(deviceId, (snapshot, owns) => ordered.reduce((s, r) => applyDeviceStatus(s, r.status, r.receivedMs, owns), snapshot), deps, context);
  }
  return published;
}
