import { redact } from '../../shared/redact';
import type { SessionFailureCause } from '../../shared/contracts/device-events';

/** Why one recording session ended or never started, in words an operator can act on (credentials removed). */
export interface SessionFailure {
  cause: SessionFailureCause;
  /** e.g. `connection refused by 127.0.0.1:554`, `wrong username or password (401 Unauthorized)`; ≤ 300 characters. */
  message: string;
}

/**
 * Causes a person has to fix (the camera's password, its path, its encoder settings): the recorder retries them
 * slowly instead of every few seconds (edge-agent/recorder/camera-recorder.ts).
 */
export const SLOW_RETRY_CAUSES: ReadonlySet<SessionFailureCause> = new Set<SessionFailureCause>(['unauthorized', 'not-found', 'unsupported-codec']);

/** The diagnostics kind a cause is reported under (kinds agents sent before causes existed, AVA's event names). */
export function diagnosticKindOf(cause: SessionFailureCause): 'authorization-error' | 'protocol-error' | 'unsupported-format' | 'storage-error' {
  if (cause === 'unauthorized') return 'authorization-error';
  if (cause === 'unsupported-codec') return 'unsupported-format';
  if (cause === 'storage') return 'storage-error';
  return 'protocol-error';
}

/**
 * The failure of a session whose camera host name did not resolve (edge-agent/recorder/camera-host.ts resolves rtsp
 * names in Node, before ffmpeg starts).
 * @param err camera-host.ts's error, e.g. `camera host 'door.invalid' does not resolve: ENOTFOUND`
 */
export function hostResolutionFailure(err: Error): SessionFailure {
  return { cause: 'dns', message: tidy(err.message) };
}

/**
 * The failure of a session through the agent's RTSP relay (rtsp-relay.ts) whose connection to the camera failed or
 * broke: ffmpeg then saw only its loopback connection closed, so the relay's error names the cause.
 * @param err the relay's last upstream error: Node's `code` (`ECONNREFUSED`, `ETIMEDOUT`, `EHOSTUNREACH`,
 *   `ENETUNREACH`, `ECONNRESET`, `ENOTFOUND`, …) and message
 * @param endpoint the camera's `host:port`
 */
export function relayUpstreamFailure(err: { code: string; message: string }, endpoint: string): SessionFailure {
  if (err.code === 'ECONNREFUSED') return { cause: 'connection-refused', message: `connection refused by ${endpoint}` };
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return { cause: 'dns', message: tidy(`camera host of ${endpoint} does not resolve: ${err.code}`) };
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(err.code)) return { cause: 'timeout', message: tidy(`${endpoint} did not answer: ${err.message}`) };
  return { cause: 'stream-ended', message: tidy(`the connection to ${endpoint} ended: ${err.message}`) };
}

/** Evidence strength: when a session's lines name several causes, the lowest rank wins (a 401 explains the exit). */
const RANK: Record<SessionFailureCause, number> = {
  storage: 0,
  unauthorized: 1,
  'not-found': 2,
  'connection-refused': 3,
  dns: 4,
  timeout: 5,
  'unsupported-codec': 6,
  timestamps: 7,
  'stream-ended': 8,
  unknown: 9,
};

/** How long a connected server may stay silent before its closing counts as a timeout rather than a refusal (ms). */
const SILENT_SERVER_MS = 1000;

