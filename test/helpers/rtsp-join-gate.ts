/**
 * Test helper: decides when an RTSP client reaches its camera, so a test chooses where in the stream the client joins.
 * A loopback TCP front: each connection it accepts waits (its bytes held) until `upstream(index)` resolves with the
 * server to talk to, then is piped to it byte for byte (RTSP, and RTP when interleaved; RTP over UDP goes between
 * client and server directly, which the server's own Transport answer arranges).
 *
 * Two uses in the camera matrix (test/e2e/camera-matrix-rtsp.test.ts):
 * - a camera whose stream starts when the client connects: `upstream` starts a VLC for this connection with a start
 *   delay (test/helpers/vlc-rtsp-server.ts `startDelayMs`) and `release` stops it;
 * - a join mid-GOP on a live shared stream: `upstream` waits until the server's clip is half a GOP past a keyframe.
 *
 * The client sees a slow DESCRIBE, nothing else: ffmpeg's RTSP client waits for it (its default socket timeout is
 * longer than any wait here).
 */

import net from 'node:net';

/** Where one held connection goes once released. */
export interface RtspJoinGateUpstream {
  /** TCP port of the RTSP server. */
  port: number;
  /** Its address, default 127.0.0.1. */
  host?: string;
  /** Called once when this connection has ended (either side closed), e.g. to stop a server started for it. */
  release?: () => Promise<void> | void;
}

/** A running gate. */
export interface RtspJoinGate {
  /** Port the gate listens on, 127.0.0.1. */
  port: number;
  /** `rtsp://127.0.0.1:{port}{path}`. */
  url(path: string): string;
  /** Connections accepted so far. */
  connections(): number;
  /** Errors met while connecting upstream (the client's connection was closed instead), in order. */
  errors(): string[];
  /** Stops listening, closes every connection, awaits their `release`. Never rejects. */
  close(): Promise<void>;
}

/**
 * Starts a gate on a free loopback port.
 * @param upstream called once per accepted connection with its 0-based index; resolves with the server it goes to
 *   (a rejection closes the client's connection and is kept in `errors()`)
 */
export async function startRtspJoinGate(upstream: (index: number) => Promise<RtspJoinGateUpstream>): Promise<RtspJoinGate> {
  const sockets = new Set<net.Socket>();
  /** One per connection: settles once the connection has ended and its `release` has finished. */
  const lifetimes: Array<Promise<void>> = [];
  const errors: string[] = [];
  let accepted = 0;
  const server = net.createServer((client) => {
    const index = accepted++;
    sockets.add(client);
    const held: Buffer[] = [];
    const hold = (chunk: Buffer) => held.push(chunk);
    client.on('data', hold);
    client.on('error', () => {});
    let ended = false;
    client.once('close', () => {
      ended = true;
      sockets.delete(client);
    });
    let finished!: () => void;
    lifetimes.push(new Promise<void>((r) => (finished = r)));
    upstream(index).then(
      (up) => {
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          Promise.resolve(up.release?.()).catch(() => {}).finally(finished);
        };
        if (ended) {
          release();
          return;
        }
        const camera = net.connect(up.port, up.host ?? '127.0.0.1');
        sockets.add(camera);
        camera.on('error', () => {});
        camera.once('connect', () => {
          client.removeListener('data', hold);
          for (const chunk of held) camera.write(chunk);
          client.pipe(camera);
          camera.pipe(client);
        });
        for (const [a, b] of [
          [client, camera],
          [camera, client],
        ] as const) {
          a.once('close', () => {
            sockets.delete(a);
            b.destroy();
            release();
          });
        }
      },
      (err: Error) => {
        errors.push(`connection ${index}: ${err.message}`);
        client.destroy();
        finished();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (path) => `rtsp://127.0.0.1:${port}${path}`,
    connections: () => accepted,
    errors: () => [...errors],
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      // A connection still waiting for its upstream ends (and releases it) as soon as that resolves.
      await Promise.all(lifetimes);
    },
  };
}
