import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalBroker } from '../../../local/broker';
import { silentLogger } from '../../../local/host-logger';
import { deviceSecretSha256 } from '../../../shared/device-secret';
import { cameraCommandsTopic, deviceCommandsFilter } from '../../../shared/contracts/topics';
import { noDeviceSessions, type DeviceSessions } from '../../../shared/ports/device-sessions';
import { describeDeviceSessionsContract, type DeviceConnection, type DeviceSessionsHarness } from '../../helpers/contracts/device-sessions';

/**
 * The DeviceSessions contract (test/helpers/contracts/device-sessions.ts) on both implementations, each against the
 * local stack's real broker (local/broker.ts, aedes) with provisioned devices logging in with their device secrets:
 * the broker's own `endDeviceSessions` (as local/stack.ts hands it to the functions) and `noDeviceSessions` (Azure,
 * where the functions cannot reach the broker's sessions: there the broker is left as it is).
 */
const CLOUD = { username: 'keepwatch-cloud', password: 'cloud-pw' };

/** A fresh broker and cloud client; `sessionsOf` picks the implementation under test. */
async function harness(sessionsOf: (broker: { endDeviceSessions: DeviceSessions['end'] }) => DeviceSessions): Promise<DeviceSessionsHarness> {
  const secrets = new Map<string, string>();
  const secretOf = (id: string) => secrets.get(id) ?? secrets.set(id, randomBytes(32).toString('base64url')).get(id)!;
  let hold: { deviceId: string; checked: () => void; gate: Promise<void> } | undefined;
  const broker = await startLocalBroker({
    port: 0,
    devices: {},
    cloudClients: { [CLOUD.username]: CLOUD.password },
    provisionedDevice: async (deviceId) => {
      const record = { deviceId, secretSha256: deviceSecretSha256(secretOf(deviceId)), cameras: ['cam1'], createdAtMs: 0, secretSetAtMs: 0, disabled: false };
      const h = hold;
      if (h?.deviceId === deviceId) {
        hold = undefined;
        h.checked();
        await h.gate;
      }
      return record;
    },
    onMessage: () => {},
    logger: silentLogger,
  });
  const clients: MqttClient[] = [];
  const cloud = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'functions', ...CLOUD, reconnectPeriod: 0 });
  clients.push(cloud);
  const connect = (deviceId: string) =>
    mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: deviceId, username: deviceId, password: secretOf(deviceId), clean: false, reconnectPeriod: 0, connectTimeout: 5000 });
  /** Wraps a connected client: records commands and the broker closing it, then subscribes (a refused subscription of a client closed meanwhile is ignored). */
  const connection = async (c: MqttClient): Promise<DeviceConnection> => {
    clients.push(c);
    const received: string[] = [];
    c.on('message', (_t, p) => received.push(p.toString()));
    const closed = c.connected ? new Promise<void>((resolve) => c.once('close', () => resolve())) : Promise.resolve();
    const resubscribe = async () => void (await c.subscribeAsync(deviceCommandsFilter(c.options.clientId!), { qos: 1 }));
    await resubscribe().catch((err: unknown) => {
      if (c.connected) throw err;
    });
    return { received, closed, isOpen: () => c.connected, resubscribe, end: () => c.endAsync(true) };
  };
  return {
    sessions: sessionsOf(broker),
    connectDevice: async (deviceId) => connection(await connect(deviceId)),
    connectDeviceHeld: async (deviceId) => {
      let checked!: () => void;
      let release!: () => void;
      const isHeld = new Promise<void>((r) => (checked = r));
      hold = { deviceId, checked, gate: new Promise<void>((r) => (release = r)) };
      const pending = connect(deviceId).then(connection);
      await isHeld;
      return { release, connection: pending };
    },
    sendCommand: async (deviceId, text) => void (await cloud.publishAsync(cameraCommandsTopic(deviceId, 'cam1'), text, { qos: 1 })),
    close: async () => {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await broker.close();
    },
  };
}

describe('DeviceSessions on the local broker (aedes)', () => {
  describeDeviceSessionsContract('local broker endDeviceSessions', () => harness((broker) => ({ end: (id, reason) => broker.endDeviceSessions(id, reason) })), {
    ends: true,
    unreachable: { notApplicable: 'the broker runs in the same process as the functions (local/stack.ts): there is no connection to lose' },
  });
  describeDeviceSessionsContract('noDeviceSessions (Azure)', () => harness(() => noDeviceSessions), {
    ends: false,
    unreachable: { notApplicable: 'it reaches no broker at all' },
  });
});