/**
 * Reads one session's ffmpeg stderr (`-loglevel verbose`, as edge-agent/recorder/ffmpeg-args.ts asks) and names why the
 * session ended. Pure: lines and times in, a {@link SessionFailure} out. The line shapes are those of ffmpeg 5.1 and
 * of the 2018 static build (4.1 era), captured from real runs against GStreamer's RTSP server
 * (test/fixtures/ffmpeg-stderr/, test/unit/edge-agent/recorder/session-failure.test.ts):
 * - `dns`: `Failed to resolve hostname NAME: …` (inputs ffmpeg resolves itself: http; rtsp names are resolved by
 *   the agent, {@link hostResolutionFailure});
 * - `connection-refused`: `Connection attempt to HOST port PORT failed: Connection refused`;
 * - `timeout`: `Connection timed out`, `No route to host`, `Network is unreachable`; a server that accepts the
 *   connection and stays silent (ffmpeg's socket timeout: `URL: Invalid data found when processing input` a while
 *   after `Successfully connected`); a session the watchdog ended (`stalled`);
 * - `unauthorized`: `method DESCRIBE failed: 401 Unauthorized`, `Server returned 401 Unauthorized`, `403 Forbidden`;
 * - `not-found`: `method DESCRIBE failed: 404 Not Found`, `Server returned 404 Not Found`;
 * - `unsupported-codec`: the input's first video stream is not H.264/H.265 (`Stream #0:0: Video: mjpeg …`), or the
 *   input has no video (`Stream map '0:v:0' matches no streams`): {@link line} says so at once, since ffmpeg would
 *   otherwise record MJPEG as an unplayable data stream;
 * - `timestamps`: the muxer refused a packet's timing (`first pts and dts value must be set`, 4.1: `first pts value
 *   must be set`; `non monotonically increasing dts to muxer`; `pts (…) < dts (…)`);
 * - `stream-ended`: ffmpeg exited 0 unasked (end of stream, `No more output streams to write to`), the connection
 *   was reset, or the server closed it before answering;
 * - `storage`: `No space left on device`, `Read-only file system`, `Disk quota exceeded`, `Failed to open segment`;
 * - `unknown`: anything else, with ffmpeg's last error line or exit status (e.g. RTSP `461 Unsupported transport`).
 */
export class SessionFailureReader {
  /** `HOST:PORT` of the last connection attempt. */
  private endpoint: string | undefined;
  private connectedAtMs: number | undefined;
  /** The server answered in RTSP (a status line, an SDP, an input ffmpeg could describe). */
  private answered = false;
  private section: 'none' | 'input' | 'after-input' = 'none';
  /** Codec of the input's first video stream, e.g. `h264`, `mjpeg`. */
  private videoCodec: string | undefined;
  private readonly audioCodecs: string[] = [];
  private refused: SessionFailure | undefined;
  private found: SessionFailure | undefined;
  /** The configured URL carries a username (seen in ffmpeg's `URL: …` lines, which print it). */
  private urlHasCredentials: boolean | undefined;
  /** When ffmpeg could not open the input: `URL: Invalid data found when processing input`. */
  private openFailedAtMs: number | undefined;
  private lastError: string | undefined;

  /**
   * @param startedAtMs when ffmpeg was started (epoch ms): builds that log no `Successfully connected` count from it
   * @param credentialsConfigured whether the camera has a username, when ffmpeg's own URL cannot say (a session through
   *   the agent's RTSP relay: ffmpeg connects to the relay without credentials, the relay answers the camera's challenge)
   */
  constructor(private readonly startedAtMs: number, credentialsConfigured?: boolean) {
    this.credentialsKnown = credentialsConfigured !== undefined;
    this.urlHasCredentials = credentialsConfigured;
  }

  /** {@link urlHasCredentials} was given, not to be read from ffmpeg's lines. */
  private readonly credentialsKnown: boolean;

  /**
   * Feeds one stderr line.
   * @param atMs when the line was read (epoch ms; only differences are used)
   * @returns a failure that must end the session now (the stream cannot be recorded playably), once; else undefined
   */
  line(text: string, atMs: number): SessionFailure | undefined {
    const before = this.refused;
    this.observe(text, atMs);
    return this.refused !== before ? this.refused : undefined;
  }

