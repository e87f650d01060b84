import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger } from '../../../edge-agent/log';
import { readBrokerTls } from '../../../edge-agent/transport/broker-tls';
import { MqttTransport } from '../../../edge-agent/transport/mqtt-transport';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { makeSelfSignedCert, type TestCert } from '../../helpers/openssl-certs';
import { until } from '../../helpers/wait';

/**
 * X.509 device authentication (docs/devices.md): the local broker's TLS listener admits a device by the SHA-256
 * thumbprint of the self-signed client certificate it presents (Event Grid's `ThumbprintMatch` mode,
 * infra/modules/event-grid-mqtt.bicep), user name = client id = device id, and applies the same topic rules as to
 * password devices. The device side is the agent's own transport (edge-agent/transport/mqtt-transport.ts) with its PEM
 * files read by broker-tls.ts. Certificates come from `openssl req -x509`, as infra/README.md tells device owners to
 * make them.
 */
describe('local broker TLS listener: devices authenticate by client-certificate thumbprint', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-x509-'));
  let server: TestCert;
  let certA: TestCert;
  let certB: TestCert;
  let stranger: TestCert;
  let broker: LocalBroker;
  const received: BrokerMessage[] = [];
  const clients: MqttClient[] = [];

  before(async () => {
    server = makeSelfSignedCert(dir, 'broker');
    certA = makeSelfSignedCert(dir, 'dev-a');
    certB = makeSelfSignedCert(dir, 'dev-b');
    stranger = makeSelfSignedCert(dir, 'stranger');
    broker = await startLocalBroker({
      port: 0,
      tls: { port: 0, key: server.key, cert: server.cert },
      devices: {
        // openssl's colon form in lower case, to show both notations are accepted
        'dev-a': { thumbprints: [certA.thumbprint.toLowerCase().replace(/(..)(?!$)/g, '$1:')] },
        'dev-b': { thumbprints: [certB.thumbprint] },
        'dev-p': 'secret-of-dev-p',
      },
      onMessage: (m) => received.push(m),
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsOf = (c?: TestCert) => ({ ca: server.cert, ...(c ? { cert: c.cert, key: c.key } : {}) });

  /** A refused attempt resolves with the error; an accepted one fails the test. */
  async function refused(opts: mqtt.IClientOptions): Promise<Error & { code?: number }> {
    try {
      const c = await mqtt.connectAsync(broker.tlsUrl!, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
      await c.endAsync(true);
    } catch (err) {
      return err as Error & { code?: number };
    }
    throw new Error(`connection as ${JSON.stringify(opts.username)} was accepted`);
  }

  it("the agent's transport connects with its certificate files and what it publishes arrives as its own", async () => {
    const transport = new MqttTransport({
      deviceId: 'dev-a',
      url: broker.tlsUrl!,
      protocolVersion: 4,
      tls: readBrokerTls({ clientCertFile: certA.certFile, clientKeyFile: certA.keyFile, caFile: server.certFile }),
      logger: createLogger('silent'),
    });
    await transport.connect();
    try {
      await transport.publishEvent('keepwatch/dev-a/events/cam-1', { id: 'e1' });
      await until('the event forwarded', 5000, () => received.some((m) => m.topic === 'keepwatch/dev-a/events/cam-1'));
      const m = received.find((x) => x.topic === 'keepwatch/dev-a/events/cam-1')!;
      assert.equal(m.deviceId, 'dev-a');
      assert.deepEqual(JSON.parse(m.payload.toString()), { id: 'e1' });
    } finally {
      await transport.close();
    }
  });

  it('refuses at CONNECT: another registered certificate, an unregistered one, no certificate, or the right one under another user name', async () => {
    const attempts: Array<[string, mqtt.IClientOptions]> = [
      ["dev-b's certificate as dev-a", { clientId: 'dev-a', username: 'dev-a', ...tlsOf(certB) }],
      ['an unregistered certificate as dev-a', { clientId: 'dev-a', username: 'dev-a', ...tlsOf(stranger) }],
      ['no certificate and no password', { clientId: 'dev-a', username: 'dev-a', ...tlsOf() }],
      ["dev-a's certificate as dev-b", { clientId: 'dev-b', username: 'dev-b', ...tlsOf(certA) }],
      ["dev-a's certificate, user name dev-a, client id dev-b", { clientId: 'dev-b', username: 'dev-a', ...tlsOf(certA) }],
      ["dev-a's certificate as the password device dev-p", { clientId: 'dev-p', username: 'dev-p', password: 'secret-of-dev-p', ...tlsOf(certA) }],
      ["dev-a's certificate as an unknown device", { clientId: 'dev-z', username: 'dev-z', ...tlsOf(certA) }],
    ];
    for (const [what, opts] of attempts) {
      const err = await refused(opts);
      assert.match(err.message, /Bad username or password|Not authorized/i, `${what}: ${err.message}`);
    }
  });

  it('a thumbprint device has no password to fall back on; a password device still connects without a certificate', async () => {
    const err = await refused({ clientId: 'dev-a', username: 'dev-a', password: 'anything', ...tlsOf() });
    assert.match(err.message, /Bad username or password/i);
    const c = await mqtt.connectAsync(broker.tlsUrl!, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'dev-p', username: 'dev-p', password: 'secret-of-dev-p', ...tlsOf() });
    clients.push(c);
    await c.publishAsync('keepwatch/dev-p/events/cam-1', '{}', { qos: 1 });
    await until('dev-p event forwarded', 5000, () => received.some((m) => m.topic === 'keepwatch/dev-p/events/cam-1' && m.deviceId === 'dev-p'));
  });

  it('the topic rules hold for a certificate device: no publish as dev-b, no subscription to its commands, own commands allowed', async () => {
    const connectA = async () => {
      const c = await mqtt.connectAsync(broker.tlsUrl!, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'dev-a', username: 'dev-a', ...tlsOf(certA) });
      clients.push(c);
      return c;
    };
    const a = await connectA();
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    a.publish('keepwatch/dev-b/events/cam-1', '{"forged":true}', { qos: 1 }, () => {});
    await closed; // aedes closes the connection of an unauthorised publish (MQTT 3.1.1 has no negative PUBACK)

    const a2 = await connectA();
    const outcome = await a2.subscribeAsync('keepwatch/dev-b/commands/#', { qos: 1 }).then(
      (granted) => granted.map((g) => g.qos),
      (e: Error) => e.message,
    );
    assert.ok(outcome === 'Connection closed' || (Array.isArray(outcome) && outcome.every((q) => q === 128)), JSON.stringify(outcome));

    const a3 = await connectA();
    assert.deepEqual((await a3.subscribeAsync('keepwatch/dev-a/commands/#', { qos: 1 })).map((g) => g.qos), [1]);
    // Marker from dev-a's own topic: the forged publish, earlier on the same broker, had its chance to be forwarded.
    await a3.publishAsync('keepwatch/dev-a/events/marker', '{}', { qos: 1 });
    await until('marker forwarded', 5000, () => received.some((m) => m.topic === 'keepwatch/dev-a/events/marker'));
    assert.deepEqual(received.filter((m) => m.topic.startsWith('keepwatch/dev-b/')), []);
  });
});
