/**
 * Test helper: RTSP 1.0 messages (RFC 2326 §4-§7) read from and written to a TCP byte stream, for the test tools that
 * speak RTSP themselves (test/helpers/rtsp-describe.ts, test/helpers/lossy-rtsp-relay.ts). Requests and responses are
 * text headers ended by an empty line, with a body of `Content-Length` bytes; a server may interleave RTP/RTCP on
 * the same connection as `$`, channel (1 byte), length (2 bytes, big-endian), data (RFC 2326 §10.12).
 */

/** One RTSP request or response. */
export interface RtspMessage {
  /** `DESCRIBE rtsp://… RTSP/1.0` or `RTSP/1.0 200 OK`. */
  startLine: string;
  /** Headers in their order, names as sent. */
  headers: Array<[string, string]>;
  /** The body (empty when there is no `Content-Length`). */
  body: Buffer;
}

/** What a {@link RtspStreamReader} takes out of the byte stream, with the exact bytes it came in. */
export type RtspStreamItem = { kind: 'message'; message: RtspMessage; raw: Buffer } | { kind: 'interleaved'; channel: number; data: Buffer; raw: Buffer };

/** Largest header block accepted, bytes: a peer sending more without an empty line is not speaking RTSP. */
const MAX_HEADER_BYTES = 64 * 1024;

/** The value of header `name` (case-insensitive), or undefined. */
export function rtspHeader(message: RtspMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  return message.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Sets header `name` (replacing every header of that name, case-insensitive) and returns the message. */
export function setRtspHeader(message: RtspMessage, name: string, value: string): RtspMessage {
  const lower = name.toLowerCase();
  const at = message.headers.findIndex(([n]) => n.toLowerCase() === lower);
  if (at < 0) {
    message.headers.push([name, value]);
    return message;
  }
  // Later duplicates go; the first keeps its place (removing only later items leaves index `at` as it is).
  message.headers = message.headers.filter(([n], i) => i <= at || n.toLowerCase() !== lower);
  message.headers[at] = [name, value];
  return message;
}

/** The status code of a response (`RTSP/1.0 200 OK` → 200), or undefined for a request. */
export function rtspStatus(message: RtspMessage): number | undefined {
  const m = /^RTSP\/\d\.\d (\d{3})\b/.exec(message.startLine);
  return m ? Number(m[1]) : undefined;
}

/** The method of a request (`SETUP rtsp://… RTSP/1.0` → `SETUP`), or undefined for a response. */
export function rtspMethod(message: RtspMessage): string | undefined {
  return /^RTSP\//.test(message.startLine) ? undefined : message.startLine.split(' ')[0];
}

/** The bytes of a message; `Content-Length` is set from the body (and dropped when the body is empty). */
export function serializeRtsp(message: RtspMessage): Buffer {
  const headers = message.headers.filter(([n]) => n.toLowerCase() !== 'content-length');
  if (message.body.length > 0) headers.push(['Content-Length', String(message.body.length)]);
  const head = `${message.startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), message.body]);
}

/**
 * Splits an RTSP connection's byte stream into messages and interleaved frames, whatever the chunking.
 * @throws Error from {@link push} when a header block exceeds 64 KiB or a message has a bad Content-Length
 */
export class RtspStreamReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns every item now complete, in order (the rest waits for more bytes). */
  push(chunk: Buffer): RtspStreamItem[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const items: RtspStreamItem[] = [];
    for (;;) {
      const item = this.next();
      if (!item) return items;
      items.push(item);
    }
  }

  private next(): RtspStreamItem | undefined {
    const buf = this.buffered;
    if (buf.length === 0) return undefined;
    if (buf[0] === 0x24) {
      if (buf.length < 4) return undefined;
      const length = buf.readUInt16BE(2);
      if (buf.length < 4 + length) return undefined;
      const raw = buf.subarray(0, 4 + length);
      this.buffered = buf.subarray(4 + length);
      return { kind: 'interleaved', channel: buf[1], data: raw.subarray(4), raw };
    }
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_HEADER_BYTES) throw new Error(`RTSP: no end of headers in ${buf.length} bytes`);
      return undefined;
    }
    const lines = buf.subarray(0, end).toString('utf8').split('\r\n');
    const headers = lines.slice(1).map((l): [string, string] => {
      const colon = l.indexOf(':');
      return colon < 0 ? [l.trim(), ''] : [l.slice(0, colon).trim(), l.slice(colon + 1).trim()];
    });
    const lengthHeader = headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
    const bodyLength = lengthHeader === undefined ? 0 : Number(lengthHeader);
    if (!Number.isInteger(bodyLength) || bodyLength < 0) throw new Error(`RTSP: bad Content-Length ${JSON.stringify(lengthHeader)}`);
    if (buf.length < end + 4 + bodyLength) return undefined;
    const raw = buf.subarray(0, end + 4 + bodyLength);
    this.buffered = buf.subarray(end + 4 + bodyLength);
    return { kind: 'message', message: { startLine: lines[0], headers, body: Buffer.from(raw.subarray(end + 4)) }, raw };
  }
}