  /**
   * Why the session ended, from its lines and its exit. Call once ffmpeg has exited and the session was not stopped on
   * purpose.
   * @param exit `code`/`signal` as Node reports them; `stalled` when the watchdog killed the session
   */
  end(exit: { code: number | null; signal: string | null; stalled: boolean }): SessionFailure {
    if (this.refused) return this.refused;
    if (this.found) return this.found;
    if (exit.stalled) return { cause: 'timeout', message: this.silence('the watchdog ended the session') };
    if (this.openFailedAtMs !== undefined && !this.answered) {
      return this.openFailedAtMs - (this.connectedAtMs ?? this.startedAtMs) >= SILENT_SERVER_MS
        ? { cause: 'timeout', message: `${this.endpoint ?? 'the camera'} accepted the connection but sent no RTSP answer` }
        : { cause: 'stream-ended', message: `${this.endpoint ?? 'the camera'} closed the connection without an RTSP answer (is it the camera's RTSP port?)` };
    }
    if (exit.code === 0) return { cause: 'stream-ended', message: 'the camera ended the stream' };
    if (exit.signal) return { cause: 'unknown', message: exit.signal === 'SIGKILL' ? 'ffmpeg was killed (SIGKILL)' : `ffmpeg crashed (${exit.signal})` };
    return { cause: 'unknown', message: tidy(`ffmpeg exited with code ${exit.code ?? '?'}${this.lastError ? `: ${this.lastError}` : ''}`) };
  }

