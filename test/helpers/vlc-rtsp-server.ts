/**
 * Test helper: a second, independent RTSP "camera" for tests: VLC's RTSP server (VLC 3 from Debian's `vlc-bin` and
 * `vlc-plugin-base`, scripts/install-test-deps.sh), beside GStreamer's (testbed/rtsp-server.ts), so that no test
 * passes only because of one server's habits.
 *
 * Each mount is a VLM broadcast: VLC demuxes the file in real time from its start-up, whether or not anyone watches,
 * and sends its elementary streams as they are (no transcoding: H.264/H.265 video, AAC or G.711 audio, whatever the
 * file holds, MP4 or MKV) over RTP to every client that has PLAYed; a client joins wherever the stream is. The file
 * loops (`input-repeat`); VLC's RTP clock steps back by about 1 s at each seam (measured with 3.0.24), so a test
 * should end within one pass of the file (test/helpers/camera-clips.ts makes 60 s clips for VLC).
 *
 * Transports (VLC 3.0.24, modules/stream_out/rtsp.c, checked with ffmpeg): RTP over UDP unicast only
 * (`RTP/AVP` / `RTP/AVP/UDP`, `client_port`); a SETUP asking for TCP interleaving (`RTP/AVP/TCP`) is answered
 * `461 Unsupported transport`, and there is no RTSP-over-HTTP tunnel. Record it with `rtsp_transport udp`.
 *
 * Timing, as a camera with a loose clock: VLC sends an RTCP sender report every ~5 s whose NTP time does not quite
 * follow its RTP clock. ffmpeg's RTP demuxer re-times every packet of a session with more than one stream from the last
 * report (libavformat/rtpdec.c `finalize_packet`), so a client sees the video's timestamps step by up to a frame
 * (±20-40 ms at 25 fps) every ~5 s; with B-frames two frames can then share a timestamp. The same file without audio
 * (one stream: no re-timing) comes through with exact 40 ms steps.
 *
 * VLC refuses to run as root ("VLC is not supposed to be run as root. Sorry."; `vlc-wrapper` only drops root to the
 * real user). When this process is root, VLC runs as `nobody` (uid/gid 65534) with its own HOME: the files it serves
 * must then be readable by others (camera-clips.ts's cache is).
 *
 * Typical use:
 * ```ts
 * const vlc = await startVlcRtspServer({ file: (await cameraClip('h264-baseline-pcmu')).path });
 * try {
 *   // record vlc.url (rtsp://127.0.0.1:40123/cam) with rtspTransport 'udp'
 * } finally {
 *   await vlc.stop();
 * }
 * ```
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../testbed/ports';
import { rtspDescribe } from './rtsp-describe';

/** Debian's VLC binary (`cvlc` is `vlc -I dummy`; the remote-control interface is chosen here instead, see below). */
const VLC = '/usr/bin/vlc';

/** uid and gid of Debian's `nobody`, whom VLC runs as when this process is root. */
const NOBODY_ID = 65534;

/** How long {@link startVlcRtspServer} waits for every mount to answer DESCRIBE with 200, ms. */
const READY_TIMEOUT_MS = 15_000;

/** Pause between two DESCRIBE polls, ms. */
const POLL_MS = 100;

/** How long {@link VlcRtspServer.stop} waits after SIGTERM before SIGKILL, ms. */
const STOP_GRACE_MS = 5_000;

/** How many characters of VLC's output are kept for {@link VlcRtspServer.logs} and error messages. */
const LOG_KEEP_CHARS = 64 * 1024;

/** A running VLC RTSP server, as returned by {@link startVlcRtspServer}. */
export interface VlcRtspServer {
  /** TCP port of the RTSP server, on 127.0.0.1. */
  readonly port: number;
  /** Stream URL of each mount, keyed by the mount path as given, e.g. `{ '/cam': 'rtsp://127.0.0.1:40123/cam' }`. */
  readonly urls: Readonly<Record<string, string>>;
  /** The URL of the first mount (of `/cam` when started with `file`). */
  readonly url: string;
  /** Process id of VLC. */
  readonly pid: number;
  /** When VLC was started, epoch ms: each file's first packet goes out at about this + `startDelayMs`. */
  readonly startedAtMs: number;
  /** The last 64 KiB of VLC's output (warnings and errors; the remote-control interface's status lines). */
  logs(): string;
  /**
   * Stops VLC: SIGTERM, then SIGKILL after 5 s. Resolves once it has exited (its port is then free); never rejects;
   * calling it again resolves at once.
   */
  stop(): Promise<void>;
}

