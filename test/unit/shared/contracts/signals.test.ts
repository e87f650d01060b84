import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseDeviceEvent } from '../../../../shared/contracts/device-events';
import { signalFromHttp, signalFromMqtt } from '../../../../shared/contracts/signals';
import { cameraCommandsTopic, cameraSignalsTopic, deviceCommandsFilter, integrationEventsTopic, parseCameraCommandsTopic, parseCameraSignalsTopic } from '../../../../shared/contracts/topics';

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.code === code && message.test(e.message), message.source);
}

const T = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function deviceEvent(type: string, data: unknown, id = 'e-1') {
  return { specversion: '1.0', id, source: '/devices/site-1', type, time: iso(T), datacontenttype: 'application/json', data };
}

describe('signals (shared/contracts/signals.ts) and their topics', () => {
  it('reads an agent motion signal with its boxes and span', () => {
    const e = parseDeviceEvent(deviceEvent('signal', { cameraId: 'door', type: 'motion', time: iso(T), end: iso(T + 800), boxes: [{ l: 0.1, t: 0.2, w: 0.3, h: 0.4 }] }, 'motion-door-1'), 'site-1', 'door');
    assert.equal(e.kind, 'signal');
    assert.deepEqual(e.kind === 'signal' && e.signal, { id: 'motion-door-1', cameraId: 'door', deviceId: 'site-1', type: 'motion', atMs: T, endMs: T + 800, boxes: [{ l: 0.1, t: 0.2, w: 0.3, h: 0.4 }], origin: 'device' });
  });

  it('reads segment.recorded, the EVR clock', () => {
    const e = parseDeviceEvent(deviceEvent('segment.recorded', { cameraId: 'door', start: iso(T), durationMs: 2000, bytes: 1000 }, 'recorded-door-1'), 'site-1', 'door');
    assert.deepEqual(e.kind === 'segment.recorded' && e.recorded, { deviceId: 'site-1', cameraId: 'door', startMs: T, durationMs: 2000, bytes: 1000, eventId: 'recorded-door-1' });
    const w = parseDeviceEvent(deviceEvent('segment.recorded', { cameraId: 'door', start: iso(T), durationMs: 2000, bytes: 1000, signalsThrough: iso(T + 500) }, 'recorded-door-2'), 'site-1', 'door');
    assert.equal(w.kind === 'segment.recorded' && w.recorded.signalsThroughMs, T + 500);
  });

  it('refuses bad signal data with the event id and the key, and a camera that is not the topic\'s', () => {
    rejects(() => parseDeviceEvent(deviceEvent('signal', { cameraId: 'door', type: 'Motion!', time: iso(T) }), 'site-1'), 'InvalidEventData', /type/);
    rejects(() => parseDeviceEvent(deviceEvent('signal', { cameraId: 'door', type: 'motion', time: iso(T), boxes: [{ l: 2, t: 0, w: 0, h: 0 }] }), 'site-1'), 'InvalidEventData', /boxes\[0\]\.l/);
    rejects(() => parseDeviceEvent(deviceEvent('signal', { cameraId: 'door', type: 'motion', time: iso(T), end: iso(T - 1) }), 'site-1'), 'InvalidSignal', /end .* must be at or after time/);
    rejects(() => parseDeviceEvent(deviceEvent('signal', { cameraId: 'door', type: 'motion', time: iso(T) }), 'site-1', 'yard'), 'CameraMismatch', /does not match the topic's camera 'yard'/);
    rejects(() => parseDeviceEvent(deviceEvent('segment.recorded', { cameraId: 'door', start: iso(T), durationMs: 0, bytes: 1 }), 'site-1'), 'InvalidEventData', /durationMs/);
  });

  it('an MQTT door-sensor signal: default time is the broker\'s, default id a hash of topic and payload (a redelivery is the same signal)', () => {
    const raw = Buffer.from('{"type":"door","properties":{"state":"open"}}');
    const a = signalFromMqtt({ deviceId: 'site-1', cameraId: 'door' }, JSON.parse(raw.toString()), T, raw);
    const b = signalFromMqtt({ deviceId: 'site-1', cameraId: 'door' }, JSON.parse(raw.toString()), T + 5, raw);
    assert.equal(a.id, b.id);
    assert.match(a.id, /^mqtt-[0-9a-f]{32}$/);
    assert.deepEqual({ ...a, id: '' }, { id: '', cameraId: 'door', deviceId: 'site-1', type: 'door', atMs: T, properties: { state: 'open' }, origin: 'mqtt' });
    const other = signalFromMqtt({ deviceId: 'site-1', cameraId: 'yard' }, JSON.parse(raw.toString()), T, raw);
    assert.notEqual(other.id, a.id);
    const withId = signalFromMqtt({ deviceId: 'site-1', cameraId: 'door' }, { id: 'door-7:open', type: 'door', time: iso(T - 1000) }, T, raw);
    assert.equal(withId.id, 'door-7:open');
    assert.equal(withId.atMs, T - 1000);
    rejects(() => signalFromMqtt({ deviceId: 'site-1', cameraId: 'door' }, { type: 'door', colour: 'red' }, T, raw), 'InvalidSignal', /unknown key 'colour'/);
    rejects(() => signalFromMqtt({ deviceId: 'site-1', cameraId: 'door' }, { type: 'door', properties: { big: 'x'.repeat(5000) } }, T, raw), 'InvalidSignal', /properties/);
  });

  it('an HTTP signal: default time is the request\'s, default id from the caller\'s generator', () => {
    assert.deepEqual(signalFromHttp('door', { type: 'door' }, T, () => 'http-1'), { id: 'http-1', cameraId: 'door', type: 'door', atMs: T, origin: 'http' });
    assert.deepEqual(signalFromHttp('door', { type: 'alarm', time: iso(T + 1), label: 'intrusion', confidence: 0.9 }, T, () => 'x'), { id: 'x', cameraId: 'door', type: 'alarm', atMs: T + 1, label: 'intrusion', confidence: 0.9, origin: 'http' });
    rejects(() => signalFromHttp('door', {}, T, () => 'x'), 'InvalidSignal', /type/);
    rejects(() => signalFromHttp('door', { type: 'door', time: 'yesterday' }, T, () => 'x'), 'InvalidSignal', /time/);
    rejects(() => signalFromHttp('door', { type: 'door', id: 'a/b' }, T, () => 'x'), 'InvalidSignal', /id/);
    rejects(() => signalFromHttp('door', null, T, () => 'x'), 'InvalidSignal', /signal/);
  });

  it('builds and splits the signal and command topics; integration topics stay outside every device tree', () => {
    assert.equal(cameraSignalsTopic('site-1', 'door'), 'keepwatch/site-1/signals/door');
    assert.deepEqual(parseCameraSignalsTopic('keepwatch/site-1/signals/door'), { deviceId: 'site-1', cameraId: 'door' });
    assert.equal(parseCameraSignalsTopic('keepwatch/site-1/events/door'), undefined);
    assert.equal(parseCameraSignalsTopic('keepwatch/site-1/signals/Door'), undefined);
    assert.equal(cameraCommandsTopic('site-1', 'door'), 'keepwatch/site-1/commands/door');
    assert.deepEqual(parseCameraCommandsTopic('keepwatch/site-1/commands/door'), { deviceId: 'site-1', cameraId: 'door' });
    assert.equal(deviceCommandsFilter('site-1'), 'keepwatch/site-1/commands/#');
    assert.equal(integrationEventsTopic('recording.started'), 'keepwatch-integration/recording.started');
    assert.throws(() => integrationEventsTopic('a/#'), /not a topic level/);
    assert.throws(() => cameraSignalsTopic('site-1', '../x'), ValidationError);
  });
});