  private observe(text: string, atMs: number): void {
    this.trackInput(text);
    const attempt = /Starting connection attempt to (\S+) port (\d+)/.exec(text);
    if (attempt) this.endpoint = hostPort(attempt[1], attempt[2]);
    if (/Successfully connected to \S+ port \d+/.test(text)) this.connectedAtMs = atMs;
    if (/\bSDP:|method \w+ failed: \d{3}|Server returned [1-5]\d\d|^Input #0\b/.test(text)) this.answered = true;
    const url = /^(rtsps?|https?):\/\/([^/\s]*)/i.exec(text);
    if (url && !this.credentialsKnown) this.urlHasCredentials = url[2].includes('@');

    if (/No space left on device|Read-only file system|Disk quota exceeded/.test(text)) {
      const what = /No space left on device|Read-only file system|Disk quota exceeded/.exec(text)![0];
      return this.evidence({ cause: 'storage', message: `the cache is not writable: ${what}` });
    }
    if (/Failed to open segment/.test(text)) return this.evidence({ cause: 'storage', message: `the cache is not writable: ${tidy(text)}` });
    if (/\b401 Unauthorized\b/.test(text)) {
      return this.evidence({ cause: 'unauthorized', message: this.urlHasCredentials === false ? 'the camera asks for a username and password (401 Unauthorized); none is configured' : 'wrong username or password (401 Unauthorized)' }, true);
    }
    if (/\b403 Forbidden\b/.test(text)) return this.evidence({ cause: 'unauthorized', message: "access denied (403 Forbidden): check the username, the password and the user's rights on the camera" });
    if (/\b404 Not Found\b/.test(text)) {
      const path = /^rtsps?:\/\/[^/\s]*(\/[^\s]*?)?: Server returned 404/i.exec(text)?.[1];
      return this.evidence({ cause: 'not-found', message: path ? `no stream at path ${path} (404 Not Found)` : 'no stream at this path (404 Not Found)' }, path !== undefined);
    }
    const refused = /Connection attempt to (\S+) port (\d+) failed: Connection refused/.exec(text);
    if (refused) return this.evidence({ cause: 'connection-refused', message: `connection refused by ${hostPort(refused[1], refused[2])}` });
    if (/Connection refused/.test(text)) return this.evidence({ cause: 'connection-refused', message: `connection refused by ${this.endpoint ?? 'the camera'}` });
    const dns = /Failed to resolve hostname (\S+?):? (.*)$/.exec(text);
    if (dns) return this.evidence({ cause: 'dns', message: `camera host '${dns[1]}' does not resolve: ${dns[2].trim()}` });
    const unreachable = /Connection timed out|Operation timed out|No route to host|Network is unreachable|Host is unreachable/.exec(text);
    if (unreachable) return this.evidence({ cause: 'timeout', message: `no answer from ${this.endpoint ?? 'the camera'} (${unreachable[0]})` });
    if (/Stream map '0:v(:0)?' matches no streams/.test(text)) return this.refuseNoVideo();
    const timing = /first pts (and dts )?value must be set|non monotonically increasing dts to muxer[^,]*|pts \(\S+\) < dts \(\S+\)/.exec(text);
    if (timing) return this.evidence({ cause: 'timestamps', message: `ffmpeg refused the stream's timestamps: ${timing[0]}` });
    const rtspStatus = /method (\w+) failed: (\d{3}) ?(.*)$/.exec(text);
    if (rtspStatus) {
      const hint = rtspStatus[2] === '461' ? ' (try the other RTSP transport: rtspTransport tcp or udp)' : '';
      return this.evidence({ cause: 'unknown', message: `the camera refused RTSP ${rtspStatus[1]}: ${rtspStatus[2]} ${rtspStatus[3]}`.trim() + hint });
    }
    const reset = /Connection reset by peer|Broken pipe|: End of file$/.exec(text);
    if (reset) return this.evidence({ cause: 'stream-ended', message: `the camera closed the connection (${reset[0].replace(/^: /, '')})` });
    if (/^[a-z][a-z0-9+.-]*:\/\/\S*: Invalid data found when processing input$/i.test(text)) this.openFailedAtMs ??= atMs;
    if (/error|failed|invalid|unable|cannot|could not/i.test(text) && !/^\s|^Conversion failed!$/.test(text)) this.lastError = tidy(text);
  }

  /** Follows ffmpeg's `Input #0` dump (indented lines) and refuses a stream without H.264/H.265 video. */
  private trackInput(text: string): void {
    if (/^Input #0\b/.test(text)) {
      this.section = 'input';
      return;
    }
    if (this.section !== 'input') return;
    const stream = /^\s+Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: (Video|Audio): ([\w-]+)/.exec(text);
    if (stream?.[1] === 'Video' && this.videoCodec === undefined) {
      this.videoCodec = stream[2];
      if (!/^(h264|hevc)$/.test(this.videoCodec)) this.refused ??= { cause: 'unsupported-codec', message: `video ${this.videoCodec} is not H.264 or H.265: not recorded (set the camera's encoder to H.264 or H.265)` };
    } else if (stream?.[1] === 'Audio') this.audioCodecs.push(stream[2]);
    if (!/^\s/.test(text)) {
      this.section = 'after-input';
      if (this.videoCodec === undefined) this.refuseNoVideo();
    }
  }

  private refuseNoVideo(): void {
    const audio = this.audioCodecs.length ? `audio ${this.audioCodecs.join(', ')} only` : 'no stream ffmpeg can use';
    this.refused ??= { cause: 'unsupported-codec', message: `the stream has no video (${audio}): not recorded` };
  }

  /** Keeps the strongest evidence; `refine` lets a later line of the same cause say it better (the URL line after the status line). */
  private evidence(f: SessionFailure, refine = false): void {
    const current = this.found;
    if (!current || RANK[f.cause] < RANK[current.cause] || (refine && f.cause === current.cause)) this.found = { cause: f.cause, message: tidy(f.message) };
  }

  /** Why a session went silent, from how far it got. */
  private silence(what: string): string {
    const where = this.endpoint ?? 'the camera';
    if (this.connectedAtMs === undefined && this.endpoint) return `no answer from ${where}: ${what}`;
    if (!this.answered) return `${where} accepted the connection but sent no RTSP answer: ${what}`;
    return `no packet from the camera: ${what}`;
  }
}

/** `HOST:PORT`, IPv6 hosts bracketed. */
function hostPort(host: string, port: string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A line without ffmpeg's `[component @ 0x…]` prefix and without credentials, at most 300 characters. */
function tidy(text: string): string {
  return redact(text.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').trim()).slice(0, 300);
}