/** Options of {@link startVlcRtspServer}: give `mounts` or `file`. */
export interface StartVlcRtspServerOptions {
  /**
   * Mount path → absolute path of a media file VLC can demux (MP4, MKV, MOV…), e.g.
   * `{ '/pcmu': clip.path }`. Mount paths start with `/` and use `A-Z a-z 0-9 - . _ ~` and `/`.
   */
  mounts?: Record<string, string>;
  /** One file served at `/cam` (shorthand for `mounts: { '/cam': file }`). */
  file?: string;
  /** TCP port on 127.0.0.1 (1-65535); a free one when omitted (then up to 3 ports are tried). */
  port?: number;
  /**
   * Milliseconds between VLC's start and each stream's first packet (VLC's input caching, `file-caching`), default
   * 300 (VLC's own). The mounts answer DESCRIBE within ~200 ms of the start, so a client that connects in between
   * receives the stream from its very first packet (the file's first keyframe and what follows it): a camera whose
   * stream starts when the client connects.
   */
  startDelayMs?: number;
}

/** Validates the options and returns the mounts as entries. @throws TypeError or Error naming the bad value */
function checkOptions(opts: StartVlcRtspServerOptions): Array<[string, string]> {
  if ((opts.mounts === undefined) === (opts.file === undefined)) throw new TypeError('startVlcRtspServer: give exactly one of opts.mounts and opts.file');
  const entries = Object.entries(opts.mounts ?? { '/cam': opts.file! });
  if (entries.length === 0) throw new TypeError('startVlcRtspServer: opts.mounts must have at least one entry');
  for (const [mount, file] of entries) {
    if (!/^\/[A-Za-z0-9._~\-/]+$/.test(mount)) throw new TypeError(`startVlcRtspServer: bad mount path ${JSON.stringify(mount)}`);
    if (typeof file !== 'string' || !path.isAbsolute(file)) throw new TypeError(`startVlcRtspServer: file for mount ${mount} must be an absolute path, got ${JSON.stringify(file)}`);
    if (!existsSync(file)) throw new Error(`startVlcRtspServer: file for mount ${mount} not found: ${file}`);
    // As nobody, VLC must be able to read the file (VLC itself only says "cannot open file" much later).
    if (runsAsRoot() && (statSync(file).mode & 0o004) === 0) throw new Error(`startVlcRtspServer: ${file} is not readable by others; VLC runs as nobody (uid ${NOBODY_ID})`);
  }
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535)) {
    throw new TypeError(`startVlcRtspServer: opts.port must be an integer in 1-65535, got ${String(opts.port)}`);
  }
  if (opts.startDelayMs !== undefined && !(Number.isInteger(opts.startDelayMs) && opts.startDelayMs >= 0 && opts.startDelayMs <= 60_000)) {
    throw new TypeError(`startVlcRtspServer: opts.startDelayMs must be an integer in 0-60000, got ${String(opts.startDelayMs)}`);
  }
  return entries;
}

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * The VLM configuration: one broadcast per mount, looping, sent over RTP with an RTSP description at the mount.
 * VLM quotes: double quotes around values with spaces; the paths checked above have none of `"` `\n`.
 */
function vlmConfig(port: number, entries: Array<[string, string]>, startDelayMs: number | undefined): string {
  return entries
    .flatMap(([mount, file], i) => [
      `new m${i} broadcast enabled`,
      `setup m${i} input "${file}"`,
      // input-repeat replays the same input, keeping its elementary streams (VLC's --loop would end them at the end
      // of the file and add new tracks, leaving connected clients with nothing).
      `setup m${i} option input-repeat=65535`,
      ...(startDelayMs !== undefined ? [`setup m${i} option file-caching=${startDelayMs}`] : []),
      `setup m${i} output #rtp{sdp=rtsp://127.0.0.1:${port}${mount}}`,
    ])
    .concat(entries.map((_, i) => `control m${i} play`))
    .join('\n')
    .concat('\n');
}

/** Waits for a child process to exit, at most `ms`. Resolves true if it exited. */
function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitExit(child, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  await waitExit(child, STOP_GRACE_MS);
}

