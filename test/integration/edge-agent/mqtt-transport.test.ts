import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { createLogger } from '../../../edge-agent/log';
import { EVENT_CONTENT_TYPE, MqttTransport } from '../../../edge-agent/transport/mqtt-transport';
import { startLocalBroker } from '../../../local/broker';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { until } from '../../helpers/wait';
import { deviceStatusSchema, type AgentCameraStatus } from '../../../shared/contracts/device-status';

describe('MqttTransport against Mosquitto (MQTT 5)', () => {
  let broker: Mosquitto;
  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    await broker.stop();
  });

  it('publishes CloudEvents at QoS 1 with MQTT 5 content type and UTF-8 indicator, and a retained online/offline status', async () => {
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'observer' });
    const received: Array<{ topic: string; payload: string; qos: number; props: mqtt.IPublishPacket['properties']; retain: boolean }> = [];
    sub.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), qos: packet.qos, props: packet.properties, retain: packet.retain }));
    await sub.subscribeAsync('keepwatch/#', { qos: 1 });

    const transport = new MqttTransport({ deviceId: 'site-1', url: broker.url, logger: createLogger('silent') });
    await transport.connect();
    const event = { specversion: '1.0', id: 'e1', source: '/devices/site-1', type: 'segment.uploaded', time: new Date().toISOString(), data: { n: 1 } };
    await transport.publishEvent('keepwatch/site-1/events/cam-1', event);
    await new Promise((r) => setTimeout(r, 300));
    const ev = received.find((m) => m.topic === 'keepwatch/site-1/events/cam-1');
    assert.ok(ev, 'event delivered');
    assert.deepEqual(JSON.parse(ev.payload), event);
    assert.equal(ev.qos, 1);
    assert.equal(ev.props?.contentType, EVENT_CONTENT_TYPE);
    assert.equal(ev.props?.payloadFormatIndicator, true);
    const online = received.find((m) => m.topic === 'keepwatch/site-1/status');
    assert.equal(online && JSON.parse(online.payload).state, 'online');

    await transport.close();
    await sub.endAsync();
    // A late subscriber sees the retained last status: offline.
    const late = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'late' });
    const retained = new Promise<string>((resolve) => late.on('message', (_t, p) => resolve(p.toString())));
    await late.subscribeAsync('keepwatch/site-1/status');
    assert.equal(JSON.parse(await retained).state, 'offline');
    await late.endAsync();
  });

  it("puts each camera's state in its online status, publishes it again on publishStatus() and as a heartbeat; offline lists none", async () => {
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'status-observer' });
    const statuses: unknown[] = [];
    sub.on('message', (_topic, payload) => statuses.push(JSON.parse(payload.toString())));
    await sub.subscribeAsync('keepwatch/site-3/status', { qos: 1 });
    let cameras: Record<string, AgentCameraStatus> = { door: { state: 'starting', since: '2026-12-07T10:00:00.000Z' } };
    const transport = new MqttTransport({ deviceId: 'site-3', url: broker.url, logger: createLogger('silent'), cameraStates: () => cameras, statusHeartbeatMs: 200 });
    await transport.connect();
    await until('the online status', 5000, () => statuses.length >= 1);
    const first = deviceStatusSchema.parse(statuses[0]);
    assert.deepEqual([first.deviceId, first.state, first.cameras], ['site-3', 'online', cameras]);

    cameras = { door: { state: 'not-recording', since: '2026-12-07T10:00:05.000Z', cause: 'connection-refused', message: 'connection refused by 127.0.0.1:554', retryAt: '2026-12-07T10:00:06.000Z', maxRetryDelayMs: 30_000 } };
    transport.publishStatus();
    await until('the changed status', 5000, () => statuses.some((x) => deviceStatusSchema.parse(x).cameras?.door?.state === 'not-recording'));
    const count = statuses.length;
    await until('two heartbeats more', 10_000, () => statuses.length >= count + 2);
    for (const x of statuses.slice(count)) assert.deepEqual(deviceStatusSchema.parse(x).cameras, cameras, 'each heartbeat with the states of its moment');

    await transport.close();
    await until('the offline status', 5000, () => statuses.some((x) => deviceStatusSchema.parse(x).state === 'offline'));
    const offline = deviceStatusSchema.parse(statuses.find((x) => deviceStatusSchema.parse(x).state === 'offline'));
    assert.equal(offline.cameras, undefined);
    const settled = statuses.length;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(statuses.length, settled, 'no heartbeat after close');
    await sub.endAsync();
  });

  it('refuses to start against a broker that does not speak its protocol version, with a clear error', async () => {
    const local = await startLocalBroker({ port: 0, devices: { 'site-2': 'pw' }, onMessage: () => {} });
    try {
      const v5 = new MqttTransport({ deviceId: 'site-2', url: local.url, password: 'pw', logger: createLogger('silent') });
      await assert.rejects(v5.connect(), /refused the connection/);
      const v4 = new MqttTransport({ deviceId: 'site-2', url: local.url, password: 'pw', protocolVersion: 4, logger: createLogger('silent') });
      await v4.connect();
      await v4.close();
    } finally {
      await local.close();
    }
  });
});
