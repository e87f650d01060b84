import net from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { TOPIC_ROOT } from '../shared/topics';

/** An MQTT message a device published, as the local stack hands it on. */
export interface BrokerMessage {
  /** Device id the broker authenticated (= MQTT client id and user name). */
  deviceId: string;
  topic: string;
  payload: Buffer;
  /** MQTT 5 content type, when the client sent one. */
  contentType?: string;
  /** MQTT 5 payload format indicator (true = UTF-8). */
  payloadFormatIndicator?: boolean;
}

/** Options of {@link startLocalBroker}. */
export interface LocalBrokerOptions {
  /** TCP port on 127.0.0.1 (0 = any free port). */
  port: number;
  /** Device credentials: device id → password. A device connects with client id = user name = its id. */
  devices: Record<string, string>;
  /** Called for every message a device publishes under `keepwatch/{deviceId}/`. */
  onMessage: (msg: BrokerMessage) => void;
  /**
   * Cloud clients: user name → password (client id free). They may publish commands
   * (`keepwatch/+/commands/+`) and integration events (`keepwatch-integration/#`), and subscribe to anything;
   * their messages are not handed to `onMessage`. None by default.
   */
  cloudClients?: Record<string, string>;
}

/** A running embedded broker. */
export interface LocalBroker {
  port: number;
  url: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Starts the embedded MQTT broker of the local stack (aedes, MQTT 3.1.1 — aedes does not speak
 * MQTT 5 yet, see its README; the agent is configured with protocolVersion 4 against it). It
 * applies the rules Event Grid's topic spaces apply in Azure: a device authenticates with its own
 * credentials (client id = user name = device id), publishes only under `keepwatch/{its id}/`, and
 * subscribes only to `keepwatch/{its id}/commands/#`. Optional cloud clients (`cloudClients`) stand in for the
 * cloud: they publish commands and integration events and may subscribe to anything.
 */
export async function startLocalBroker(opts: LocalBrokerOptions): Promise<LocalBroker> {
  const { Aedes } = await import('aedes');
  /** Connections that authenticated as cloud clients (by connection, so a device reusing the id gains nothing). */
  const cloud = new WeakSet<object>();
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const cloudSecret = username ? opts.cloudClients?.[username] : undefined;
      if (cloudSecret !== undefined && password !== undefined && sameSecret(password.toString(), cloudSecret)) {
        cloud.add(client);
        return done(null, true);
      }
      const expected = username ? opts.devices[username] : undefined;
      const ok = expected !== undefined && client.id === username && password !== undefined && sameSecret(password.toString(), expected);
      if (ok) return done(null, true);
      const err = Object.assign(new Error('bad user name or password'), { returnCode: 4 });
      done(err as never, false);
    },
    authorizePublish: (client, packet, done) => {
      if (client && cloud.has(client) && (/^keepwatch\/[^/]+\/commands\/[^/]+$/.test(packet.topic) || packet.topic.startsWith('keepwatch-integration/'))) return done(null);
      if (client && !cloud.has(client) && packet.topic.startsWith(`${TOPIC_ROOT}/${client.id}/`) && !packet.topic.includes('/commands/')) return done(null);
      done(new Error(`device '${client?.id}' may not publish on ${packet.topic}`));
    },
    authorizeSubscribe: (client, sub, done) => {
      if (client && cloud.has(client)) return done(null, sub);
      if (client && (sub.topic === `${TOPIC_ROOT}/${client.id}/commands/#` || sub.topic.startsWith(`${TOPIC_ROOT}/${client.id}/commands/`))) return done(null, sub);
      done(new Error(`device '${client?.id}' may not subscribe to ${sub.topic}`), null);
    },
  });
  broker.on('publish', (packet, client) => {
    if (!client || cloud.has(client)) return; // the broker's own $SYS and will messages, and the cloud's, are not device events
    const props = (packet as { properties?: { contentType?: string; payloadFormatIndicator?: boolean } }).properties;
    opts.onMessage({
      deviceId: client.id,
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      contentType: props?.contentType,
      payloadFormatIndicator: props?.payloadFormatIndicator,
    });
  });
  const server = net.createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
