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
 *
 * Its parts: the RTSP byte stream (rtsp-stream-parser.ts), sender reports (rtcp-sender-reports.ts), the camera's
 * challenge (rtsp-auth.ts), the SDP's clock rates (sdp-media.ts).
 */

import dgram from 'node:dgram';
import net from 'node:net';
import { filterSenderReports, senderReportState, type SenderReportState } from './rtcp-sender-reports';
import { Authenticator, pickChallenge } from './rtsp-auth';
import { RtspStreamParser, interleavedFrame, rtspHeader, rtspHeaders, serializeRtspMessage, setRtspHeader, type RtspMessage, type RtspStreamItem } from './rtsp-stream-parser';
import { sdpMedia, type SdpMedia } from './sdp-media';

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
