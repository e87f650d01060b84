import net from 'node:net';
import tls from 'node:tls';
import { createHash, timingSafeEqual } from 'node:crypto';
import { deviceSecretMatches } from '../shared/device-secret';
import { ValidationError } from '../shared/errors';
import { ID_PATTERN } from '../shared/ids';
import type { DeviceRecord } from '../functions/adapters/table/table-device-store';
import { INTEGRATION_TOPIC_ROOT, TOPIC_ROOT } from '../shared/contracts/topics';
import { silentLogger, type HostLogger } from './host-logger';

/** An MQTT message a device or a signal publisher published, as the local stack hands it on. */
export interface BrokerMessage {
  /** Device id the broker authenticated (= MQTT client id and user name); for a signal publisher, its user name. */
  deviceId: string;
  /**
   * The user name the broker authenticated (a device's id, a signal publisher's name): what Event Grid calls the
   * client's authentication name, stamped on the routed message as the `kwclient` enrichment (shared/event-grid-mqtt.ts).
   */
  authenticationName: string;
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
  /**
   * Device credentials: device id → its password, or `{ password?, thumbprints? }`. A device connects with client
   * id = user name = its id. `thumbprints` (SHA-256 of the DER certificate, hex, colons and case ignored; up to two
   * for a rotation, as Event Grid's `ThumbprintMatch` clients, infra/modules/event-grid-mqtt.bicep) lets it
   * authenticate on the TLS listener ({@link LocalBrokerOptions.tls}) by the client certificate it presents instead
   * of a password.
   */
  devices: Record<string, string | DeviceCredential>;
  /**
   * Optional second listener, MQTT over TLS on 127.0.0.1, asking every client for a certificate (self-signed ones
   * included: the thumbprint is the check, as Event Grid's thumbprint mode). A client that presents a certificate is
   * authenticated by it alone (its thumbprint must be registered for the user name; a password is not looked at); a
   * client without one authenticates with a password as on the plain listener.
   */
  tls?: { /** TCP port (0 = any free port). */ port: number; /** PEM server key. */ key: string | Buffer; /** PEM server certificate. */ cert: string | Buffer };
  /**
   * External signal publishers (a door sensor, an alarm panel): user name → password and the topics it may publish
   * (MQTT filters allowed, e.g. `keepwatch/site-1/signals/door` or `keepwatch/site-1/signals/+`); only signals topics
   * `keepwatch/{deviceId}/signals/{cameraId}` are ever granted. Any client id, bound to its user name
   * ({@link sessionClientId}): it names a session of that publisher only. It may not subscribe.
   */
  signalPublishers?: Record<string, { password: string; topics: string[] }>;
  /**
   * The cloud's own clients (the functions' device commands, integration events): user name → password. Any client
   * id, bound to the user name like a signal publisher's; they may publish `keepwatch/+/commands/+` and `keepwatch-integration/#` and subscribe to anything. Their
   * publishes are NOT handed to `onMessage` (they are not device events).
   */
  cloudClients?: Record<string, string>;
  /**
   * Provisioned devices (docs/devices.md): a user name found in none of the lists above is looked up here,
   * and the device connects with its device secret as the MQTT password (client id = user name = device id), checked
   * in constant time against the stored SHA-256; an unknown or disabled device is refused. The local stack passes its
   * device store, so a device provisioned with `npm run provision-device` connects too. It rejects with a
   * ValidationError for a malformed id (refused, CONNACK 4); any other rejection means the store is unreachable and the
   * client gets CONNACK 3 "server unavailable" (it retries; its credentials are not called wrong).
   */
  provisionedDevice?: (deviceId: string) => Promise<DeviceRecord | undefined>;
  /** Called for every message a device publishes under `keepwatch/{deviceId}/` and every signal publisher's message. */
  onMessage: (msg: BrokerMessage) => void;
  /**
   * Where the broker logs connections (info), refusals at CONNECT and denied publishes/subscriptions (warn), with
   * client id, user name, role, method and topic; never a password or certificate. Default: nothing.
   */
  logger?: HostLogger;
}

