/**
 * Test helper: one RTSP DESCRIBE (RFC 2326 §10.2) on its own connection, to tell when a test RTSP server serves a
 * stream (test/helpers/vlc-rtsp-server.ts polls it until 200) and what it describes (the SDP).
 */

import net from 'node:net';
import { rtspHeader, rtspStatus, RtspStreamReader, type RtspMessage } from './rtsp-message';

/** A DESCRIBE answer. */
export interface RtspDescribeResult {
  /** Status code, e.g. 200, 404. */
  status: number;
  /** The response as received. */
  response: RtspMessage;
  /** The `Server` header, e.g. `VLC/3.0.24`, `GStreamer RTSP server`. */
  server?: string;
  /** The body: the SDP (RFC 4566) when status is 200. */
  sdp: string;
}

/**
 * Sends `DESCRIBE url` on a new TCP connection and reads the answer.
 * @param url `rtsp://host:port/path` (no credentials)
 * @param timeoutMs whole exchange, default 2000
 * @throws Error when the connection fails (e.g. ECONNREFUSED), closes before a whole answer, or takes longer than
 *   `timeoutMs`
 */
export function rtspDescribe(url: string, timeoutMs = 2000): Promise<RtspDescribeResult> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port || 554), u.hostname);
    const reader = new RtspStreamReader();
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`RTSP DESCRIBE ${url}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      socket.write(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: keepwatch-test\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      let items;
      try {
        items = reader.push(chunk);
      } catch (err) {
        fail(err as Error);
        return;
      }
      const answer = items.find((i) => i.kind === 'message');
      if (answer?.kind !== 'message') return;
      clearTimeout(timer);
      socket.destroy();
      const status = rtspStatus(answer.message);
      if (status === undefined) {
        reject(new Error(`RTSP DESCRIBE ${url}: not a response: ${answer.message.startLine}`));
        return;
      }
      resolve({ status, response: answer.message, server: rtspHeader(answer.message, 'Server'), sdp: answer.message.body.toString('utf8') });
    });
    socket.once('error', (err) => fail(new Error(`RTSP DESCRIBE ${url}: ${err.message}`)));
    socket.once('close', () => fail(new Error(`RTSP DESCRIBE ${url}: connection closed before an answer`)));
  });
}
