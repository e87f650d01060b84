/**
 * A loopback RTSP relay between the recording ffmpeg and one camera that keeps ffmpeg's timing on the camera's RTP
 * clock.
 *
 * Why: in an RTSP session with more than one stream (video + audio), ffmpeg re-times every packet from the latest
 * RTCP sender report of its stream (libavformat/rtpdec.c `finalize_packet`:
 * `pts = rtcp_ts_offset + (last_sr_ntp − first_sr_ntp)·rate + (ts − last_sr_rtp_ts)`). A server whose sender reports
 * do not follow its RTP clock (VLC's RTSP server, Dahua cameras whose clock is stepped by SNTP) moves the video by up to
 * a frame at every report; with B-frames two frames then share a time and playback reports
 * `non monotonically increasing dts` (docs/adr/0003-recording-any-camera.md). Audio and video still
 * have to be aligned once.
 *
 * What the relay does: ffmpeg connects to {@link RtspRelay.url} (the camera's path on 127.0.0.1, no credentials) with
 * `-rtsp_transport tcp`. Each ffmpeg connection gets one TCP connection to the camera; RTSP requests and responses are
 * passed through with their URLs rewritten between the relay's base and the camera's, and the relay answers the
 * camera's 401 challenges itself (HTTP Basic or Digest, RFC 2617). Media reaches ffmpeg interleaved on its RTSP
 * connection (RFC 2326 §10.12): as the camera sends it when the camera is asked for TCP too, or from two UDP sockets
 * per stream that the relay opens when the camera is asked for UDP.
 *
 * How the streams are aligned ({@link RtspRelayOptions.timing}):
 * - `rtp-info` (chosen when PLAY's answer has an `RTP-Info` `rtptime` for every stream, RFC 2326 §12.33): every RTCP
 *   sender report (RFC 3550 §6.4.1, packet type 200) is taken out, so ffmpeg times each stream from its RTP clock
 *   alone, from the `rtptime` it was given: continuous, aligned as the server said at PLAY. Measured with VLC: its
 *   first sender reports put the video 200 ms off the audio (against the same stream recorded directly and from
 *   GStreamer), RTP-Info aligns them exactly.
 * - `sender-reports` (no usable RTP-Info): the first sender report of each stream is passed as sent; every later one is
 *   re-timed onto the RTP clock: its NTP time is replaced by `first_ntp + (rtp_ts − first_rtp_ts) / clock_rate` (exact
 *   in ffmpeg's arithmetic), so ffmpeg's formula reduces to `rtcp_ts_offset + (ts − first_sr_rtp_ts)`: continuous,
 *   aligned once by the first reports. (Dropping the later reports gives the same times, but ffmpeg's
 *   `ts − last_sr_rtp_ts` is a 32-bit signed int: with only the first report it wraps after 2^31 ticks, 6.6 h of
 *   90 kHz video, and every timestamp then jumps back 13.3 h. Re-timed reports keep that difference small.) When a
 *   stream's clock rate is not known from the SDP (`a=rtpmap`, or a static payload type of RFC 3551), its later
 *   reports are taken out instead (see {@link filterSenderReports}).
 *   The first report itself moves a stream once when it arrives after the stream's first packets: ffmpeg times those
 *   from the RTP clock (relative to RTP-Info's `rtptime` or the first packet), then switches to the report's NTP
 *   mapping; with VLC that moved the video by about a frame (−3597 ticks measured) some seconds into the session, two
 *   frames at one time again. So the relay holds a session's RTP back from its first packet until every stream's
 *   first report has been passed to ffmpeg (VLC: 4-5 s, GStreamer: 1-2.5 s measured), at most
 *   {@link RtspRelayOptions.holdMediaMaxMs}; reports go through at once, so ffmpeg has them before the packets they
 *   time. A stream whose first report comes after the hold has all its reports taken out (ffmpeg then times it from its
 *   RTP clock alone, aligned to the others by its first packet). Nothing is dropped by the hold; ffmpeg gets the held
 *   packets in one burst.
 * Before PLAY's answer, sender reports are taken out in either case.
 *
 * Everything else (RTP, other RTCP such as SDES and BYE, ffmpeg's receiver reports, keep-alives, TEARDOWN) passes
 * through.
 */

import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