/** How one device may authenticate: a password, registered certificate thumbprints, or both. */
export interface DeviceCredential {
  /** Secret: never logged. */
  password?: string;
  /** SHA-256 thumbprints (hex) of the device's client certificates. */
  thumbprints?: string[];
}

/** A running embedded broker. */
export interface LocalBroker {
  port: number;
  url: string;
  /** `mqtts://127.0.0.1:{port}` of the TLS listener, when {@link LocalBrokerOptions.tls} was given. */
  tlsUrl?: string;
  tlsPort?: number;
  /**
   * Ends a device's sessions because its credential changed (shared/ports/device-sessions.ts; the functions call it on
   * rotation and revocation through the local stack): closes its connection, closes a connection that was being
   * authenticated meanwhile as soon as it is ready (it may have been checked against the old secret), and for
   * `revoked` drops its persistent session's subscriptions, so nothing is queued for it any more.
   * @returns true (this broker always can)
   */
  endDeviceSessions(deviceId: string, reason: 'rotated' | 'revoked'): Promise<boolean>;
  close(): Promise<void>;
}

const SIGNALS_TOPIC = /^keepwatch\/[a-z0-9-]{1,32}\/signals\/[a-z0-9-]{1,32}$/;
const COMMANDS_TOPIC = /^keepwatch\/[a-z0-9-]{1,32}\/commands\/[a-z0-9-]{1,32}$/;

/** MQTT topic filter matching (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** A thumbprint as Event Grid and openssl print it, normalised: upper-case hex without colons. */
export function normalizeThumbprint(text: string): string {
  return text.replace(/:/g, '').toUpperCase();
}

/**
 * The session a CONNECT addresses: its client id is bound to the user name that presents it (docs/security.md "Client
 * ids are owned"). Event Grid keys a session by the client's authentication name and refuses one client the session of
 * another (Event Grid docs, "How to establish multiple sessions for a single client"); aedes keys sessions by client id
 * alone, so any user could present a device's client id, take its connection over and, with a clean start, wipe its
 * persistent session (subscriptions, queued commands). So: a client id equal to a user name that is a valid id (a
 * device's, whose client id must be its id) is kept; any other becomes `{user name, URI-encoded}/{client id}`, which
 * never equals a device id (it has a `/`) nor a session of another user (the encoded name has no `/`). An empty client
 * id stays empty (aedes makes a random one); without a user name nothing is bound (refused at authentication).
 */
export function sessionClientId(username: string | undefined, clientId: string): string {
  if (username === undefined || clientId === '' || (clientId === username && ID_PATTERN.test(username))) return clientId;
  return `${encodeURIComponent(username)}/${clientId}`;
}

/** SHA-256 thumbprint of the certificate a TLS client presented; undefined on a plain socket or without one. */
function peerThumbprint(conn: unknown): string | undefined {
  if (!(conn instanceof tls.TLSSocket)) return undefined;
  const cert = conn.getPeerCertificate();
  return cert && cert.fingerprint256 ? normalizeThumbprint(cert.fingerprint256) : undefined;
}

/** Constant-time comparison that does not leak the length either: the SHA-256 digests (32 bytes each) are compared. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Starts the embedded MQTT broker of the local stack (aedes, MQTT 3.1.1 — aedes does not speak
 * MQTT 5 yet, see its README; the agent is configured with protocolVersion 4 against it). It
 * applies the rules Event Grid's topic spaces apply in Azure: a device authenticates with its own
 * credentials (client id = user name = device id), publishes only under `keepwatch/{its id}/` (events, status, its
 * own signals topics; never commands), and subscribes only to `keepwatch/{its id}/commands/#`. Signal publishers and
 * cloud clients: see {@link LocalBrokerOptions}. A user name is looked up in devices, then signal publishers, then
 * cloud clients; the first match decides. With `tls`, a second listener (MQTT over TLS) also admits devices by their
 * client certificate's SHA-256 thumbprint, as Event Grid's `ThumbprintMatch` clients (Event Grid docs, "MQTT client
 * authentication"), with the same topic rules. Every client id is bound to the user name that presents it ({@link sessionClientId}): no
 * client can take over, or clean, another's session.
 * @throws Error when a port cannot be bound (nothing is left listening)
 */
