/**
 * The byte stream of an RTSP connection: RTSP messages and interleaved binary frames (RFC 2326 §4, §10.12), parsed
 * incrementally, and written back. Used by the agent's RTSP relay (rtsp-relay.ts).
 */

/** One RTSP request or response (RFC 2326 §6, §7). */
export interface RtspMessage {
  /** `SETUP rtsp://… RTSP/1.0` or `RTSP/1.0 200 OK`, without the CRLF. */
  startLine: string;
  /** Headers in their order, names as sent, values trimmed. */
  headers: Array<[string, string]>;
  /** The body: `Content-Length` bytes (empty without that header). */
  body: Buffer;
}

/** What {@link RtspStreamParser} takes out of a connection's byte stream. */
export type RtspStreamItem =
  | { kind: 'message'; message: RtspMessage }
  /** `$`, channel (0-255), 16-bit big-endian length, `payload` (RFC 2326 §10.12). */
  | { kind: 'frame'; channel: number; payload: Buffer };

/** Largest RTSP header block accepted, bytes: a peer sending more without an empty line is not speaking RTSP. */
export const MAX_RTSP_HEADER_BYTES = 64 * 1024;

/** Largest RTSP body accepted, bytes (an SDP is a few KiB). */
export const MAX_RTSP_BODY_BYTES = 1024 * 1024;

/**
 * Incremental parser of an RTSP connection's byte stream, in either direction: RTSP messages (start line, headers up
 * to an empty line, `Content-Length` bytes of body) and interleaved binary frames (`$`, channel, length, data), mixed
 * in any order and split or merged into chunks in any way. Stray CR/LF between items are skipped.
 */
export class RtspStreamParser {
  private buffered: Buffer = Buffer.alloc(0);

  /**
   * Adds received bytes and returns every item now complete, in order; an incomplete tail waits for more bytes.
   * @throws Error when a header block exceeds {@link MAX_RTSP_HEADER_BYTES}, a start line is not RTSP, or a
   *   Content-Length is not a whole number up to {@link MAX_RTSP_BODY_BYTES} (the connection is then unusable)
   */
  push(chunk: Buffer): RtspStreamItem[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const items: RtspStreamItem[] = [];
    for (let item = this.next(); item; item = this.next()) items.push(item);
    return items;
  }

  /** Bytes received but not yet part of a complete item. */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  private next(): RtspStreamItem | undefined {
    let buf = this.buffered;
    let skip = 0;
    while (skip < buf.length && (buf[skip] === 0x0d || buf[skip] === 0x0a)) skip++;
    if (skip) buf = this.buffered = buf.subarray(skip);
    if (buf.length === 0) return undefined;
    if (buf[0] === 0x24) {
      if (buf.length < 4) return undefined;
      const length = buf.readUInt16BE(2);
      if (buf.length < 4 + length) return undefined;
      this.buffered = buf.subarray(4 + length);
      return { kind: 'frame', channel: buf[1], payload: Buffer.from(buf.subarray(4, 4 + length)) };
    }
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_RTSP_HEADER_BYTES) throw new Error(`RTSP: no end of headers in ${buf.length} bytes`);
      return undefined;
    }
    const lines = buf.subarray(0, end).toString('utf8').split('\r\n');
    if (!/^RTSP\/\d\.\d \d{3}\b/.test(lines[0]) && !/^[A-Z_]+ \S+ RTSP\/\d\.\d$/.test(lines[0])) {
      throw new Error(`RTSP: not a start line: ${JSON.stringify(lines[0].slice(0, 100))}`);
    }
    const headers = lines.slice(1).map((l): [string, string] => {
      const colon = l.indexOf(':');
      return colon < 0 ? [l.trim(), ''] : [l.slice(0, colon).trim(), l.slice(colon + 1).trim()];
    });
    const lengthHeader = headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
    const bodyLength = lengthHeader === undefined ? 0 : Number(lengthHeader);
    if (!/^\d*$/.test(lengthHeader ?? '') || !Number.isInteger(bodyLength) || bodyLength > MAX_RTSP_BODY_BYTES) {
      throw new Error(`RTSP: bad Content-Length ${JSON.stringify(lengthHeader)}`);
    }
    if (buf.length < end + 4 + bodyLength) return undefined;
    this.buffered = buf.subarray(end + 4 + bodyLength);
    return { kind: 'message', message: { startLine: lines[0], headers, body: Buffer.from(buf.subarray(end + 4, end + 4 + bodyLength)) } };
  }
}

/** The value of header `name` (case-insensitive, the first of that name), or undefined. */
export function rtspHeader(message: RtspMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  return message.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Every value of header `name` (case-insensitive), in order. */
export function rtspHeaders(message: RtspMessage, name: string): string[] {
  const lower = name.toLowerCase();
  return message.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** Sets header `name` (the first of that name keeps its place, later ones go; appended when absent). */
export function setRtspHeader(message: RtspMessage, name: string, value: string): void {
  const lower = name.toLowerCase();
  const at = message.headers.findIndex(([n]) => n.toLowerCase() === lower);
  if (at < 0) {
    message.headers.push([name, value]);
    return;
  }
  message.headers = message.headers.filter(([n], i) => i <= at || n.toLowerCase() !== lower);
  message.headers[at] = [name, value];
}

/** The bytes of a message, `Content-Length` set from the body (left out when the body is empty). */
export function serializeRtspMessage(message: RtspMessage): Buffer {
  const headers = message.headers.filter(([n]) => n.toLowerCase() !== 'content-length');
  if (message.body.length > 0) headers.push(['Content-Length', String(message.body.length)]);
  const head = `${message.startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), message.body]);
}

/** An interleaved frame: `$`, channel, 16-bit length, payload (RFC 2326 §10.12). @throws RangeError above 65535 bytes */
export function interleavedFrame(channel: number, payload: Buffer): Buffer {
  if (payload.length > 0xffff) throw new RangeError(`interleaved frame of ${payload.length} bytes`);
  const head = Buffer.from([0x24, channel & 0xff, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}
