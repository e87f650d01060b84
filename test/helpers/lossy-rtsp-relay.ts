/**
 * Test helper: a lossy network path for RTSP over UDP. A loopback RTSP relay in front of a real RTSP server: the
 * RTSP connection is passed through, each UDP SETUP gets relay ports in place of the client's and the server's
 * (`Transport: …;client_port=…` on the way in, `server_port=…` on the way out, RFC 2326 §12.39), and the relay
 * forwards the RTP and RTCP datagrams between them, dropping a share of the server's RTP datagrams chosen by a seeded
 * generator (the same seed and packet order drop the same packets). RTCP and everything the client sends go through.
 *
 * Why a relay and not `tc qdisc … netem loss 1%` on a veth pair in a network namespace: this machine's kernel has no
 * netem (`Specified qdisc kind is unknown`; CONFIG_NET_SCH_NETEM is not set), and the relay needs neither root nor
 * changes to the host's network.
 *
 * Datagrams from the relay to the client leave from the ports the relay put in `server_port`, so a client that
 * accepts RTP only from the server's address (ffmpeg connects its UDP sockets to it) takes them. TCP-interleaved
 * sessions (`RTP/AVP/TCP`) pass through untouched and lose nothing. URLs inside the messages are not rewritten:
 * ffmpeg and GStreamer send every request of a session on its one connection, whatever host the URL names.
 */

import dgram from 'node:dgram';
import net from 'node:net';
import { rtspHeader, rtspMethod, rtspStatus, RtspStreamReader, serializeRtsp, setRtspHeader, type RtspMessage } from './rtsp-message';

/** Options of {@link startLossyRtspRelay}. */
export interface LossyRtspRelayOptions {
  /** TCP port of the RTSP server relayed to, on 127.0.0.1. */
  upstreamPort: number;
  /** Share of the server's RTP datagrams dropped, 0..1 (default 0.01, 1 %). */
  rtpLossRate?: number;
  /** Seed of the drop generator (default 1). */
  seed?: number;
}

/** Counts of what the relay did, over all its sessions. */
export interface LossyRtspRelayStats {
  /** RTP datagrams from the server passed to a client. */
  rtpForwarded: number;
  /** RTP datagrams from the server dropped. */
  rtpDropped: number;
  /** RTCP datagrams passed, either way. */
  rtcpForwarded: number;
  /** UDP SETUPs rewritten (one per stream per session). */
  udpSetups: number;
}