export async function startLocalBroker(opts: LocalBrokerOptions): Promise<LocalBroker> {
  const { Aedes } = await import('aedes');
  const log = opts.logger ?? silentLogger;
  const publishers = opts.signalPublishers ?? {};
  const cloud = opts.cloudClients ?? {};
  // Role of each connected client, by client object (set at authentication).
  const roles = new WeakMap<object, { role: 'device' | 'signal-publisher' | 'cloud'; user: string }>();
  // How many times each device's sessions were ended (endDeviceSessions), and that count when each client began to
  // authenticate: a device client that began before the last end is closed once ready.
  const sessionEnds = new Map<string, number>();
  const endsAtAuthentication = new WeakMap<object, number>();
  const roleOf = (client: object | null | undefined) => (client ? roles.get(client) : undefined);
  const broker = await Aedes.createBroker({
    // Runs before aedes reads the client id (lib/handlers/connect.js `init`), so the session is the bound one.
    preConnect: (_client, packet, done) => {
      packet.clientId = sessionClientId(packet.username, packet.clientId ?? '');
      done(null, true);
    },
    authenticate: (client, username, password, done) => {
      endsAtAuthentication.set(client, sessionEnds.get(username ?? '') ?? 0);
      const given = password?.toString();
      const thumbprint = peerThumbprint((client as { conn?: unknown }).conn);
      let role: 'device' | 'signal-publisher' | 'cloud' | undefined;
      if (username && thumbprint !== undefined) {
        // A presented certificate decides alone, for devices only (Event Grid: one authentication method per client).
        const registered = Object.hasOwn(opts.devices, username) ? credentialOf(opts.devices[username]).thumbprints ?? [] : [];
        role = client.id === username && registered.some((t) => normalizeThumbprint(t) === thumbprint) ? 'device' : undefined;
      } else if (username && given !== undefined) {
        if (Object.hasOwn(opts.devices, username)) {
          const expected = credentialOf(opts.devices[username]).password;
          role = client.id === username && expected !== undefined && sameSecret(given, expected) ? 'device' : undefined;
        } else if (Object.hasOwn(publishers, username)) role = sameSecret(given, publishers[username].password) ? 'signal-publisher' : undefined;
        else if (Object.hasOwn(cloud, username)) role = sameSecret(given, cloud[username]) ? 'cloud' : undefined;
      }
      const method = thumbprint !== undefined ? 'certificate' : 'password';
      const finish = (granted: typeof role) => {
        if (granted) {
          roles.set(client, { role: granted, user: username! });
          log.info({ clientId: client.id, user: username, role: granted, method }, 'MQTT client connected');
          return done(null, true);
        }
        log.warn({ clientId: client.id, user: username ?? null, method }, 'MQTT client refused at CONNECT: bad user name, password or certificate');
        const err = Object.assign(new Error('bad user name or password'), { returnCode: 4 });
        done(err as never, false);
      };
      const listed = username !== undefined && [opts.devices, publishers, cloud].some((m) => Object.hasOwn(m, username));
      if (role || listed || !opts.provisionedDevice || !username || given === undefined || client.id !== username) return finish(role);
      opts.provisionedDevice(username).then(
        (d) => finish(d && !d.disabled && deviceSecretMatches(given, d.secretSha256) ? 'device' : undefined),
        (err: unknown) => {
          if (err instanceof ValidationError) return finish(undefined); // a malformed id: refused, like a wrong password
          // The device store is unreachable: CONNACK 3 "server unavailable", so the device retries instead of being
          // told its credentials are wrong.
          log.warn({ clientId: client.id, user: username, err: err instanceof Error ? err.message : String(err) }, 'MQTT client not admitted at CONNECT: the device store is unavailable');
          done(Object.assign(new Error('device store unavailable'), { returnCode: 3 }) as never, false);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      const r = roleOf(client);
      const topic = packet.topic;
      if (r?.role === 'device' && topic.startsWith(`${TOPIC_ROOT}/${client!.id}/`) && !topic.includes('/commands/')) return done(null);
      if (r?.role === 'signal-publisher' && SIGNALS_TOPIC.test(topic) && publishers[r.user].topics.some((f) => topicMatches(f, topic))) return done(null);
      if (r?.role === 'cloud' && (COMMANDS_TOPIC.test(topic) || topic.startsWith(`${INTEGRATION_TOPIC_ROOT}/`))) return done(null);
      log.warn({ clientId: client?.id, user: r?.user ?? null, topic }, 'MQTT publish denied');
      done(new Error(`client '${client?.id}' may not publish on ${topic}`));
    },
    authorizeSubscribe: (client, sub, done) => {
      const r = roleOf(client);
      if (r?.role === 'cloud') return done(null, sub);
      if (r?.role === 'device' && (sub.topic === `${TOPIC_ROOT}/${client!.id}/commands/#` || sub.topic.startsWith(`${TOPIC_ROOT}/${client!.id}/commands/`))) return done(null, sub);
      log.warn({ clientId: client?.id, user: r?.user ?? null, topic: sub.topic }, 'MQTT subscription denied');
      done(new Error(`client '${client?.id}' may not subscribe to ${sub.topic}`), null);
    },
  });
  broker.on('clientReady', (client) => {
    const r = roleOf(client);
    if (r?.role !== 'device' || (endsAtAuthentication.get(client) ?? 0) === (sessionEnds.get(r.user) ?? 0)) return;
    log.warn({ clientId: client.id, user: r.user }, 'MQTT device connection closed: its credential was rotated or revoked while it connected');
    client.close();
  });
  broker.on('publish', (packet, client) => {
    if (!client) return; // the broker's own $SYS and will messages are not device events
    const r = roleOf(client);
    if (!r || r.role === 'cloud') return; // the cloud's own commands and integration events are not device events
    const props = (packet as { properties?: { contentType?: string; payloadFormatIndicator?: boolean } }).properties;
    opts.onMessage({
      deviceId: r.role === 'device' ? client.id : r.user,
      authenticationName: r.user,
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      contentType: props?.contentType,
      payloadFormatIndicator: props?.payloadFormatIndicator,
    });
  });
  const server = net.createServer((socket) => broker.handle(socket));
  const port = await listen(server, opts.port);
  let tlsServer: tls.Server | undefined;
  let tlsPort: number | undefined;
  if (opts.tls) {
    // rejectUnauthorized off: self-signed device certificates are the point; the thumbprint check in authenticate
    // is what admits a device, and a client without a certificate must still reach the password check.
    tlsServer = tls.createServer({ key: opts.tls.key, cert: opts.tls.cert, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (socket) => broker.handle(socket));
    tlsServer.on('tlsClientError', () => {}); // a failed handshake concerns that client only
    try {
      tlsPort = await listen(tlsServer, opts.tls.port);
    } catch (err) {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      throw err;
    }
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    endDeviceSessions: async (deviceId, reason) => {
      sessionEnds.set(deviceId, (sessionEnds.get(deviceId) ?? 0) + 1);
      // aedes keeps these at run time (aedes.js `clients`, `persistence`) but leaves them out of its types. A device's
      // session is keyed by its id (sessionClientId keeps a device's own id).
      const internals = broker as unknown as { clients: Record<string, { close(done: () => void): void } | undefined>; persistence: { cleanSubscriptions(c: { id: string }): Promise<void> } };
      const client = internals.clients[deviceId];
      if (client) await new Promise<void>((resolve) => client.close(() => resolve()));
      if (reason === 'revoked') await internals.persistence.cleanSubscriptions({ id: deviceId });
      log.info({ deviceId, reason, wasConnected: client !== undefined }, 'MQTT device sessions ended');
      return true;
    },
    ...(tlsPort !== undefined ? { tlsPort, tlsUrl: `mqtts://127.0.0.1:${tlsPort}` } : {}),
    close: async () => {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      if (tlsServer) await new Promise<void>((r) => tlsServer.close(() => r()));
    },
  };
}

function credentialOf(c: string | DeviceCredential): DeviceCredential {
  return typeof c === 'string' ? { password: c } : c;
}

async function listen(server: net.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}
