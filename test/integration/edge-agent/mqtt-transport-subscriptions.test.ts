import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqtt from 'mqtt';
import { createLogger } from '../../../edge-agent/log';
import { MqttTransport } from '../../../edge-agent/transport/mqtt-transport';
import { startLocalBroker } from '../../../local/broker';
import { deviceCommandsFilter } from '../../../shared/contracts/topics';
import { startMosquitto } from '../../helpers/mosquitto';
import { freePort } from '../../../testbed/ports';
import { startTcpProxy } from '../../../testbed/tcp-proxy';
import { until } from '../../helpers/wait';

describe('MqttTransport subscriptions (EVR commands)', () => {
  it('aedes: subscribes on connect, and again after the broker restarted without its sessions; a cloud client may publish commands, a device may not', async () => {
    const port = await freePort();
    const opts = { port, devices: { 'site-s': 'pw', 'site-x': 'pw' }, cloudClients: { 'keepwatch-cloud': 'cloud-pw' }, onMessage: () => {} };
    let broker = await startLocalBroker(opts);
    const got: Array<{ topic: string; payload: string }> = [];
    const transport = new MqttTransport({
      deviceId: 'site-s',
      url: broker.url,
      password: 'pw',
      protocolVersion: 4,
      reconnectPeriodMs: 200,
      logger: createLogger('silent'),
      subscriptions: [deviceCommandsFilter('site-s')],
      onMessage: (topic, payload) => got.push({ topic, payload: payload.toString() }),
      persistentSession: true,
    });
    await transport.connect();
    const cloudOpts = { clientId: 'cloud-1', username: 'keepwatch-cloud', password: 'cloud-pw', protocolVersion: 4 as const, reconnectPeriod: 0 };
    let cloud = await mqtt.connectAsync(broker.url, cloudOpts);
    try {
      await until('first command delivered', 10_000, async () => {
        await cloud.publishAsync('keepwatch/site-s/commands/cam-1', 'one', { qos: 1 });
        return got.some((m) => m.payload === 'one');
      });
      assert.equal(got.find((m) => m.payload === 'one')?.topic, 'keepwatch/site-s/commands/cam-1');

      // Another device may not publish commands (the broker drops the connection of a refused QoS 1 publish on 3.1.1).
      const other = await mqtt.connectAsync(broker.url, { clientId: 'site-x', username: 'site-x', password: 'pw', protocolVersion: 4, reconnectPeriod: 0 });
      other.publish('keepwatch/site-s/commands/cam-1', 'forged', { qos: 0 });
      await new Promise((r) => setTimeout(r, 500));
      await other.endAsync(true);
      assert.ok(!got.some((m) => m.payload === 'forged'), 'a device cannot command another');

      // A fresh broker knows no session: the transport must subscribe again itself.
      await cloud.endAsync(true);
      await broker.close();
      broker = await startLocalBroker(opts);
      await until('reconnected', 20_000, () => transport.connected);
      cloud = await mqtt.connectAsync(broker.url, cloudOpts);
      await until('command after the broker restart delivered', 10_000, async () => {
        await cloud.publishAsync('keepwatch/site-s/commands/cam-1', 'two', { qos: 1 });
        return got.some((m) => m.payload === 'two');
      });
    } finally {
      await cloud.endAsync(true);
      await transport.close();
      await broker.close();
    }
  });

  it('Mosquitto (MQTT 5): with a persistent session, a command published while the device was cut off arrives after the reconnect', async () => {
    const mosq = await startMosquitto();
    const proxy = await startTcpProxy(mosq.port);
    const got: string[] = [];
    const transport = new MqttTransport({
      deviceId: 'site-p',
      url: `mqtt://127.0.0.1:${proxy.port}`,
      reconnectPeriodMs: 200,
      logger: createLogger('silent'),
      subscriptions: [deviceCommandsFilter('site-p')],
      onMessage: (_t, payload) => got.push(payload.toString()),
      persistentSession: true,
    });
    const cloud = await mqtt.connectAsync(mosq.url, { clientId: 'cloud-p', protocolVersion: 5 });
    try {
      await transport.connect();
      await until('subscribed', 10_000, async () => {
        await cloud.publishAsync('keepwatch/site-p/commands/cam-1', 'before', { qos: 1 });
        return got.includes('before');
      });
      proxy.cut();
      await until('disconnected', 10_000, () => !transport.connected);
      await cloud.publishAsync('keepwatch/site-p/commands/cam-1', 'while-away', { qos: 1 });
      proxy.restore();
      await until('the command sent while away delivered', 15_000, () => got.includes('while-away'));
    } finally {
      await cloud.endAsync(true);
      await transport.close();
      await proxy.close();
      await mosq.stop();
    }
  });
});
