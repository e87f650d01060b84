import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAMERA_OFFLINE_AFTER_MS, DEVICE_SILENCE_MS } from '../../../../shared/contracts/camera-health';
import { deriveCameraHealth, deriveDeviceHealth } from '../../../../shared/health/derive-health';
import type { CameraHealthRecord, DeviceHealthRecord } from '../../../../shared/health/health-records';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const online = (lastHeardMs = T0, stateSinceMs = T0 - 60_000): DeviceHealthRecord => ({ deviceId: 'site-1', state: 'online', stateSinceMs, lastHeardMs });
const camera = (report: CameraHealthRecord['report'], extra: Partial<CameraHealthRecord> = {}): CameraHealthRecord => ({ deviceId: 'site-1', cameraId: 'door', reportedAtMs: T0, ...(report ? { report } : {}), ...extra });

describe('deriveDeviceHealth', () => {
  it('is online while its statuses come, since its online period began', () => {
    assert.deepEqual(deriveDeviceHealth(online(T0), T0 + DEVICE_SILENCE_MS), { state: 'online', sinceMs: T0 - 60_000 });
  });

  it('is offline (device-offline) since its offline status: it stopped, or its last will came', () => {
    assert.deepEqual(deriveDeviceHealth({ deviceId: 'site-1', state: 'offline', stateSinceMs: T0, lastHeardMs: T0 }, T0 + 1), { state: 'offline', sinceMs: T0, cause: 'device-offline' });
  });

  it('is offline (device-silent) since its last status once none came for longer than DEVICE_SILENCE_MS', () => {
    assert.deepEqual(deriveDeviceHealth(online(T0), T0 + DEVICE_SILENCE_MS + 1), { state: 'offline', sinceMs: T0, cause: 'device-silent' });
  });

  it('is offline (device-silent), with no since, when it was never heard', () => {
    assert.deepEqual(deriveDeviceHealth(undefined, T0), { state: 'offline', cause: 'device-silent' });
  });
});

describe('deriveCameraHealth', () => {
  it('recording: the agent records it, since its report says', () => {
    const v = deriveCameraHealth({ device: online(), camera: camera({ state: 'recording', sinceMs: T0 - 5000 }), disabled: false }, T0);
    assert.deepEqual(v, { state: 'recording', sinceMs: T0 - 5000, lastHeardMs: T0 });
  });

  it('reconnecting, with cause, message and retryAt, while the cloud has known the failure for less than CAMERA_OFFLINE_AFTER_MS', () => {
    const report = { state: 'not-recording' as const, sinceMs: T0 - 2000, cause: 'connection-refused' as const, message: 'connection refused by 127.0.0.1:8554', retryAtMs: T0 + 1000 };
    const v = deriveCameraHealth({ device: online(), camera: camera(report, { failingSeenMs: T0 }), disabled: false }, T0 + CAMERA_OFFLINE_AFTER_MS - 1);
    assert.deepEqual(v, { state: 'reconnecting', sinceMs: T0 - 2000, cause: 'connection-refused', message: 'connection refused by 127.0.0.1:8554', retryAtMs: T0 + 1000, lastHeardMs: T0 });
  });

  it('offline since its first failure, with its cause, once the failure is CAMERA_OFFLINE_AFTER_MS old on the cloud clock (the agent clock may be skewed)', () => {
    // The agent's clock is an hour ahead: its `since` says nothing about how long the cloud has known.
    const report = { state: 'not-recording' as const, sinceMs: T0 + 3_600_000, cause: 'stream-ended' as const, message: 'the camera ended the stream' };
    const rows = { device: online(T0 + CAMERA_OFFLINE_AFTER_MS), camera: camera(report, { failingSeenMs: T0 }), disabled: false };
    assert.equal(deriveCameraHealth(rows, T0 + CAMERA_OFFLINE_AFTER_MS - 1).state, 'reconnecting');
    assert.deepEqual(deriveCameraHealth(rows, T0 + CAMERA_OFFLINE_AFTER_MS), { state: 'offline', sinceMs: T0 + 3_600_000, cause: 'stream-ended', message: 'the camera ended the stream', lastHeardMs: T0 + CAMERA_OFFLINE_AFTER_MS });
  });

  it('a failure with no cause (an agent that names none) is offline with cause unknown', () => {
    const v = deriveCameraHealth({ device: online(), camera: camera({ state: 'not-recording', sinceMs: T0 }, { failingSeenMs: T0 - CAMERA_OFFLINE_AFTER_MS }), disabled: false }, T0);
    assert.equal(v.cause, 'unknown');
    assert.equal(v.state, 'offline');
  });

  it('starting: reconnecting without a cause, however long its first segment takes', () => {
    const v = deriveCameraHealth({ device: online(T0 + 300_000), camera: camera({ state: 'starting', sinceMs: T0 }), disabled: false }, T0 + 300_000);
    assert.deepEqual(v, { state: 'reconnecting', sinceMs: T0, lastHeardMs: T0 + 300_000 });
  });

  it('its device offline: offline with the device cause and since, whatever the last report said', () => {
    const device: DeviceHealthRecord = { deviceId: 'site-1', state: 'offline', stateSinceMs: T0 + 1000, lastHeardMs: T0 + 1000 };
    const v = deriveCameraHealth({ device, camera: camera({ state: 'recording', sinceMs: T0 - 60_000 }), disabled: false }, T0 + 2000);
    assert.deepEqual(v, { state: 'offline', sinceMs: T0 + 1000, cause: 'device-offline', lastHeardMs: T0 + 1000 });
  });

  it('its device silent: offline (device-silent) since the last status', () => {
    const v = deriveCameraHealth({ device: online(T0), camera: camera({ state: 'recording', sinceMs: T0 - 60_000 }), disabled: false }, T0 + DEVICE_SILENCE_MS + 1);
    assert.deepEqual(v, { state: 'offline', sinceMs: T0, cause: 'device-silent', lastHeardMs: T0 });
  });

  it('already failing when its device went: since its own first failure, with its own cause', () => {
    const device: DeviceHealthRecord = { deviceId: 'site-1', state: 'offline', stateSinceMs: T0 + 60_000, lastHeardMs: T0 + 60_000 };
    const report = { state: 'not-recording' as const, sinceMs: T0, cause: 'unauthorized' as const, message: 'wrong username or password (401 Unauthorized)' };
    const v = deriveCameraHealth({ device, camera: camera(report), disabled: false }, T0 + 61_000);
    assert.deepEqual(v, { state: 'offline', sinceMs: T0, cause: 'unauthorized', message: 'wrong username or password (401 Unauthorized)', lastHeardMs: T0 + 60_000 });
  });

  it('never heard from its device: offline (device-silent) since the fallback (its last recorded instant)', () => {
    assert.deepEqual(deriveCameraHealth({ disabled: false, fallbackSinceMs: T0 - 5000 }, T0), { state: 'offline', sinceMs: T0 - 5000, cause: 'device-silent' });
  });

  it('no longer listed by its online device: offline (not-reported) since the status that dropped it', () => {
    const v = deriveCameraHealth({ device: online(T0 + 5000), camera: camera(undefined, { reportedAtMs: T0 + 3000 }), disabled: false }, T0 + 5000);
    assert.deepEqual(v, { state: 'offline', sinceMs: T0 + 3000, cause: 'not-reported', lastHeardMs: T0 + 5000 });
  });

  it('disabled before anything else: nothing else is said', () => {
    const v = deriveCameraHealth({ device: online(), camera: camera({ state: 'recording', sinceMs: T0 }), disabled: true }, T0);
    assert.deepEqual(v, { state: 'disabled' });
  });
});