/** A running relay. */
export interface LossyRtspRelay {
  /** TCP port the relay listens on, 127.0.0.1. */
  port: number;
  /** `rtsp://127.0.0.1:{port}{path}`: the server's stream `path` through the relay. */
  url(path: string): string;
  stats(): LossyRtspRelayStats;
  /** Closes the listener, every connection and every UDP socket. Never rejects. */
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binds one UDP socket on 127.0.0.1:port (0 = any); resolves undefined when the port is taken. */
function bindUdp(port: number): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => {
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

/** Closes a UDP socket, already closed or not. */
function closeUdp(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // ERR_SOCKET_DGRAM_NOT_RUNNING: closed before.
  }
}

/** An RTP socket on an even port and its RTCP socket on the next (RFC 3550 §11). @throws Error after 50 tries */
async function bindPair(): Promise<[dgram.Socket, dgram.Socket]> {
  for (let i = 0; i < 50; i++) {
    const rtp = await bindUdp(0);
    if (!rtp) continue;
    const port = rtp.address().port;
    if (port % 2 === 0 && port < 65535) {
      const rtcp = await bindUdp(port + 1);
      if (rtcp) return [rtp, rtcp];
    }
    rtp.close();
  }
  throw new Error('lossy-rtsp-relay: no free even/odd UDP port pair');
}

/** `a-b` of `name=a-b` in a Transport header, or undefined. */
function portRange(transport: string, name: string): [number, number] | undefined {
  const m = new RegExp(`(?:^|;)${name}=(\\d+)-(\\d+)`).exec(transport);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The Transport header with `name=a-b` replaced by `name=rtp-rtcp`. */
function withPorts(transport: string, name: string, rtp: number, rtcp: number): string {
  return transport.replace(new RegExp(`(^|;)${name}=\\d+-\\d+`), `$1${name}=${rtp}-${rtcp}`);
}

/**
 * Starts a relay on a free loopback port.
 * @throws TypeError when `rtpLossRate` is outside 0..1 or `upstreamPort` is not a port
 */
export async function startLossyRtspRelay(opts: LossyRtspRelayOptions): Promise<LossyRtspRelay> {
  const lossRate = opts.rtpLossRate ?? 0.01;
  if (!(lossRate >= 0 && lossRate <= 1)) throw new TypeError(`startLossyRtspRelay: rtpLossRate must be in 0..1, got ${lossRate}`);
  if (!Number.isInteger(opts.upstreamPort) || opts.upstreamPort < 1 || opts.upstreamPort > 65535) {
    throw new TypeError(`startLossyRtspRelay: upstreamPort must be an integer in 1-65535, got ${opts.upstreamPort}`);
  }
  const random = seededRandom(opts.seed ?? 1);
  const stats: LossyRtspRelayStats = { rtpForwarded: 0, rtpDropped: 0, rtcpForwarded: 0, udpSetups: 0 };
  const sockets = new Set<net.Socket>();
  const udpSockets = new Set<dgram.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(opts.upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    /** This connection's UDP sockets, closed with it. */
    const mine: dgram.Socket[] = [];
    /** SETUPs sent upstream with relay ports, by CSeq: what the answer needs to finish the rewrite. */
    const pendingSetups = new Map<string, { clientPorts: [number, number]; serverFacing: [dgram.Socket, dgram.Socket] }>();
    const fromClient = new RtspStreamReader();
    const fromServer = new RtspStreamReader();
    // Client bytes are handled one chunk at a time, in order, since a SETUP's rewrite waits for a port pair.
    let clientQueue = Promise.resolve();
    let serverQueue = Promise.resolve();

    const closeAll = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      for (const s of mine) {
        udpSockets.delete(s);
        closeUdp(s);
      }
      mine.length = 0;
    };
    for (const s of [client, upstream]) {
      s.on('error', closeAll);
      s.on('close', closeAll);
    }

    /** A UDP SETUP with the relay's server-facing ports as client_port; undefined for any other request (as is). */
    const rewriteRequest = async (message: RtspMessage): Promise<RtspMessage | undefined> => {
      const transport = rtspHeader(message, 'Transport');
      const clientPorts = transport && !/RTP\/AVP\/TCP/i.test(transport) ? portRange(transport, 'client_port') : undefined;
      if (rtspMethod(message) !== 'SETUP' || !transport || !clientPorts) return undefined;
      const serverFacing = await bindPair();
      mine.push(...serverFacing);
      for (const s of serverFacing) udpSockets.add(s);
      pendingSetups.set(rtspHeader(message, 'CSeq') ?? '', { clientPorts, serverFacing });
      return setRtspHeader(message, 'Transport', withPorts(transport, 'client_port', serverFacing[0].address().port, serverFacing[1].address().port));
    };

    /**
     * The answer to a rewritten SETUP with the relay's client-facing ports as server_port and the client's own
     * client_port back; undefined for any other response (as is).
     */
    const rewriteResponse = async (message: RtspMessage): Promise<RtspMessage | undefined> => {
      const cseq = rtspHeader(message, 'CSeq') ?? '';
      const setup = pendingSetups.get(cseq);
      if (!setup) return undefined;
      pendingSetups.delete(cseq);
      const transport = rtspHeader(message, 'Transport');
      const serverPorts = transport ? portRange(transport, 'server_port') : undefined;
      if (rtspStatus(message) !== 200 || !transport || !serverPorts) return undefined;
      const clientFacing = await bindPair();
      mine.push(...clientFacing);
      for (const s of clientFacing) udpSockets.add(s);
      stats.udpSetups++;
      const clientHost = client.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
      const [serverRtp, serverRtcp] = setup.serverFacing;
      const [clientRtp, clientRtcp] = clientFacing;
      serverRtp.on('message', (datagram) => {
        if (random() < lossRate) {
          stats.rtpDropped++;
          return;
        }
        stats.rtpForwarded++;
        clientRtp.send(datagram, setup.clientPorts[0], clientHost);
      });
      serverRtcp.on('message', (datagram) => {
        stats.rtcpForwarded++;
        clientRtcp.send(datagram, setup.clientPorts[1], clientHost);
      });
      clientRtp.on('message', (datagram) => serverRtp.send(datagram, serverPorts[0], '127.0.0.1'));
      clientRtcp.on('message', (datagram) => {
        stats.rtcpForwarded++;
        serverRtcp.send(datagram, serverPorts[1], '127.0.0.1');
      });
      const answered = withPorts(transport, 'server_port', clientRtp.address().port, clientRtcp.address().port);
      return setRtspHeader(message, 'Transport', withPorts(answered, 'client_port', setup.clientPorts[0], setup.clientPorts[1]));
    };

    const relay = (reader: RtspStreamReader, to: net.Socket, rewrite: (m: RtspMessage) => Promise<RtspMessage | undefined>) => (chunk: Buffer) => async () => {
      let items;
      try {
        items = reader.push(chunk);
      } catch {
        closeAll();
        return;
      }
      for (const item of items) {
        if (item.kind === 'interleaved') to.write(item.raw);
        else {
          let rewritten: RtspMessage | undefined;
          try {
            rewritten = await rewrite(item.message);
          } catch {
            closeAll(); // no UDP port pair: the session cannot be relayed
            return;
          }
          to.write(rewritten ? serializeRtsp(rewritten) : item.raw);
        }
      }
    };
    const clientToServer = relay(fromClient, upstream, rewriteRequest);
    const serverToClient = relay(fromServer, client, rewriteResponse);
    client.on('data', (chunk: Buffer) => (clientQueue = clientQueue.then(clientToServer(chunk))));
    upstream.on('data', (chunk: Buffer) => (serverQueue = serverQueue.then(serverToClient(chunk))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (path) => `rtsp://127.0.0.1:${port}${path}`,
    stats: () => ({ ...stats }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      for (const s of udpSockets) closeUdp(s);
      udpSockets.clear();
    },
  };
}
