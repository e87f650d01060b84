import { CAMERA_OFFLINE, CAMERA_ONLINE, DEVICE_OFFLINE, DEVICE_ONLINE, HEALTH_SOURCE } from '../contracts/camera-health';
import type { IntegrationEvent } from '../ports/integration-events';
import { toIso } from '../time';
import { deriveCameraHealth, deriveDeviceHealth, type CameraHealthView } from './derive-health';
import type { Announced, DeviceHealthSnapshot } from './health-records';

/** What {@link announceHealth} decided: the rows with their new announcements, and the events to publish. */
export interface HealthAnnouncements {
  snapshot: DeviceHealthSnapshot;
  events: IntegrationEvent[];
}

/**
 * The health integration events one device's rows call for at `nowMs` (docs/events.md "Health events"), pure:
 * - `device.offline` when the device is offline or silent and that was not the last announcement about it;
 *   `device.online` when it is online and was not announced so (a device's first status announces it too);
 * - per camera, `camera.offline` when its health (shared/health/derive-health.ts) is `offline` and was not announced
 *   so; `camera.online` when it is `recording` and was not announced online. `reconnecting` and `disabled` announce
 *   nothing: a camera back within `CAMERA_OFFLINE_AFTER_MS` is never announced offline.
 * Each event's `id` is made of the device, camera, type and `since` (a `camera.online` after a `camera.offline` also of
 * the offline's `since`), so the ingest and the sweep deciding the same change, or a replayed batch, publish the same id
 * (consumers dedupe on it), and a new outage gets a new one.
 * @param disabled whether a camera's device is revoked or no longer provisioned for it (nothing is announced for it)
 * @returns a new snapshot whose `announced` fields record what the events say; the input is not changed
 */
export function announceHealth(snapshot: DeviceHealthSnapshot, nowMs: number, disabled: (cameraId: string) => boolean): HealthAnnouncements {
  const events: IntegrationEvent[] = [];
  const time = toIso(nowMs);
  const { deviceId } = snapshot;
  const next: DeviceHealthSnapshot = { deviceId, cameras: new Map(snapshot.cameras) };
  if (snapshot.device) {
    const view = deriveDeviceHealth(snapshot.device, nowMs);
    const sinceMs = view.sinceMs ?? snapshot.device.lastHeardMs;
    const announced = snapshot.device.announced;
    next.device = { ...snapshot.device };
    if (view.state !== announced?.state) {
      const cameraIds = [...snapshot.cameras.keys()].filter((c) => snapshot.cameras.get(c)!.report !== undefined || view.state === 'offline').sort();
      const data = view.state === 'offline' ? { deviceId, since: toIso(sinceMs), cause: view.cause, cameraIds } : { deviceId, since: toIso(sinceMs) };
      const type = view.state === 'offline' ? DEVICE_OFFLINE : DEVICE_ONLINE;
      events.push({ specversion: '1.0', id: `${type.replace('.', '-')}-${deviceId}-${sinceMs}`, source: HEALTH_SOURCE, type, time, subject: deviceId, datacontenttype: 'application/json', data });
      next.device.announced = { state: view.state, sinceMs };
    }
  }
  for (const [cameraId, camera] of snapshot.cameras) {
    const view = deriveCameraHealth({ device: snapshot.device, camera, disabled: disabled(cameraId) }, nowMs);
    const wanted = announcement(view);
    if (!wanted || wanted.state === camera.announced?.state) continue;
    const type = wanted.state === 'offline' ? CAMERA_OFFLINE : CAMERA_ONLINE;
    const data: Record<string, unknown> = { deviceId, cameraId, since: toIso(wanted.sinceMs) };
    if (wanted.state === 'offline') {
      data.cause = view.cause;
      if (view.message !== undefined) data.message = view.message;
    }
    // A camera that kept recording through its device's outage comes back with the same `since`: its camera.online
    // then names the offline it ends, so that it is not taken for the duplicate of the earlier one.
    const after = wanted.state === 'online' && camera.announced?.state === 'offline' ? `-after-${camera.announced.sinceMs}` : '';
    events.push({ specversion: '1.0', id: `${type.replace('.', '-')}-${deviceId}-${cameraId}-${wanted.sinceMs}${after}`, source: HEALTH_SOURCE, type, time, subject: cameraId, datacontenttype: 'application/json', data });
    next.cameras.set(cameraId, { ...camera, announced: wanted });
  }
  return { snapshot: next, events };
}

/** The announcement a camera's health calls for: `offline`, `online` (recording), or none (reconnecting, disabled). */
function announcement(view: CameraHealthView): Announced | undefined {
  if (view.sinceMs === undefined) return undefined;
  if (view.state === 'offline') return { state: 'offline', sinceMs: view.sinceMs };
  if (view.state === 'recording') return { state: 'online', sinceMs: view.sinceMs };
  return undefined;
}
