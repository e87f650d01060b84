import { DEVICE_SILENCE_MS } from '../contracts/camera-health';
import type { AgentCameraStatus, DeviceStatus } from '../contracts/device-status';
import { parseIsoDateTime } from '../time';
import type { CameraHealthRecord, CameraReport, DeviceHealthSnapshot } from './health-records';

/**
 * Merges one status message of a device into its health rows (pure; the snapshot is not changed, a new one returned).
 * - A status received before the newest one already applied changes nothing (Event Hubs may redeliver; order is by
 *   the broker's receive time `receivedMs`, never the device's `time`: a last will carries the time it was set).
 * - The device's state becomes the status's; an `online` after `offline`, or after more than `DEVICE_SILENCE_MS` of
 *   silence, begins a new online period (so the next `device.online` is a new event, not a duplicate of the last).
 * - With `cameras` (an online agent's status): each camera the device owns gets its report; a camera it reported
 *   before and no longer lists loses its report (`not-reported`). Cameras it does not own are ignored: a device
 *   speaks for its own cameras only (docs/security.md). Without `cameras` (a last will, an older agent): the camera
 *   reports stay as they were.
 * @param status a payload valid against shared/contracts/device-status.ts `deviceStatusSchema`, its `deviceId` the
 *   snapshot's (the caller checked it against the transport's identity)
 * @param receivedMs when the broker received it, epoch ms UTC
 * @param owns whether the device may report a camera (its provisioned cameras; every camera for a device that was
 *   never provisioned, whose rows touch no other device's)
 */
export function applyDeviceStatus(snapshot: DeviceHealthSnapshot, status: DeviceStatus, receivedMs: number, owns: (cameraId: string) => boolean): DeviceHealthSnapshot {
  const known = snapshot.device;
  if (known && receivedMs < known.lastHeardMs) return snapshot;
  const continues = known !== undefined && known.state === status.state && (status.state === 'offline' || receivedMs - known.lastHeardMs <= DEVICE_SILENCE_MS);
  const device = { deviceId: snapshot.deviceId, state: status.state, stateSinceMs: continues ? known.stateSinceMs : receivedMs, lastHeardMs: receivedMs, ...(known?.announced ? { announced: known.announced } : {}) };
  const cameras = new Map(snapshot.cameras);
  if (status.state === 'online' && status.cameras) {
    const listed = new Set<string>();
    for (const [cameraId, reported] of Object.entries(status.cameras)) {
      if (!owns(cameraId)) continue;
      listed.add(cameraId);
      cameras.set(cameraId, withReport(cameras.get(cameraId), snapshot.deviceId, cameraId, toReport(reported), receivedMs));
    }
    for (const [cameraId, row] of cameras) {
      if (!listed.has(cameraId) && row.report) cameras.set(cameraId, withReport(row, snapshot.deviceId, cameraId, undefined, receivedMs));
    }
  }
  return { deviceId: snapshot.deviceId, device, cameras };
}

/** The status's camera entry in epoch ms. */
function toReport(s: AgentCameraStatus): CameraReport {
  const r: CameraReport = { state: s.state, sinceMs: parseIsoDateTime(s.since, 'since') };
  if (s.cause !== undefined) r.cause = s.cause;
  if (s.message !== undefined) r.message = s.message;
  if (s.retryAt !== undefined) r.retryAtMs = parseIsoDateTime(s.retryAt, 'retryAt');
  return r;
}

/** The camera's row with a new report; the failure's first sight is kept while it keeps failing. */
function withReport(row: CameraHealthRecord | undefined, deviceId: string, cameraId: string, report: CameraReport | undefined, receivedMs: number): CameraHealthRecord {
  const next: CameraHealthRecord = { deviceId, cameraId, reportedAtMs: receivedMs };
  if (report) next.report = report;
  if (report?.state === 'not-recording') {
    const wasFailing = row?.report?.state === 'not-recording' && row.failingSeenMs !== undefined;
    next.failingSeenMs = wasFailing ? row.failingSeenMs : receivedMs;
  }
  if (row?.announced) next.announced = row.announced;
  // An unchanged report keeps the time it was first received: `not-reported` and the grace count from the change.
  if (row && sameReport(row.report, report)) next.reportedAtMs = row.reportedAtMs;
  return next;
}

function sameReport(a: CameraReport | undefined, b: CameraReport | undefined): boolean {
  if (!a || !b) return a === b;
  return a.state === b.state && a.sinceMs === b.sinceMs && a.cause === b.cause && a.message === b.message && a.retryAtMs === b.retryAtMs;
}
