import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { until } from '../../helpers/wait';

/**
 * docs/security.md: the embedded broker of the local stack (local/broker.ts, aedes, MQTT 3.1.1) applies the rules of
 * the Event Grid topic spaces: a device connects only with its own credentials (client id = user name = device id),
 * publishes only under `keepwatch/{its id}/` and never on `.../commands/...`, and subscribes only to
 * `keepwatch/{its id}/commands/...`. Every denial is checked by what reaches the broker's consumer (`onMessage`, the
 * feed of the ingest function) or the subscriber, not only by the error the client sees.
 */
const DEVICES = { 'dev-1': 'secret-of-dev-1', 'dev-2': 'secret-of-dev-2' };
/** MQTT 3.1.1 SUBACK return code for a refused subscription. */
const SUBACK_FAILURE = 128;

describe('local broker (aedes): per-device credentials and topic rules', () => {
  let broker: LocalBroker;
  const received: BrokerMessage[] = [];
  const clients: MqttClient[] = [];

  before(async () => {
    broker = await startLocalBroker({ port: 0, devices: DEVICES, onMessage: (m) => received.push(m) });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await broker?.close();
  });

  async function connect(deviceId: keyof typeof DEVICES, o: { will?: mqtt.IClientOptions['will'] } = {}): Promise<MqttClient> {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: deviceId, username: deviceId, password: DEVICES[deviceId], reconnectPeriod: 0, ...o });
    clients.push(c);
    return c;
  }

  /** Refused connection attempts: resolves with the error (the CONNACK code is in it), rejects when one is accepted. */
  async function refused(opts: mqtt.IClientOptions): Promise<Error & { code?: number }> {
    try {
      const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
      await c.endAsync(true);
    } catch (err) {
      return err as Error & { code?: number };
    }
    throw new Error(`connection ${JSON.stringify({ ...opts, password: '…' })} was accepted`);
  }

  it('refuses bad credentials: wrong or missing password, unknown device, client id other than the user name', async () => {
    const attempts: mqtt.IClientOptions[] = [
      { clientId: 'dev-1', username: 'dev-1', password: 'secret-of-dev-2' },
      { clientId: 'dev-1', username: 'dev-1', password: 'secret-of-dev-1x' },
      { clientId: 'dev-1', username: 'dev-1' },
      { clientId: 'dev-1', username: 'dev-1', password: '' },
      { clientId: 'dev-3', username: 'dev-3', password: 'secret-of-dev-1' },
      { clientId: 'dev-2', username: 'dev-1', password: 'secret-of-dev-1' }, // dev-1's credentials presented as dev-2
      { clientId: 'dev-1' },
    ];
    for (const a of attempts) {
      const err = await refused(a);
      assert.match(err.message, /Bad username or password|Not authorized/i, `${JSON.stringify(a.clientId)}/${JSON.stringify(a.username)}: ${err.message}`);
    }
  });

  it('accepts a device with its own credentials and forwards what it publishes under its own id', async () => {
    const c = await connect('dev-1');
    await c.publishAsync('keepwatch/dev-1/events/cam-1', '{"own":true}', { qos: 1 });
    await until('own event forwarded', 5000, () => received.some((m) => m.topic === 'keepwatch/dev-1/events/cam-1'));
    assert.equal(received.find((m) => m.topic === 'keepwatch/dev-1/events/cam-1')!.deviceId, 'dev-1');
  });

  for (const topic of ['keepwatch/dev-2/events/cam-1', 'keepwatch/dev-2/signals/cam-1', 'keepwatch/dev-2/status', 'keepwatch/dev-1/commands/cam-1', 'keepwatch/dev-2/commands/cam-1', 'keepwatch/dev-1', 'other/dev-1/events/cam-1', 'keepwatch/dev-10/events/cam-1']) {
    it(`dev-1 cannot publish on ${topic}: nothing is forwarded and the broker drops the connection`, async () => {
      const c = await connect('dev-1');
      const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
      // MQTT 3.1.1 has no negative PUBACK: aedes answers an unauthorised publish by closing the connection.
      c.publish(topic, '{"forged":true}', { qos: 1 }, () => {});
      await closed;
      // A control message published afterwards by dev-2 on its own topic arrives: so the forged one had its chance.
      await flush();
      assert.deepEqual(received.filter((m) => m.topic === topic), []);
    });
  }

  /** Publishes a marker as dev-2 on its own topic and waits until the consumer has it: earlier traffic had its chance. */
  async function flush(): Promise<void> {
    const d2 = await connect('dev-2');
    const marker = `keepwatch/dev-2/events/marker-${received.length}`;
    await d2.publishAsync(marker, '{}', { qos: 1 });
    await until('control message forwarded', 5000, () => received.some((m) => m.topic === marker));
  }

  it("a will message on another device's topic never reaches the consumer, even when the connection dies", async () => {
    const will = { topic: 'keepwatch/dev-2/status', payload: Buffer.from('{"state":"offline"}'), qos: 1 as const, retain: false };
    let accepted: MqttClient | undefined;
    try {
      accepted = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'dev-1', username: 'dev-1', password: DEVICES['dev-1'], reconnectPeriod: 0, will });
    } catch {
      accepted = undefined; // refused at CONNECT: also a denial
    }
    if (accepted) {
      const closed = new Promise<void>((resolve) => accepted!.once('close', () => resolve()));
      accepted.stream.destroy(); // an unclean end: the broker publishes the will now, if it ever does
      await closed;
    }
    await flush();
    assert.deepEqual(received.filter((m) => m.topic === will.topic), []);
  });

  for (const topic of ['keepwatch/dev-2/commands/#', 'keepwatch/dev-2/commands/cam-1', 'keepwatch/+/commands/#', 'keepwatch/#', '#', 'keepwatch/dev-2/events/#', '$share/g/keepwatch/dev-2/commands/#', 'keepwatch/dev-1/events/#']) {
    it(`dev-1 cannot subscribe to ${topic}: refused, and dev-2's traffic never reaches it`, async () => {
      const c = await connect('dev-1');
      const leaked: string[] = [];
      c.on('message', (t) => leaked.push(t));
      // aedes answers a refused subscription by closing the connection (an error from authorizeSubscribe); a SUBACK
      // with 128 would be the other valid refusal. Both count; a granted QoS does not.
      const outcome = await c.subscribeAsync(topic, { qos: 1 }).then(
        (granted) => granted.map((g) => g.qos),
        (err: Error) => err.message,
      );
      assert.ok(outcome === 'Connection closed' || (Array.isArray(outcome) && outcome.every((q) => q === SUBACK_FAILURE)), `${topic}: ${JSON.stringify(outcome)}`);
      const d2 = await connect('dev-2');
      await d2.publishAsync('keepwatch/dev-2/events/cam-9', '{}', { qos: 1 });
      await flush();
      assert.deepEqual(leaked, []);
    });
  }

  it('dev-1 may subscribe to its own commands', async () => {
    const c = await connect('dev-1');
    const granted = await c.subscribeAsync('keepwatch/dev-1/commands/#', { qos: 1 });
    assert.deepEqual(granted.map((g) => g.qos), [1]);
  });
});
