import type { CameraHealth } from '../../shared/contracts/camera-health';
import { deriveCameraHealth, type CameraHealthView } from '../../shared/health/derive-health';
import type { DeviceHealthSnapshot } from '../../shared/health/health-records';
import { toIso } from '../../shared/time';
import type { CameraRecord } from '../adapters/table/table-camera-store';
import type { FunctionsDeps } from '../deps';
import { readHealthProvisioning } from '../health/device-provisioning';

/**
 * The health of cameras as `GET /api/cameras` and `GET /api/cameras/{id}` show it, at the cloud's now
 * (shared/health/derive-health.ts): from the health rows of the device that records each camera (the camera row's
 * `deviceId`: the device of its latest segment, so another device's status never speaks for it) and that device's
 * provisioning and live pipelines (`disabled`, functions/health/device-provisioning.ts). A camera whose device was never heard is `offline` (`device-silent`) since its last
 * recorded instant.
 * @param cameras the camera rows; one health read per distinct device (all devices at once when there are several)
 * @returns one health per camera, in the same order
 * @throws TransientError when storage fails in a way a retry may fix
 */
export async function readCameraHealth(cameras: readonly CameraRecord[], deps: Pick<FunctionsDeps, 'health' | 'devices' | 'pipelines' | 'now'>): Promise<CameraHealth[]> {
  const deviceIds = [...new Set(cameras.map((c) => c.deviceId))];
  const snapshots = new Map<string, DeviceHealthSnapshot>();
  if (deviceIds.length === 1) snapshots.set(deviceIds[0], (await deps.health.read(deviceIds[0])).snapshot);
  else if (deviceIds.length > 1) for (const s of await deps.health.list()) snapshots.set(s.snapshot.deviceId, s.snapshot);
  const provisioning = new Map(await Promise.all(deviceIds.map(async (id) => [id, await readHealthProvisioning(id, deps)] as const)));
  const nowMs = deps.now();
  return cameras.map((c) => {
    const snapshot = snapshots.get(c.deviceId);
    const view = deriveCameraHealth(
      { device: snapshot?.device, camera: snapshot?.cameras.get(c.cameraId), disabled: provisioning.get(c.deviceId)!.disabled(c.cameraId), fallbackSinceMs: c.lastRecordedMs },
      nowMs,
    );
    return healthItem(view);
  });
}

/** A health view as the API shows it: ISO 8601 UTC with ms, absent fields left out. */
export function healthItem(v: CameraHealthView): CameraHealth {
  const out: CameraHealth = { state: v.state };
  if (v.sinceMs !== undefined) out.since = toIso(v.sinceMs);
  if (v.cause !== undefined) out.cause = v.cause;
  if (v.message !== undefined) out.message = v.message;
  if (v.retryAtMs !== undefined) out.retryAt = toIso(v.retryAtMs);
  if (v.lastHeardMs !== undefined) out.lastHeard = toIso(v.lastHeardMs);
  return out;
}
