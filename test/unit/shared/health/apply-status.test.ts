import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEVICE_SILENCE_MS } from '../../../../shared/contracts/camera-health';
import { deviceStatusSchema, type DeviceStatus } from '../../../../shared/contracts/device-status';
import { applyDeviceStatus } from '../../../../shared/health/apply-status';
import type { DeviceHealthSnapshot } from '../../../../shared/health/health-records';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const empty = (): DeviceHealthSnapshot => ({ deviceId: 'site-1', cameras: new Map() });
const all = () => true;
const status = (state: 'online' | 'offline', cameras?: DeviceStatus['cameras']): DeviceStatus => deviceStatusSchema.parse({ deviceId: 'site-1', state, time: iso(T0), ...(cameras ? { cameras } : {}) });

describe('applyDeviceStatus', () => {
  it("records the device's state, when the cloud heard it, and each camera's report in epoch ms", () => {
    const s = applyDeviceStatus(empty(), status('online', { door: { state: 'not-recording', since: iso(T0 - 1000), cause: 'timeout', message: 'no answer', retryAt: iso(T0 + 2000) } }), T0, all);
    assert.deepEqual(s.device, { deviceId: 'site-1', state: 'online', stateSinceMs: T0, lastHeardMs: T0 });
    assert.deepEqual(s.cameras.get('door'), {
      deviceId: 'site-1',
      cameraId: 'door',
      reportedAtMs: T0,
      report: { state: 'not-recording', sinceMs: T0 - 1000, cause: 'timeout', message: 'no answer', retryAtMs: T0 + 2000 },
      failingSeenMs: T0,
    });
  });

  it('a status received before the newest one applied changes nothing (redelivery, reordering)', () => {
    const s1 = applyDeviceStatus(empty(), status('offline'), T0 + 1000, all);
    const s2 = applyDeviceStatus(s1, status('online', { door: { state: 'recording', since: iso(T0) } }), T0, all);
    assert.equal(s2, s1);
  });

  it('keeps the online period across heartbeats, begins a new one after offline or after silence', () => {
    const a = applyDeviceStatus(empty(), status('online'), T0, all);
    const b = applyDeviceStatus(a, status('online'), T0 + 15_000, all);
    assert.equal(b.device?.stateSinceMs, T0);
    const silentThenBack = applyDeviceStatus(b, status('online'), T0 + 15_000 + DEVICE_SILENCE_MS + 1, all);
    assert.equal(silentThenBack.device?.stateSinceMs, T0 + 15_000 + DEVICE_SILENCE_MS + 1);
    const off = applyDeviceStatus(b, status('offline'), T0 + 20_000, all);
    assert.deepEqual([off.device?.state, off.device?.stateSinceMs], ['offline', T0 + 20_000]);
    const back = applyDeviceStatus(off, status('online'), T0 + 21_000, all);
    assert.deepEqual([back.device?.state, back.device?.stateSinceMs], ['online', T0 + 21_000]);
  });

  it("keeps the cloud's first sight of a failure while the camera keeps failing; a new failure after recording is seen anew", () => {
    const failing = (since: number) => status('online', { door: { state: 'not-recording', since: iso(since), cause: 'connection-refused', retryAt: iso(since + 5000) } });
    const a = applyDeviceStatus(empty(), failing(T0), T0, all);
    const b = applyDeviceStatus(a, failing(T0), T0 + 4000, all);
    assert.equal(b.cameras.get('door')?.failingSeenMs, T0);
    const c = applyDeviceStatus(b, status('online', { door: { state: 'recording', since: iso(T0 + 9000) } }), T0 + 9000, all);
    assert.equal(c.cameras.get('door')?.failingSeenMs, undefined);
    const d = applyDeviceStatus(c, failing(T0 + 20_000), T0 + 20_000, all);
    assert.equal(d.cameras.get('door')?.failingSeenMs, T0 + 20_000);
  });

  it('a last will (no cameras) keeps the camera reports; an online status that no longer lists a camera drops its report', () => {
    const a = applyDeviceStatus(empty(), status('online', { door: { state: 'recording', since: iso(T0) }, yard: { state: 'recording', since: iso(T0) } }), T0, all);
    const will = applyDeviceStatus(a, status('offline'), T0 + 1000, all);
    assert.equal(will.cameras.get('door')?.report?.state, 'recording');
    const dropped = applyDeviceStatus(a, status('online', { door: { state: 'recording', since: iso(T0) } }), T0 + 2000, all);
    assert.equal(dropped.cameras.get('yard')?.report, undefined);
    assert.equal(dropped.cameras.get('yard')?.reportedAtMs, T0 + 2000);
    assert.equal(dropped.cameras.get('door')?.reportedAtMs, T0, 'an unchanged report keeps when it was first received');
  });

  it('ignores the cameras the device does not own (a device speaks only for its own cameras)', () => {
    const s = applyDeviceStatus(empty(), status('online', { door: { state: 'recording', since: iso(T0) }, 'not-mine': { state: 'recording', since: iso(T0) } }), T0, (c) => c === 'door');
    assert.deepEqual([...s.cameras.keys()], ['door']);
  });

  it('does not change the snapshot it was given', () => {
    const a = applyDeviceStatus(empty(), status('online', { door: { state: 'recording', since: iso(T0) } }), T0, all);
    const copy = structuredClone(a);
    applyDeviceStatus(a, status('offline'), T0 + 1, all);
    applyDeviceStatus(a, status('online', {}), T0 + 2, all);
    assert.deepEqual(a, copy);
  });
});
