import net from 'node:net';
import mqttPacket, { type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';

/** A CONNECT the server received, with the enhanced-authentication fields decoded. */
export interface ReceivedConnect {
  protocolVersion: number;
  clientId: string;
  username?: string;
  password?: string;
  authenticationMethod?: string;
  /** `authenticationData` as UTF-8 text (a JWT). */
  authenticationData?: string;
}

/** Options of {@link startMqtt5TestServer}. */
export interface Mqtt5TestServerOptions {
  /** CONNACK reason code for a CONNECT (0 = accepted, 135 = not authorized, ...); default 0. */
  connack?: (c: ReceivedConnect) => number;
}

/** A running test server. */
export interface Mqtt5TestServer {
  url: string;
  /** Every CONNECT in arrival order. */
  connects: ReceivedConnect[];
  /** Every PUBLISH with the index of the CONNECT its connection made. */
  publishes: Array<{ topic: string; payload: string; connection: number }>;
  /** Sends DISCONNECT (reason 0x87 "not authorized", as a broker does when a token expires) and closes every connection. */
  disconnectAll(): Promise<void>;
  /** Connections currently open. */
  openConnections(): number;
  close(): Promise<void>;
}

/**
 * A tiny MQTT 5 server on 127.0.0.1 built on MQTT.js's own packet parser (`mqtt-packet`): it records CONNECTs with
 * their MQTT 5 `authenticationMethod`/`authenticationData` (what aedes 1.x cannot, having no MQTT 5), answers CONNACK,
 * PUBACK and PINGRESP, and can drop its clients. Enough to test a client's CONNECT; it routes nothing.
 */
export async function startMqtt5TestServer(opts: Mqtt5TestServerOptions = {}): Promise<Mqtt5TestServer> {
  const connects: ReceivedConnect[] = [];
  const publishes: Mqtt5TestServer['publishes'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    let connection = -1;
    const send = (p: Packet) => socket.write(mqttPacket.generate(p, { protocolVersion: 5 }));
    parser.on('packet', (packet: Packet) => {
      switch (packet.cmd) {
        case 'connect': {
          const c = packet as IConnectPacket;
          const received: ReceivedConnect = {
            protocolVersion: c.protocolVersion ?? 4,
            clientId: c.clientId,
            username: c.username,
            password: c.password?.toString(),
            authenticationMethod: c.properties?.authenticationMethod,
            authenticationData: c.properties?.authenticationData?.toString('utf8'),
          };
          connects.push(received);
          connection = connects.length - 1;
          const reasonCode = opts.connack?.(received) ?? 0;
          send({ cmd: 'connack', sessionPresent: false, reasonCode });
          if (reasonCode !== 0) socket.end();
          return;
        }
        case 'publish': {
          const p = packet as IPublishPacket;
          publishes.push({ topic: p.topic, payload: p.payload.toString(), connection });
          if (p.qos === 1) send({ cmd: 'puback', messageId: p.messageId, reasonCode: 0 });
          return;
        }
        case 'pingreq':
          send({ cmd: 'pingresp' });
          return;
        case 'disconnect':
          socket.end();
          return;
        default:
          return;
      }
    });
    parser.on('error', () => socket.destroy());
    socket.on('data', (chunk) => parser.parse(chunk));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  const disconnectAll = async () => {
    const closing = [...sockets].map((s) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r()))));
    for (const s of sockets) s.end(mqttPacket.generate({ cmd: 'disconnect', reasonCode: 0x87 }, { protocolVersion: 5 }));
    await Promise.all(closing);
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connects,
    publishes,
    disconnectAll,
    openConnections: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
