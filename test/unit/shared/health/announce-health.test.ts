import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAMERA_OFFLINE_AFTER_MS, cameraOfflineDataSchema, cameraOnlineDataSchema, deviceOfflineDataSchema, deviceOnlineDataSchema } from '../../../../shared/contracts/camera-health';
import { deviceStatusSchema, type DeviceStatus } from '../../../../shared/contracts/device-status';
import { announceHealth } from '../../../../shared/health/announce-health';
import { applyDeviceStatus } from '../../../../shared/health/apply-status';
import type { DeviceHealthSnapshot } from '../../../../shared/health/health-records';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const all = () => true;
const none = () => false;
const status = (state: 'online' | 'offline', cameras?: DeviceStatus['cameras']): DeviceStatus => deviceStatusSchema.parse({ deviceId: 'site-1', state, time: iso(T0), ...(cameras ? { cameras } : {}) });

/** Applies a status received at `atMs` and announces at `atMs`, as ingest does. */
function step(s: DeviceHealthSnapshot, st: DeviceStatus | undefined, atMs: number, disabled = none) {
  return announceHealth(st ? applyDeviceStatus(s, st, atMs, all) : s, atMs, disabled);
}
const types = (r: { events: Array<{ type: string; subject?: string }> }) => r.events.map((e) => `${e.type} ${e.subject}`);

describe('announceHealth', () => {
  it('announces a device online and its recording cameras online once; heartbeats announce nothing more', () => {
    const a = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) } }), T0);
    assert.deepEqual(types(a), ['device.online site-1', 'camera.online door']);
    assert.deepEqual(a.events[1].data, { deviceId: 'site-1', cameraId: 'door', since: iso(T0) });
    assert.ok(cameraOnlineDataSchema.safeParse(a.events[1].data).success);
    assert.ok(deviceOnlineDataSchema.safeParse(a.events[0].data).success);
    const b = step(a.snapshot, status('online', { door: { state: 'recording', since: iso(T0) } }), T0 + 15_000);
    assert.deepEqual(b.events, []);
  });

  it('a camera that fails stays unannounced while reconnecting, is announced offline with its cause after the grace, online when it records again', () => {
    const up = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) } }), T0).snapshot;
    const failing = status('online', { door: { state: 'not-recording', since: iso(T0 + 1000), cause: 'connection-refused', message: 'connection refused by 127.0.0.1:8554', retryAt: iso(T0 + 2000) } });
    const down = step(up, failing, T0 + 1000);
    assert.deepEqual(down.events, [], 'reconnecting announces nothing');
    const sweep = announceHealth(down.snapshot, T0 + 1000 + CAMERA_OFFLINE_AFTER_MS, none);
    assert.deepEqual(types(sweep), ['camera.offline door']);
    assert.deepEqual(sweep.events[0].data, { deviceId: 'site-1', cameraId: 'door', since: iso(T0 + 1000), cause: 'connection-refused', message: 'connection refused by 127.0.0.1:8554' });
    assert.ok(cameraOfflineDataSchema.safeParse(sweep.events[0].data).success);
    assert.deepEqual(announceHealth(sweep.snapshot, T0 + 30_000, none).events, [], 'announced once');
    const back = step(sweep.snapshot, status('online', { door: { state: 'recording', since: iso(T0 + 40_000) } }), T0 + 40_000);
    assert.deepEqual(types(back), ['camera.online door']);
  });

  it('a camera back within the grace is never announced offline', () => {
    const up = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) } }), T0).snapshot;
    const blip = step(up, status('online', { door: { state: 'not-recording', since: iso(T0 + 1000), cause: 'stream-ended' } }), T0 + 1000).snapshot;
    const back = step(blip, status('online', { door: { state: 'recording', since: iso(T0 + 3000) } }), T0 + 3000);
    assert.deepEqual(back.events, []);
    assert.deepEqual(announceHealth(back.snapshot, T0 + 3000 + 45_000, none).events, [], "nothing later either, while its device is heard");
  });

  it('the last will: device.offline naming its cameras, and camera.offline (device-offline) for each', () => {
    const up = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) }, yard: { state: 'recording', since: iso(T0) } }), T0).snapshot;
    const will = step(up, status('offline'), T0 + 5000);
    assert.deepEqual(types(will), ['device.offline site-1', 'camera.offline door', 'camera.offline yard']);
    assert.deepEqual(will.events[0].data, { deviceId: 'site-1', since: iso(T0 + 5000), cause: 'device-offline', cameraIds: ['door', 'yard'] });
    assert.ok(deviceOfflineDataSchema.safeParse(will.events[0].data).success);
    assert.deepEqual(will.events[1].data, { deviceId: 'site-1', cameraId: 'door', since: iso(T0 + 5000), cause: 'device-offline' });
  });

  it('ids are made of type, device, camera and since: the same change decided twice is the same id, a new outage a new one', () => {
    const up = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) } }), T0).snapshot;
    const a = step(up, status('offline'), T0 + 5000);
    const again = step(up, status('offline'), T0 + 5000);
    assert.deepEqual(a.events.map((e) => e.id), again.events.map((e) => e.id));
    assert.deepEqual(a.events.map((e) => e.id), [`device-offline-site-1-${T0 + 5000}`, `camera-offline-site-1-door-${T0 + 5000}`]);
    const back = step(a.snapshot, status('online', { door: { state: 'recording', since: iso(T0 + 9000) } }), T0 + 9000).snapshot;
    const second = step(back, status('offline'), T0 + 20_000);
    assert.notDeepEqual(second.events.map((e) => e.id), a.events.map((e) => e.id));
  });

  it("a camera that kept recording through its device's outage is announced online again with a new id", () => {
    const first = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) } }), T0);
    const gone = step(first.snapshot, status('offline'), T0 + 5000);
    const back = step(gone.snapshot, status('online', { door: { state: 'recording', since: iso(T0) } }), T0 + 20_000);
    const online = back.events.find((e) => e.type === 'camera.online')!;
    assert.deepEqual(online.data, { deviceId: 'site-1', cameraId: 'door', since: iso(T0) });
    assert.notEqual(online.id, first.events.find((e) => e.type === 'camera.online')!.id);
    assert.equal(online.id, `camera-online-site-1-door-${T0}-after-${T0 + 5000}`);
  });

  it('a silent device (no last will) is announced offline (device-silent) by the passage of time alone', () => {
    const up = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) } }), T0).snapshot;
    assert.deepEqual(announceHealth(up, T0 + 45_000, none).events, []);
    const later = announceHealth(up, T0 + 45_001, none);
    assert.deepEqual(types(later), ['device.offline site-1', 'camera.offline door']);
    assert.equal((later.events[0].data as { cause: string }).cause, 'device-silent');
  });

  it('announces nothing for a disabled camera', () => {
    const r = step({ deviceId: 'site-1', cameras: new Map() }, status('online', { door: { state: 'recording', since: iso(T0) } }), T0, () => true);
    assert.deepEqual(types(r), ['device.online site-1']);
  });
});