// ---------------------------------------------------------------------------------------------------------------
// The byte stream of an RTSP connection: messages and interleaved frames (RFC 2326 §4, §10.12)
// ---------------------------------------------------------------------------------------------------------------

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
function rtspHeaders(message: RtspMessage, name: string): string[] {
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

// ---------------------------------------------------------------------------------------------------------------
// RTCP sender reports (RFC 3550 §6.4.1)
// ---------------------------------------------------------------------------------------------------------------

/** RTCP packet type of a sender report (RFC 3550 §12.1). */
export const RTCP_SR = 200;
/** RTCP packet type of a receiver report. */
export const RTCP_RR = 201;

/** One stream's sender-report state in {@link filterSenderReports}. */
export interface SenderReportState {
  /** RTP clock rate of the stream, Hz (undefined: unknown, later reports are taken out rather than re-timed). */
  clockRateHz?: number;
  /** NTP time (64-bit fixed point, 2^-32 s) and RTP timestamp of the first report passed; undefined before it. */
  first?: { ntp: bigint; rtp: number };
  /** RTP timestamp of the last report seen, and how far it is from `first.rtp`, unwrapped (ticks). */
  last?: { rtp: number; sinceFirst: bigint };
  /**
   * Set when the stream's RTP reached ffmpeg before its first report: every report of the stream is then taken out,
   * so that ffmpeg keeps timing it from the RTP clock alone (a first report would move it once, by the server's
   * mismatch between its RTP-Info or first packet and its NTP clock).
   */
  noReports?: boolean;
  /** Reports seen, passed as sent (the first), re-timed and taken out. */
  seen: number;
  forwarded: number;
  retimed: number;
  dropped: number;
}

/** A fresh {@link SenderReportState}. */
export function senderReportState(clockRateHz?: number): SenderReportState {
  return { clockRateHz, seen: 0, forwarded: 0, retimed: 0, dropped: 0 };
}

/**
 * Filters one RTCP datagram or interleaved RTCP frame of one stream (a compound packet, RFC 3550 §6.1: packets of
 * 4-byte header with version 2, packet type, length in 32-bit words minus one). The stream's first sender report is
 * left as it is. A later one is re-timed when the clock rate is known: its NTP timestamp (bytes 8-15) becomes
 * `first.ntp + round((rtp − first.rtp) · 2^32 / clockRateHz)`, so that ffmpeg's re-timing adds exactly the RTP ticks
 * since the first report. Without a clock rate, or with {@link SenderReportState.noReports}, a later report is turned
 * into a receiver report (packet type 201,
 * the 20 bytes of sender info removed, its report blocks kept): the compound packet stays valid (it must start with an
 * SR or RR) and its SDES, BYE and report blocks still reach ffmpeg, which ignores receiver reports.
 *
 * Malformed packets (wrong version, a length past the end) are returned unchanged, and so is the rest of a compound
 * packet after them. Mutates `state`.
 * @returns the packet to send (a new buffer when changed)
 */
export function filterSenderReports(packet: Buffer, state: SenderReportState): Buffer {
  const parts: Buffer[] = [];
  let changed = false;
  let at = 0;
  while (at + 4 <= packet.length) {
    const version = packet[at] >> 6;
    const type = packet[at + 1];
    const bytes = (packet.readUInt16BE(at + 2) + 1) * 4;
    if (version !== 2 || at + bytes > packet.length) break;
    const part = packet.subarray(at, at + bytes);
    at += bytes;
    if (type !== RTCP_SR || bytes < 28) {
      parts.push(part);
      continue;
    }
    state.seen++;
    const ntp = part.readBigUInt64BE(8);
    const rtp = part.readUInt32BE(16);
    if (!state.first && !state.noReports) {
      state.first = { ntp, rtp };
      state.last = { rtp, sinceFirst: 0n };
      state.forwarded++;
      parts.push(part);
      continue;
    }
    changed = true;
    const last = state.last ?? { rtp: state.first?.rtp ?? rtp, sinceFirst: 0n };
    const sinceFirst = last.sinceFirst + BigInt((rtp - last.rtp) | 0);
    state.last = { rtp, sinceFirst };
    if (state.first && state.clockRateHz && !state.noReports) {
      const rate = BigInt(state.clockRateHz);
      const offset = sinceFirst >= 0n ? (sinceFirst * 2n ** 32n + rate / 2n) / rate : -((-sinceFirst * 2n ** 32n + rate / 2n) / rate);
      const retimed = Buffer.from(part);
      retimed.writeBigUInt64BE(BigInt.asUintN(64, state.first.ntp + offset), 8);
      state.retimed++;
      parts.push(retimed);
    } else {
      const rr = Buffer.concat([part.subarray(0, 8), part.subarray(28)]);
      rr[1] = RTCP_RR;
      rr.writeUInt16BE(rr.length / 4 - 1, 2);
      state.dropped++;
      parts.push(rr);
    }
  }
  if (!changed) return packet;
  if (at < packet.length) parts.push(packet.subarray(at));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------------------------
// Authentication (RFC 2617)
// ---------------------------------------------------------------------------------------------------------------

/** A parsed `WWW-Authenticate` challenge: the scheme and its parameters (names lower-case). */
export interface AuthChallenge {
  scheme: 'basic' | 'digest';
  params: Record<string, string>;
}

/**
 * The challenge to answer among a 401's `WWW-Authenticate` values: Digest (MD5 or unspecified algorithm) before
 * Basic; undefined when there is none the relay can answer.
 */
export function pickChallenge(values: string[]): AuthChallenge | undefined {
  const parsed = values.map(parseChallenge).filter((c): c is AuthChallenge => c !== undefined);
  return (
    parsed.find((c) => c.scheme === 'digest' && /^(md5)?$/i.test(c.params.algorithm ?? '') && c.params.nonce !== undefined) ??
    parsed.find((c) => c.scheme === 'basic')
  );
}

/** One `WWW-Authenticate` value → challenge (quoted and token parameters). */
function parseChallenge(value: string): AuthChallenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(value);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  if (scheme !== 'basic' && scheme !== 'digest') return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let p = re.exec(m[2]); p; p = re.exec(m[2])) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme, params };
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

