import { CAMERA_OFFLINE_AFTER_MS, DEVICE_SILENCE_MS, type CameraHealthCause, type CameraHealthState, type DeviceOfflineCause } from '../contracts/camera-health';
import type { CameraHealthRecord, DeviceHealthRecord } from './health-records';

/** A device's health at one instant: online since when, or offline since when and why (epoch ms UTC). */
export type DeviceHealthView = { state: 'online'; sinceMs: number } | { state: 'offline'; sinceMs?: number; cause: DeviceOfflineCause };

/** A camera's health at one instant (shared/contracts/camera-health.ts `CAMERA_HEALTH_STATES`), epoch ms UTC. */
export interface CameraHealthView {
  state: CameraHealthState;
  /** When it entered the state; absent for `disabled`, and for a camera whose device was never heard and that has no other time. */
  sinceMs?: number;
  cause?: CameraHealthCause;
  message?: string;
  /** `reconnecting` after a failure: when the agent tries again. */
  retryAtMs?: number;
  /** When the cloud received the device's newest status. */
  lastHeardMs?: number;
}

/**
 * A device's health at `nowMs`: `offline` (`device-offline`) since its `offline` status (it stopped, or its last will
 * came); `offline` (`device-silent`) since its last status when none came for more than `DEVICE_SILENCE_MS`, or
 * when it never sent one; else `online` since its online period began.
 */
export function deriveDeviceHealth(device: DeviceHealthRecord | undefined, nowMs: number): DeviceHealthView {
  if (!device) return { state: 'offline', cause: 'device-silent' };
  if (device.state === 'offline') return { state: 'offline', sinceMs: device.stateSinceMs, cause: 'device-offline' };
  if (nowMs - device.lastHeardMs > DEVICE_SILENCE_MS) return { state: 'offline', sinceMs: device.lastHeardMs, cause: 'device-silent' };
  return { state: 'online', sinceMs: device.stateSinceMs };
}

/**
 * A camera's health at `nowMs`, from its device's rows (docs/api.md "Camera health"), in this order:
 * 1. `disabled` when its device is revoked or no longer provisioned for it, or its live pipelines are deactivated
 *    (functions/health/device-provisioning.ts);
 * 2. its device offline or silent: `offline` with the device's cause and since — unless the camera was already failing,
 *    then since its first failure, with its own cause (the older, truer reason);
 * 3. the device's status no longer lists it (or never did): `offline`, `not-reported`, since that status;
 * 4. the agent's report: `recording` → `recording`; `starting` → `reconnecting` (no cause); `not-recording` →
 *    `reconnecting` with its cause and `retryAt` while the cloud has known the failure for less than
 *    `CAMERA_OFFLINE_AFTER_MS`, then `offline` since the first failure, with its cause.
 * @param fallbackSinceMs `since` when nothing else gives one (a camera whose device was never heard: its last recorded instant)
 */
export function deriveCameraHealth(
  input: { device?: DeviceHealthRecord; camera?: CameraHealthRecord; disabled: boolean; fallbackSinceMs?: number },
  nowMs: number,
): CameraHealthView {
  if (input.disabled) return { state: 'disabled' };
  const heard = input.device ? { lastHeardMs: input.device.lastHeardMs } : {};
  const device = deriveDeviceHealth(input.device, nowMs);
  const report = input.camera?.report;
  const failing = report?.state === 'not-recording' ? report : undefined;
  if (device.state === 'offline') {
    const deviceSinceMs = device.sinceMs ?? input.fallbackSinceMs;
    if (failing && (deviceSinceMs === undefined || failing.sinceMs <= deviceSinceMs)) {
      return { state: 'offline', sinceMs: failing.sinceMs, ...causeOf(failing), ...heard };
    }
    return { state: 'offline', ...(deviceSinceMs === undefined ? {} : { sinceMs: deviceSinceMs }), cause: device.cause, ...heard };
  }
  if (!report) {
    const sinceMs = input.camera?.reportedAtMs ?? input.device?.stateSinceMs ?? input.fallbackSinceMs;
    return { state: 'offline', ...(sinceMs === undefined ? {} : { sinceMs }), cause: 'not-reported', ...heard };
  }
  if (report.state === 'recording') return { state: 'recording', sinceMs: report.sinceMs, ...heard };
  if (report.state === 'starting') return { state: 'reconnecting', sinceMs: report.sinceMs, ...heard };
  const seenMs = input.camera?.failingSeenMs ?? input.camera?.reportedAtMs ?? nowMs;
  if (nowMs - seenMs < CAMERA_OFFLINE_AFTER_MS) {
    return { state: 'reconnecting', sinceMs: report.sinceMs, ...causeOf(report), ...(report.retryAtMs === undefined ? {} : { retryAtMs: report.retryAtMs }), ...heard };
  }
  return { state: 'offline', sinceMs: report.sinceMs, ...causeOf(report), ...heard };
}

function causeOf(r: { cause?: CameraHealthCause; message?: string }): { cause: CameraHealthCause; message?: string } {
  return { cause: r.cause ?? 'unknown', ...(r.message === undefined ? {} : { message: r.message }) };
}
