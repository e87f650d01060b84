import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { createLogger } from '../../../edge-agent/log';
import { EVENT_CONTENT_TYPE, MqttTransport } from '../../../edge-agent/transport/mqtt-transport';
import { startLocalBroker } from '../../../local/broker';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';

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