/** Raised by {@link launch} when VLC could not listen on the port. */
class PortInUseError extends Error {}

async function launch(port: number, entries: Array<[string, string]>, startDelayMs: number | undefined): Promise<VlcRtspServer> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kw-vlc-'));
  const conf = path.join(home, 'broadcasts.vlm');
  writeFileSync(conf, vlmConfig(port, entries, startDelayMs), { mode: 0o644 });
  if (runsAsRoot()) chownSync(home, NOBODY_ID, NOBODY_ID);
  const args = [
    // The remote-control interface on stdin instead of cvlc's dummy one: VLC quits when stdin reaches its end, so a
    // test process that dies without stop() does not leave VLC behind (its end of the pipe closes).
    '-I',
    'oldrc',
    '--rc-fake-tty',
    '--ignore-config',
    '--no-plugins-cache',
    '--no-media-library',
    '--verbose=1',
    '--rtsp-host',
    '127.0.0.1',
    '--vlm-conf',
    conf,
  ];
  const child = spawn(VLC, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' },
    ...(runsAsRoot() ? { uid: NOBODY_ID, gid: NOBODY_ID } : {}),
  });
  const startedAtMs = Date.now();
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      output = (output + chunk).slice(-LOG_KEEP_CHARS);
    });
  }
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const urls: Record<string, string> = Object.fromEntries(entries.map(([mount]) => [mount, `rtsp://127.0.0.1:${port}${mount}`]));
  let stopping: Promise<void> | undefined;
  const server: VlcRtspServer = {
    port,
    urls,
    url: urls[entries[0][0]],
    pid: child.pid ?? -1,
    startedAtMs,
    logs: () => output,
    stop: () => {
      stopping ??= terminate(child).finally(() => rmSync(home, { recursive: true, force: true }));
      return stopping;
    },
  };

  try {
    const waiting = new Set(Object.values(urls));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (waiting.size > 0) {
      if (spawnError) throw new Error(`vlc-rtsp-server: cannot run ${VLC} (apt-get install vlc-bin vlc-plugin-base): ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`vlc-rtsp-server: VLC exited before ready (${child.exitCode ?? child.signalCode}, port ${port}); output:\n${output}`);
      }
      if (/cannot (?:create socket|bind)|socket bind error|Address already in use/i.test(output)) {
        throw new PortInUseError(`vlc-rtsp-server: VLC cannot listen on 127.0.0.1:${port}; output:\n${output}`);
      }
      for (const url of [...waiting]) {
        const answer = await rtspDescribe(url, 1000).catch(() => undefined);
        // Another program on the port would answer too: only VLC's own 200 counts.
        if (answer?.status === 200 && answer.server?.startsWith('VLC')) waiting.delete(url);
        // (VLC's own 404, while a mount is not yet set up, has no Server header.)
        else if (answer?.server !== undefined && !answer.server.startsWith('VLC')) throw new PortInUseError(`vlc-rtsp-server: 127.0.0.1:${port} is answered by ${answer.server}`);
      }
      if (waiting.size === 0) break;
      if (Date.now() > deadline) throw new Error(`vlc-rtsp-server: ${[...waiting].join(', ')} not described within ${READY_TIMEOUT_MS} ms; output:\n${output}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch (err) {
    await server.stop();
    throw err;
  }

  // A forgotten server must not keep the test process alive; if that process dies, VLC sees stdin end and quits.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream instanceof net.Socket) stream.unref();
  }
  return server;
}

/**
 * Starts VLC serving `mounts` (or `file` at `/cam`) over RTSP, live and looping, and waits until every mount answers
 * DESCRIBE with 200.
 * @returns the running server; call {@link VlcRtspServer.stop} when done
 * @throws TypeError on bad options (both or neither of mounts and file, bad mount path, relative file path, bad port
 *   or startDelayMs)
 * @throws Error when a file is missing or (as root) not readable by others, VLC is not installed, exits, cannot listen
 *   on the given port, or does not describe every mount within 15 s; the message holds VLC's output
 */
export async function startVlcRtspServer(opts: StartVlcRtspServerOptions): Promise<VlcRtspServer> {
  const entries = checkOptions(opts);
  if (opts.port !== undefined) return launch(opts.port, entries, opts.startDelayMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), entries, opts.startDelayMs);
    } catch (err) {
      if (!(err instanceof PortInUseError) || attempt >= 3) throw err;
    }
  }
}
