import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { sessionClientId, startLocalBroker, type LocalBroker } from '../../../local/broker';
import { until } from '../../helpers/wait';

/**
 * docs/security.md "Client ids are owned": on the local broker (aedes, local/broker.ts) every role's client id is bound
 * to the user name that presents it, as Event Grid binds a session to the client's authentication name. A signal
 * publisher (a door sensor) or a cloud client that connects with a device's client id, even with a clean start, neither
 * kicks the device off nor wipes its persistent session: the device keeps its connection, its subscription and the
 * commands queued for it. Checked by what the device receives and whether its connection closes.
 */
const DEVICES = { 'dev-1': 'secret-of-dev-1', 'dev-2': 'secret-of-dev-2' };
const SENSOR = { username: 'door-sensor', password: 'sensor-pw' };
const WINDOW = { username: 'window-sensor', password: 'window-pw' };
const CLOUD = { username: 'keepwatch-cloud', password: 'cloud-pw' };
const COMMANDS = 'keepwatch/dev-1/commands/#';

describe('local broker: client ids are bound to their user name', () => {
  let broker: LocalBroker;
  const clients: MqttClient[] = [];

  before(async () => {
    broker = await startLocalBroker({
      port: 0,
      devices: DEVICES,
      signalPublishers: {
        [SENSOR.username]: { password: SENSOR.password, topics: ['keepwatch/dev-1/signals/door'] },
        [WINDOW.username]: { password: WINDOW.password, topics: ['keepwatch/dev-1/signals/window'] },
      },
      cloudClients: { [CLOUD.username]: CLOUD.password },
      onMessage: () => {},
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await broker?.close();
  });

  async function connect(o: IClientOptions): Promise<MqttClient> {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...o });
    clients.push(c);
    return c;
  }

  /** dev-1 with a persistent session subscribed to its commands; collects what arrives and whether it was closed. */
  async function device(): Promise<{ c: MqttClient; got: string[]; closed: () => boolean }> {
    const c = await connect({ clientId: 'dev-1', username: 'dev-1', password: DEVICES['dev-1'], clean: false });
    const got: string[] = [];
    let closed = false;
    c.on('message', (_t, p) => got.push(p.toString()));
    c.on('close', () => (closed = true));
    await c.subscribeAsync(COMMANDS, { qos: 1 });
    return { c, got, closed: () => closed };
  }

  it('keeps a device id as it is and binds every other client id to its user name', () => {
    assert.equal(sessionClientId('dev-1', 'dev-1'), 'dev-1');
    assert.equal(sessionClientId('door-sensor', 'dev-1'), 'door-sensor/dev-1');
    assert.equal(sessionClientId('keepwatch-cloud', 'keepwatch-cloud-1a2b3c4d'), 'keepwatch-cloud/keepwatch-cloud-1a2b3c4d');
    assert.equal(sessionClientId('a/b', 'c'), 'a%2Fb/c', 'a user name cannot reach into another user name');
    assert.equal(sessionClientId('a', 'b/c'), 'a/b/c');
    assert.equal(sessionClientId('Door', 'Door'), 'Door/Door', 'only a valid id is kept as it is');
    assert.equal(sessionClientId('door-sensor', ''), '', 'an empty id stays empty: the broker makes a random one');
  });

  it("a signal publisher or a cloud client presenting the device's client id (clean start) leaves the device connected and subscribed", async () => {
    const dev = await device();
    const cloud = await connect({ clientId: 'cloud-observer', ...CLOUD });
    for (const [who, opts] of [
      ['signal publisher', { clientId: 'dev-1', ...SENSOR, clean: true }],
      ['cloud client', { clientId: 'dev-1', ...CLOUD, clean: true }],
    ] as const) {
      const intruder = await connect(opts);
      await cloud.publishAsync('keepwatch/dev-1/commands/door', `after the ${who}`, { qos: 1 });
      await until(`the command after the ${who} reached dev-1`, 5000, () => dev.got.includes(`after the ${who}`));
      assert.equal(dev.closed(), false, `the ${who} did not take dev-1's connection over`);
      assert.equal(intruder.connected, true, `the ${who} got a session of its own`);
      await intruder.endAsync();
    }
    await dev.c.endAsync();
  });

  it("a clean start under the device's client id while the device is away does not wipe its session: the commands queued meanwhile arrive", async () => {
    let dev = await device();
    await dev.c.endAsync(); // away, its persistent session kept by the broker
    const intruder = await connect({ clientId: 'dev-1', ...SENSOR, clean: true });
    await intruder.endAsync();
    const cloud = await connect({ clientId: 'cloud-queue', ...CLOUD });
    await cloud.publishAsync('keepwatch/dev-1/commands/door', 'queued while away', { qos: 1 });
    const back = await connect({ clientId: 'dev-1', username: 'dev-1', password: DEVICES['dev-1'], clean: false });
    const got: string[] = [];
    back.on('message', (_t, p) => got.push(p.toString()));
    await until('the queued command reached dev-1', 5000, () => got.includes('queued while away'));
    dev = { c: back, got, closed: () => false };
    await dev.c.endAsync();
  });

  it("one signal publisher cannot take another's client id; a device still cannot use another device's id", async () => {
    const win = await connect({ clientId: WINDOW.username, ...WINDOW });
    let closed = false;
    win.on('close', () => (closed = true));
    const door = await connect({ clientId: WINDOW.username, ...SENSOR });
    await door.publishAsync('keepwatch/dev-1/signals/door', '{"type":"door"}', { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(closed, false, "the window sensor's connection stayed");
    await assert.rejects(connect({ clientId: 'dev-1', username: 'dev-2', password: DEVICES['dev-2'] }), /Bad username or password|Not authorized/i);
  });
});