/** Inputs of {@link digestResponse}. */
export interface DigestInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  /** The request URI, exactly as on the request line. */
  uri: string;
  /** `auth` (then `nc` and `cnonce` are required) or undefined (RFC 2069 compatibility). */
  qop?: 'auth';
  /** Nonce count, 8 hex digits, e.g. `00000001`. */
  nc?: string;
  cnonce?: string;
}

/**
 * The `response` of RFC 2617 §3.2.2.1 with algorithm MD5: `MD5(HA1:nonce:nc:cnonce:qop:HA2)` with qop `auth`, else
 * `MD5(HA1:nonce:HA2)`, where `HA1 = MD5(username:realm:password)` and `HA2 = MD5(method:uri)`. 32 lower-case hex.
 */
export function digestResponse(d: DigestInput): string {
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  return d.qop === 'auth' ? md5(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:auth:${ha2}`) : md5(`${ha1}:${d.nonce}:${ha2}`);
}

/** Answers one challenge for every request until a new one comes: the `Authorization` value of each request. */
class Authenticator {
  private nc = 0;
  private readonly cnonce = randomBytes(8).toString('hex');
  constructor(
    private readonly challenge: AuthChallenge,
    private readonly username: string,
    private readonly password: string,
  ) {}

  authorization(method: string, uri: string): string {
    if (this.challenge.scheme === 'basic') return `Basic ${Buffer.from(`${this.username}:${this.password}`, 'utf8').toString('base64')}`;
    const p = this.challenge.params;
    const qop = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase()).includes('auth') ? ('auth' as const) : undefined;
    const nc = (++this.nc).toString(16).padStart(8, '0');
    const response = digestResponse({ username: this.username, password: this.password, realm: p.realm ?? '', nonce: p.nonce, method, uri, qop, nc, cnonce: this.cnonce });
    const q = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
    return [
      `Digest username=${q(this.username)}`,
      `realm=${q(p.realm ?? '')}`,
      `nonce=${q(p.nonce)}`,
      `uri=${q(uri)}`,
      `response=${q(response)}`,
      ...(p.algorithm ? [`algorithm=${p.algorithm}`] : []),
      ...(p.opaque !== undefined ? [`opaque=${q(p.opaque)}`] : []),
      ...(qop ? [`qop=auth`, `nc=${nc}`, `cnonce=${q(this.cnonce)}`] : []),
    ].join(', ');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SDP: clock rates per control URL
// ---------------------------------------------------------------------------------------------------------------

/** Clock rates of static RTP payload types (RFC 3551 §6), Hz. */
const STATIC_CLOCK_RATES: Record<number, number> = { 0: 8000, 3: 8000, 4: 8000, 5: 8000, 7: 8000, 8: 8000, 9: 8000, 14: 90000, 26: 90000, 32: 90000, 33: 90000, 34: 90000 };

/** One media section of an SDP: its `a=control` value as written and the clock rate of its first payload type. */
export interface SdpMedia {
  control?: string;
  clockRateHz?: number;
}

/** The media sections of an SDP (RFC 4566), each with its control attribute and clock rate (undefined when unknown). */
export function sdpMedia(sdp: string): SdpMedia[] {
  const media: Array<SdpMedia & { pt?: number; rates: Record<number, number> }> = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=\S+ \d+(?:\/\d+)? \S+ (\d+)/.exec(line);
    if (m) {
      media.push({ pt: Number(m[1]), rates: {} });
      continue;
    }
    const cur = media[media.length - 1];
    if (!cur) continue;
    const c = /^a=control:\s*(\S+)/.exec(line);
    if (c) cur.control = c[1];
    const r = /^a=rtpmap:(\d+) [^/\s]+\/(\d+)/.exec(line);
    if (r) cur.rates[Number(r[1])] = Number(r[2]);
  }
  return media.map((x) => ({ control: x.control, clockRateHz: x.pt === undefined ? undefined : (x.rates[x.pt] ?? STATIC_CLOCK_RATES[x.pt]) }));
}

// ---------------------------------------------------------------------------------------------------------------
// The relay
// ---------------------------------------------------------------------------------------------------------------

/** Options of {@link startRtspRelay}. */
export interface RtspRelayOptions {
  /** `rtsp://host[:port]/path?query` of the camera; credentials in it are used when `username` is not given. */
  cameraUrl: string;
  username?: string;
  password?: string;
  /** How the relay receives the media from the camera; ffmpeg always gets it interleaved on its TCP connection. */
  transport: 'tcp' | 'udp';
  /** How long connecting to the camera may take, ms (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * ffmpeg connections accepted over the relay's life (default unlimited); later ones are closed at once. The recorder
   * makes a relay per session and passes 1: the relay answers the camera's challenge itself, so a second local client
   * (another user on the box guessing the port) must not be served the camera without its password.
   */
  maxClients?: number;
  /**
   * How long a session's RTP may be held back after its first packet until every stream's first sender report has
   * arrived, ms (default {@link DEFAULT_HOLD_MEDIA_MS}; 0: never held). See {@link startRtspRelay}.
   */
  holdMediaMaxMs?: number;
  /**
   * How ffmpeg is to align the streams of a session (default `auto`):
   * - `auto`: by the PLAY response's `RTP-Info` (RFC 2326 §12.33: each stream's `rtptime` at the start of play) when
   *   it gives one for every stream set up; every sender report is then taken out and nothing is held. Otherwise as
   *   `sender-reports`.
   * - `sender-reports`: by each stream's first sender report, later ones re-timed, RTP held until the first reports.
   */
  timing?: 'auto' | 'sender-reports';
}

/** Default of {@link RtspRelayOptions.holdMediaMaxMs}: VLC's first sender reports come up to ~5 s after its first RTP. */
export const DEFAULT_HOLD_MEDIA_MS = 8000;

/** Most bytes of RTP held back per session (a 16 Mbit/s camera for 8 s); more releases what is held. */
const MAX_HELD_BYTES = 16 * 1024 * 1024;

/** Per stream of a session: what the relay saw and did. */
export interface RtspRelayStreamStats {
  /** The session (0 = the first ffmpeg connection) and the SETUP's request URI towards the camera. */
  session: number;
  control: string;
  /** Interleaved channels towards ffmpeg: RTP, RTCP. */
  channels: [number, number];
  /** Clock rate from the SDP, Hz (undefined: unknown, later reports taken out). */
  clockRateHz?: number;
  /** RTP packets passed to ffmpeg. */
  rtpPackets: number;
  /**
   * How long the session's RTP was held back waiting for the first sender reports, ms (undefined while held or before
   * any RTP), and whether this stream's first report came in time (false: its reports are all taken out).
   */
  heldMs?: number;
  firstReportInTime?: boolean;
  /** How the session's streams are aligned (see {@link RtspRelayOptions.timing}); undefined before PLAY's answer. */
  timing?: 'rtp-info' | 'sender-reports';
  /** RTCP sender reports from the camera: seen, passed as sent (the first: 1), re-timed, taken out. */
  srSeen: number;
  srForwarded: number;
  srRetimed: number;
  srDropped: number;
}

/** Counts of a relay. */
export interface RtspRelayStats {
  /** ffmpeg connections accepted. */
  sessions: number;
  streams: RtspRelayStreamStats[];
  /**
   * The last failure to reach or keep the camera: `ENOTFOUND`, `ECONNREFUSED`, `ETIMEDOUT` (connect timeout),
   * `ECONNRESET`, … with Node's message; undefined while none.
   */
  lastUpstreamError?: { code: string; message: string; atMs: number };
}

/** A running relay. */
export interface RtspRelay {
  /** `rtsp://127.0.0.1:{port}{camera path and query}`: give this to ffmpeg, without credentials, with TCP transport. */
  url: string;
  /** A snapshot of the counts. */
  stats(): RtspRelayStats;
  /** Stops listening and closes every connection and UDP socket. Never rejects. */
  close(): Promise<void>;
}

/** One stream of a session. */
interface RelayStream {
  stats: RtspRelayStreamStats;
  sr: SenderReportState;
  /** UDP upstream: sockets for RTP and RTCP, and the camera's ports. */
  rtpSocket?: dgram.Socket;
  rtcpSocket?: dgram.Socket;
  serverRtcpPort?: number;
  cameraAddress?: string;
}

/** A pending request towards the camera. */
interface Pending {
  request: RtspMessage;
  /** ffmpeg's CSeq, restored on the response. */
  clientCSeq?: string;
  retried: boolean;
  /** For SETUP: the transport ffmpeg asked for and, upstream UDP, the stream prepared for it. */
  setup?: { clientChannels: [number, number]; stream?: RelayStream };
}

/**
 * Starts a relay on 127.0.0.1 (a free port) for one camera. Each ffmpeg connection gets its own connection to the
 * camera, made when ffmpeg connects; when it cannot be made (or breaks), ffmpeg's connection is closed and the cause
 * kept in {@link RtspRelayStats.lastUpstreamError}.
 * @throws TypeError when `cameraUrl` is not an `rtsp://` URL
 */
export async function startRtspRelay(opts: RtspRelayOptions): Promise<RtspRelay> {
  const camera = new URL(opts.cameraUrl);
  if (camera.protocol !== 'rtsp:') throw new TypeError(`rtsp relay: not an rtsp:// URL: ${camera.protocol}`);
  const username = opts.username ?? (camera.username ? decodeURIComponent(camera.username) : undefined);
  const password = opts.password ?? (camera.password ? decodeURIComponent(camera.password) : '');
  camera.username = '';
  camera.password = '';
  const cameraPort = camera.port ? Number(camera.port) : 554;
  const cameraHost = camera.hostname.replace(/^\[|\]$/g, '');
  const cameraOrigin = `rtsp://${camera.host}`;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;

  const stats: RtspRelayStats = { sessions: 0, streams: [] };
  const sockets = new Set<net.Socket>();
  const udpSockets = new Set<dgram.Socket>();
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const relayOrigin = `rtsp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const url = relayOrigin + camera.pathname + camera.search;

  /** Replaces the camera's origin (as written in its URL, with and without the default port) by the relay's. */
  const cameraOrigins = [cameraOrigin, ...(camera.port ? [] : [`${cameraOrigin}:554`])];
  const toRelay = (s: string, extra: string[]): string => [...cameraOrigins, ...extra].reduce((acc, o) => replaceOrigin(acc, o, relayOrigin), s);
  const toCamera = (s: string): string => replaceOrigin(s, relayOrigin, cameraOrigin);

  server.on('connection', (client) => {
    if (opts.maxClients !== undefined && stats.sessions >= opts.maxClients) {
      client.destroy();
      return;
    }
    const session = stats.sessions++;
    sockets.add(client);
    client.setNoDelay(true);
    const upstream = net.connect({ host: cameraHost, port: cameraPort });
    sockets.add(upstream);
    upstream.setNoDelay(true);
    const connectTimer = setTimeout(() => upstream.destroy(Object.assign(new Error(`connect ETIMEDOUT ${cameraHost}:${cameraPort} after ${connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })), connectTimeoutMs);
    let connected = false;
    const queued: RtspMessage[] = [];
    const clientParser = new RtspStreamParser();
    const upstreamParser = new RtspStreamParser();
    const pending = new Map<string, Pending>();
    let cseq = 0;
    let auth: Authenticator | undefined;
    /** Streams by ffmpeg's RTCP channel, and upstream TCP by the camera's RTP/RTCP channel. */
    const byClientRtcp = new Map<number, RelayStream>();
    const byUpstreamChannel = new Map<number, { stream: RelayStream; rtcp: boolean }>();
    let media: Array<SdpMedia & { url: string }> = [];
    /** Other origins the camera used for itself (its IP when the URL named it by host name). */
    const seenOrigins: string[] = [];
    let closed = false;
    let requests: Promise<void> = Promise.resolve();
    /** RTP held back until every stream's first sender report has been passed (or the hold ends). */
    const holdMs = opts.holdMediaMaxMs ?? DEFAULT_HOLD_MEDIA_MS;
    let holding = holdMs > 0;
    let held: Buffer[] = [];
    let heldBytes = 0;
    let heldSinceMs = 0;
    let holdTimer: NodeJS.Timeout | undefined;
    /** Until PLAY's answer says how the session is timed, sender reports are taken out (RTP is not flowing yet). */
    let timing: 'rtp-info' | 'sender-reports' | undefined;
    const release = (): void => {
      if (!holding) return;
      holding = false;
      clearTimeout(holdTimer);
      const heldMs = heldSinceMs ? Date.now() - heldSinceMs : 0;
      for (const st of byClientRtcp.values()) {
        st.sr.noReports = timing === 'rtp-info' || st.sr.first === undefined;
        if (timing === 'sender-reports') st.stats.firstReportInTime = !st.sr.noReports;
        st.stats.heldMs = heldMs;
      }
      const out = held;
      held = [];
      for (const b of out) toClient(b);
    };
    const allFirstReports = (): boolean => timing === 'sender-reports' && [...byClientRtcp.values()].every((st) => st.sr.first !== undefined);
    /** PLAY answered: RTP-Info for every stream → no reports, nothing held; else reports from now on, RTP held. */
    const decideTiming = (res: RtspMessage): void => {
      if (timing) return;
      const streamsSetUp = [...byClientRtcp.values()];
      const infos = (rtspHeader(res, 'RTP-Info') ?? '').split(',').map((e) => ({ url: /(?:^|;)\s*url=([^;]+)/.exec(e.trim())?.[1], rtptime: /;\s*rtptime=\d+/.test(e) }));
      const covered = streamsSetUp.every((st) => infos.some((i) => i.rtptime && i.url !== undefined && samePath(i.url, st.stats.control)));
      timing = opts.timing !== 'sender-reports' && streamsSetUp.length > 0 && covered ? 'rtp-info' : 'sender-reports';
      for (const st of streamsSetUp) {
        st.stats.timing = timing;
        st.sr.noReports = timing === 'rtp-info';
      }
      if (timing === 'rtp-info') release();
    };
    /** An RTP frame for ffmpeg: held while waiting for the first reports. */
    const rtpToClient = (frame: Buffer): void => {
      if (holding && !heldSinceMs && allFirstReports()) release();
      if (!holding) {
        toClient(frame);
        return;
      }
      if (!heldSinceMs) {
        heldSinceMs = Date.now();
        holdTimer = setTimeout(release, holdMs);
        holdTimer.unref();
      }
      held.push(frame);
      heldBytes += frame.length;
      if (heldBytes > MAX_HELD_BYTES) release();
    };
    /** An RTCP frame for ffmpeg: passed at once (so a first report reaches ffmpeg before the RTP it times). */
    const rtcpToClient = (frame: Buffer): void => {
      toClient(frame);
      if (holding && heldSinceMs && allFirstReports()) release();
    };

    const shutdown = (): void => {
      if (closed) return;
      closed = true;
      clearTimeout(connectTimer);
      clearTimeout(holdTimer);
      held = [];
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      for (const s of byClientRtcp.values()) {
        for (const u of [s.rtpSocket, s.rtcpSocket]) {
          if (u) {
            udpSockets.delete(u);
            try {
              u.close();
            } catch {
              /* already closed */
            }
          }
        }
      }
    };
    const toClient = (b: Buffer): void => {
      if (!closed && !client.write(b) && opts.transport === 'tcp') upstream.pause();
    };
    client.on('drain', () => upstream.resume());

    const sendUpstream = (p: Pending): void => {
      if (closed) return;
      const req = p.request;
      const ours = String(++cseq);
      setRtspHeader(req, 'CSeq', ours);
      const [method, uri] = req.startLine.split(' ');
      if (auth) setRtspHeader(req, 'Authorization', auth.authorization(method, uri));
      pending.set(ours, p);
      if (connected) upstream.write(serializeRtspMessage(req));
      else queued.push(req);
    };

    upstream.on('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      if (upstream.remoteAddress && upstream.remoteAddress !== cameraHost) {
        const ip = upstream.remoteAddress.includes(':') ? `[${upstream.remoteAddress}]` : upstream.remoteAddress;
        seenOrigins.push(`rtsp://${ip}:${cameraPort}`, ...(cameraPort === 554 ? [`rtsp://${ip}`] : []));
      }
      for (const m of queued.splice(0)) upstream.write(serializeRtspMessage(m));
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      stats.lastUpstreamError = { code: err.code ?? 'ERROR', message: err.message, atMs: Date.now() };
      shutdown();
    });
    upstream.on('close', shutdown);
    client.on('error', shutdown);
    // ffmpeg gone (after its TEARDOWN): let what it sent reach the camera, then close.
    client.on('close', () => {
      if (closed) return;
      upstream.end();
      setTimeout(shutdown, 2000).unref();
    });

    // ffmpeg → camera
    client.on('data', (chunk: Buffer) => {
      let items: RtspStreamItem[];
      try {
        items = clientParser.push(chunk);
      } catch {
        shutdown();
        return;
      }
      for (const item of items) {
        if (item.kind === 'frame') {
          const stream = byClientRtcp.get(item.channel);
          if (opts.transport === 'tcp') {
            if (connected) upstream.write(interleavedFrame(item.channel, item.payload));
          } else if (stream?.rtcpSocket && stream.serverRtcpPort && stream.cameraAddress) {
            stream.rtcpSocket.send(item.payload, stream.serverRtcpPort, stream.cameraAddress);
          }
          continue;
        }
        const req = item.message;
        const [method = '', uri = '', version = 'RTSP/1.0'] = req.startLine.split(' ');
        req.startLine = `${method} ${toCamera(uri)} ${version}`;
        req.headers = req.headers.map(([n, v]) => [n, toCamera(v)]);
        const p: Pending = { request: req, clientCSeq: rtspHeader(req, 'CSeq'), retried: false };
        if (method === 'SETUP') {
          const channels = /interleaved=(\d+)(?:-(\d+))?/.exec(rtspHeader(req, 'Transport') ?? '');
          const a = channels ? Number(channels[1]) : 2 * byClientRtcp.size;
          p.setup = { clientChannels: [a, channels?.[2] !== undefined ? Number(channels[2]) : a + 1] };
        }
        // In order: an upstream UDP SETUP first binds its two sockets (asynchronous); what follows waits for it.
        requests = requests.then(
          () => (p.setup && opts.transport === 'udp' ? prepareUdp(p, uri) : undefined),
        ).then(() => sendUpstream(p), () => shutdown());
      }
    });

    /** Upstream UDP SETUP: two sockets on an even/odd port pair, the request's Transport asking for them. */
    const prepareUdp = async (p: Pending, uri: string): Promise<void> => {
      const [rtp, rtcp] = await bindUdpPair();
      if (closed) {
        rtp.close();
        rtcp.close();
        return;
      }
      udpSockets.add(rtp);
      udpSockets.add(rtcp);
      const stream = newStream(toCamera(uri), p.setup!.clientChannels);
      stream.rtpSocket = rtp;
      stream.rtcpSocket = rtcp;
      p.setup!.stream = stream;
      const port = rtp.address().port;
      setRtspHeader(p.request, 'Transport', `RTP/AVP;unicast;client_port=${port}-${port + 1}`);
      rtp.on('message', (msg, rinfo) => {
        if (stream.cameraAddress && rinfo.address !== stream.cameraAddress) return;
        stream.stats.rtpPackets++;
        rtpToClient(interleavedFrame(stream.stats.channels[0], msg));
      });
      rtcp.on('message', (msg, rinfo) => {
        if (stream.cameraAddress && rinfo.address !== stream.cameraAddress) return;
        rtcpToClient(interleavedFrame(stream.stats.channels[1], filterStream(stream, msg)));
      });
    };

    const newStream = (control: string, channels: [number, number]): RelayStream => {
      const m = media.find((x) => sameUrl(x.url, control)) ?? media.find((x) => x.control !== undefined && control.endsWith(x.control));
      const stream: RelayStream = {
        stats: { session, control, channels, clockRateHz: m?.clockRateHz, rtpPackets: 0, srSeen: 0, srForwarded: 0, srRetimed: 0, srDropped: 0 },
        sr: { ...senderReportState(m?.clockRateHz), noReports: true },
      };
      stats.streams.push(stream.stats);
      byClientRtcp.set(channels[1], stream);
      return stream;
    };

    const filterStream = (stream: RelayStream, rtcp: Buffer): Buffer => {
      const out = filterSenderReports(rtcp, stream.sr);
      Object.assign(stream.stats, { srSeen: stream.sr.seen, srForwarded: stream.sr.forwarded, srRetimed: stream.sr.retimed, srDropped: stream.sr.dropped });
      return out;
    };

    // camera → ffmpeg
    upstream.on('data', (chunk: Buffer) => {
      let items: RtspStreamItem[];
      try {
        items = upstreamParser.push(chunk);
      } catch (err) {
        stats.lastUpstreamError = { code: 'EPROTO', message: (err as Error).message, atMs: Date.now() };
        shutdown();
        return;
      }
      for (const item of items) {
        if (item.kind === 'frame') {
          const known = byUpstreamChannel.get(item.channel);
          if (!known) toClient(interleavedFrame(item.channel, item.payload));
          else if (known.rtcp) rtcpToClient(interleavedFrame(known.stream.stats.channels[1], filterStream(known.stream, item.payload)));
          else {
            known.stream.stats.rtpPackets++;
            rtpToClient(interleavedFrame(known.stream.stats.channels[0], item.payload));
          }
          continue;
        }
        const res = item.message;
        if (!/^RTSP\//.test(res.startLine)) continue; // a request from the camera (ANNOUNCE…): not relayed
        // Matched by CSeq; a camera that leaves it out answers in order (RFC 2326 §10: one request at a time on ffmpeg's side).
        const key = rtspHeader(res, 'CSeq') ?? pending.keys().next().value ?? '';
        const p = pending.get(key);
        if (!p) continue;
        pending.delete(key);
        const status = Number(/^RTSP\/\d\.\d (\d{3})/.exec(res.startLine)?.[1]);
        if (status === 401 && !p.retried && username !== undefined) {
          const challenge = pickChallenge(rtspHeaders(res, 'WWW-Authenticate'));
          if (challenge) {
            auth = new Authenticator(challenge, username, password);
            p.retried = true;
            sendUpstream(p);
            continue;
          }
        }
        const method = p.request.startLine.split(' ')[0];
        if (status === 200 && method === 'DESCRIBE') {
          const base = rtspHeader(res, 'Content-Base') ?? rtspHeader(res, 'Content-Location') ?? p.request.startLine.split(' ')[1];
          media = sdpMedia(res.body.toString('utf8')).map((m) => ({ ...m, url: resolveControl(base, m.control) }));
        }
        if (p.setup) answerSetup(res, p, status);
        if (method === 'PLAY' && status === 200) decideTiming(res);
        if (p.clientCSeq !== undefined) setRtspHeader(res, 'CSeq', p.clientCSeq);
        else res.headers = res.headers.filter(([n]) => n.toLowerCase() !== 'cseq');
        res.headers = res.headers.map(([n, v]) => [n, /^(content-base|content-location|rtp-info|location)$/i.test(n) ? toRelay(v, seenOrigins) : v]);
        if (/^application\/sdp/i.test(rtspHeader(res, 'Content-Type') ?? '')) {
          res.body = Buffer.from(
            res.body
              .toString('utf8')
              .split(/(\r?\n)/)
              .map((l) => (/^a=control:/.test(l) ? toRelay(l, seenOrigins) : l))
              .join(''),
            'utf8',
          );
        }
        toClient(serializeRtspMessage(res));
      }
    });

    /** Notes a SETUP's channels (upstream TCP) or the camera's ports (upstream UDP), and what ffmpeg is answered. */
    const answerSetup = (res: RtspMessage, p: Pending, status: number): void => {
      const control = p.request.startLine.split(' ')[1];
      const transport = rtspHeader(res, 'Transport') ?? '';
      if (opts.transport === 'tcp') {
        if (status !== 200) return;
        const ch = /interleaved=(\d+)(?:-(\d+))?/.exec(transport);
        const channels: [number, number] = ch ? [Number(ch[1]), ch[2] !== undefined ? Number(ch[2]) : Number(ch[1]) + 1] : p.setup!.clientChannels;
        const stream = newStream(control, channels);
        byUpstreamChannel.set(channels[0], { stream, rtcp: false });
        byUpstreamChannel.set(channels[1], { stream, rtcp: true });
        return;
      }
      const stream = p.setup!.stream!;
      if (status !== 200) return;
      const server = /server_port=(\d+)(?:-(\d+))?/.exec(transport);
      const source = /source=([^;\s]+)/.exec(transport)?.[1];
      stream.cameraAddress = source ?? upstream.remoteAddress ?? cameraHost;
      stream.serverRtcpPort = server ? (server[2] !== undefined ? Number(server[2]) : Number(server[1]) + 1) : undefined;
      const ssrc = /;ssrc=([0-9A-Fa-f]+)/.exec(transport)?.[1];
      const [a, b] = stream.stats.channels;
      setRtspHeader(res, 'Transport', `RTP/AVP/TCP;unicast;interleaved=${a}-${b}${ssrc ? `;ssrc=${ssrc}` : ''}`);
    };
  });

  return {
    url,
    stats: () => ({ ...stats, streams: stats.streams.map((s) => ({ ...s, channels: [...s.channels] as [number, number] })) }),
    close: async () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      for (const u of udpSockets) {
        try {
          u.close();
        } catch {
          /* already closed */
        }
      }
      udpSockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Replaces `from` (an origin like `rtsp://host:port`) by `to` wherever it starts a URL in `s` (not a longer host or port). */
function replaceOrigin(s: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return s.replace(new RegExp(`${escaped}(?=[/?;,\\s"]|$)`, 'gi'), to);
}

/** The absolute URL of an SDP control attribute against the session's base (RFC 2326 §C.1.1). */
function resolveControl(base: string, control: string | undefined): string {
  if (control === undefined || control === '*') return base;
  if (/^rtsp:\/\//i.test(control)) return control;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}

/** Same path and query (origins may differ: an RTP-Info URL may name the camera by its IP), up to a trailing slash. */
function samePath(a: string, b: string): boolean {
  const path = (u: string): string => u.trim().replace(/^rtsps?:\/\/[^/]*/i, '').replace(/\/$/, '');
  return path(a) === path(b);
}

/** Equal URLs up to a trailing slash. */
function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

/** Two UDP sockets on 127.0.0.1-reachable ports p (even) and p+1, bound on all interfaces. @throws Error after 20 tries */
async function bindUdpPair(): Promise<[dgram.Socket, dgram.Socket]> {
  const bind = (port: number): Promise<dgram.Socket | undefined> =>
    new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(undefined);
      });
      s.bind(port, () => {
        s.removeAllListeners('error');
        s.on('error', () => {});
        resolve(s);
      });
    });
  for (let i = 0; i < 20; i++) {
    const first = await bind(0);
    if (!first) continue;
    const port = first.address().port;
    if (port % 2 === 0 && port < 65535) {
      const second = await bind(port + 1);
      if (second) return [first, second];
    }
    first.close();
  }
  throw new Error('rtsp relay: no free even/odd UDP port pair after 20 tries');
}
