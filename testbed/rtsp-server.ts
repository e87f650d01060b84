/**
 * Testbed: a real RTSP "camera" for tests and benchmarks.
 *
 * Wraps `testbed/rtsp-server.py`, a GStreamer gst-rtsp-server script that
 * serves MP4 files as live RTSP streams: each file plays in real time and
 * loops forever, its H.264 video (and AAC audio, if the file has any) is sent
 * as is (no transcoding), timestamps keep increasing across loop points, and
 * every client of a mount sees the same live stream.
 *
 * Requirements (Debian packages): python3-gi, gir1.2-gst-rtsp-server-1.0,
 * gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad. The script is run with
 * Debian's `/usr/bin/python3` (a pyenv/venv `python3` usually lacks `gi`).
 *
 * Typical use:
 * ```ts
 * const server = await startRtspServer({ mounts: { '/person': mediaPath('one-by-one-person-detection.mp4') } });
 * try {
 *   // record from server.urls['/person'], e.g. rtsp://127.0.0.1:40123/person
 * } finally {
 *   await server.stop();
 * }
 * ```
 * To simulate a camera that stops serving for a while: `stop()` it, wait,
 * then `startRtspServer({ mounts, port: server.port })` again (the port can be
 * reused immediately; the server binds with SO_REUSEADDR).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort } from './ports';

/** Path of the Python interpreter that has GStreamer's `gi` bindings (Debian's). */
const PYTHON = '/usr/bin/python3';

/** How long {@link startRtspServer} waits for every mount's READY line, in milliseconds. */
const READY_TIMEOUT_MS = 20_000;

/** How long {@link RtspServer.stop} waits after SIGTERM before sending SIGKILL, in milliseconds. */
const STOP_GRACE_MS = 5_000;

/** The Python script's exit code when it cannot bind the port (see rtsp-server.py). */
const EXIT_BIND = 3;

/** How many characters of the server's stderr are kept for error messages and {@link RtspServer.logs}. */
const STDERR_KEEP_CHARS = 64 * 1024;

/** File name of the gst-rtsp-server script, which lives in `<repo>/testbed/`. */
const SCRIPT_NAME = 'rtsp-server.py';

/**
 * Finds the repository root: the directory that contains `testbed/rtsp-server.py`.
 *
 * Tries, in order: relative to this module's compiled location
 * (`<repo>/dist/testbed/` → two levels up), relative to its source
 * location (`<repo>/testbed/` → one level up, e.g. when run with a TS
 * loader), then `process.cwd()`.
 *
 * @throws Error if none of these holds the script.
 */
function findRepoRoot(): string {
  const candidates = [
    path.resolve(__dirname, '..', '..'),
    path.resolve(__dirname, '..'),
    process.cwd(),
  ];
  for (const root of candidates) {
    if (fs.existsSync(path.join(root, 'testbed', SCRIPT_NAME))) {
      return root;
    }
  }
  throw new Error(
    `rtsp-server: cannot find testbed/${SCRIPT_NAME}; looked in: ${candidates.join(', ')}`,
  );
}

/** Absolute path of the repository root (the directory holding `testbed/rtsp-server.py`). */
const REPO_ROOT: string = findRepoRoot();

/** Absolute path of the gst-rtsp-server script. */
const SCRIPT_PATH: string = path.join(REPO_ROOT, 'testbed', SCRIPT_NAME);

/**
 * Absolute path of the test clips, `test/fixtures/media` in the repository.
 * Holds the clips described in its README.md (one-by-one-person-detection.mp4,
 * car-detection.mp4, bottle-detection.mp4; CC BY 4.0, source and attribution there).
 */
export const MEDIA_DIR: string = path.join(REPO_ROOT, 'test', 'fixtures', 'media');

/**
 * Absolute path of a test clip in {@link MEDIA_DIR}.
 *
 * @param name File name inside MEDIA_DIR, e.g. `'car-detection.mp4'`.
 * @returns The absolute path of the file.
 * @throws Error if the file does not exist (the message names the full path).
 */
export function mediaPath(name: string): string {
  const file = path.resolve(MEDIA_DIR, name);
  let isFile = false;
  try {
    isFile = fs.statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new Error(`test media file not found: ${file} (expected in ${MEDIA_DIR})`);
  }
  return file;
}

/** A running RTSP test server, as returned by {@link startRtspServer}. */
export interface RtspServer {
  /** TCP port the server listens on, on 127.0.0.1. */
  readonly port: number;
  /**
   * Stream URL of each mount, keyed by the mount path exactly as given in
   * `opts.mounts`, e.g. `{ '/person': 'rtsp://127.0.0.1:40123/person' }`.
   */
  readonly urls: Readonly<Record<string, string>>;
  /** Process id of the server process. */
  readonly pid: number;
  /**
   * When each mount's clip time 0 (of its first loop) is played, epoch ms UTC by this machine's clock, keyed like
   * {@link urls}. A mount plays from the server's start, so a client joining later is at clip time
   * `((now − clipStartMs) / 1000) mod` the clip's length.
   */
  readonly clipStartMs: Readonly<Record<string, number>>;
  /** The last 64 KiB of the server's stderr (diagnostics: media created/released, loops, errors). */
  logs(): string;
  /**
   * Stops the server: sends SIGTERM, waits for the process to exit, and sends
   * SIGKILL if it has not exited within 5 s. Resolves once the process has
   * exited (the port is then free). Never rejects; calling it again, or after
   * the process died on its own, resolves at once.
   */
  stop(): Promise<void>;
}

/** Options of {@link startRtspServer}. */
export interface StartRtspServerOptions {
  /**
   * What to serve: mount path → absolute path of an MP4 file, e.g.
   * `{ '/person': mediaPath('one-by-one-person-detection.mp4') }`. Mount
   * paths start with `/` and use only the characters `A-Z a-z 0-9 - . _ ~ /`.
   * The file must have an H.264 (or H.265) video track; an AAC audio track,
   * if any, is served too. At least one mount or launch line is required.
   */
  mounts?: Record<string, string>;
  /**
   * gst-rtsp-server launch lines served as they are: mount path → line (payloaders named `pay0`, `pay1`…), for
   * streams the MP4 mounts cannot serve, e.g. MJPEG
   * `( videotestsrc is-live=true ! video/x-raw,format=I420 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )` or audio only
   * `( audiotestsrc is-live=true ! mulawenc ! rtppcmupay name=pay0 )`. Shared, started at the first client; their
   * {@link RtspServer.clipStartMs} is when the server became ready. URLs in {@link RtspServer.urls} like the mounts'.
   */
  launches?: Record<string, string>;
  /**
   * `USER:PASS`: every mount asks for these HTTP Basic credentials, like a camera with a password (RTSP 401 without
   * them or with others); give them in the URL, `rtsp://USER:PASS@127.0.0.1:{port}/path`. {@link RtspServer.urls} stay
   * without credentials.
   */
  auth?: string;
  /** With {@link auth}: ask for HTTP Digest (RFC 2617, MD5, no qop) instead of Basic, as most IP cameras do. */
  authDigest?: boolean;
  /**
   * TCP port to listen on (1–65535). If omitted, a free port on 127.0.0.1 is
   * picked. Pass the port of a stopped server to restart "the same camera".
   */
  port?: number;
}


/** Error thrown by {@link launch} when the script exits with {@link EXIT_BIND}. */
class PortInUseError extends Error {}

/** Checks a mount path. @throws TypeError when malformed */
function checkMountPath(mount: string): void {
  if (!/^\/[A-Za-z0-9._~\-/]+$/.test(mount)) {
    throw new TypeError(
      `startRtspServer: bad mount path ${JSON.stringify(mount)} (must start with "/" and use only A-Z a-z 0-9 - . _ ~ /)`,
    );
  }
}

/** Validates `opts.launches` and returns its entries. @throws TypeError on a bad path or an empty line */
function checkLaunches(launches: Record<string, string>): Array<[string, string]> {
  const entries = Object.entries(launches);
  for (const [mount, line] of entries) {
    checkMountPath(mount);
    if (typeof line !== 'string' || line.trim() === '') {
      throw new TypeError(`startRtspServer: launch line for mount ${mount} is empty`);
    }
  }
  return entries;
}

/** Validates `opts.mounts` and returns its entries. @throws TypeError on bad input. */
function checkMounts(mounts: Record<string, string>): Array<[string, string]> {
  const entries = Object.entries(mounts);
  for (const [mount, file] of entries) {
    checkMountPath(mount);
    if (typeof file !== 'string' || !path.isAbsolute(file)) {
      throw new TypeError(`startRtspServer: file for mount ${mount} must be an absolute path, got ${JSON.stringify(file)}`);
    }
    if (!fs.existsSync(file)) {
      throw new Error(`startRtspServer: file for mount ${mount} not found: ${file}`);
    }
  }
  return entries;
}

/** Waits for a child process to exit, for at most `ms` milliseconds. Resolves true if it exited. */
function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Sends SIGTERM, then SIGKILL after {@link STOP_GRACE_MS}; resolves once the process has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  if (await waitExit(child, STOP_GRACE_MS)) {
    return;
  }
  child.kill('SIGKILL');
  await waitExit(child, STOP_GRACE_MS);
}

/** Spawns the script on `port` and waits for every READY line. */
async function launch(port: number, mountEntries: Array<[string, string]>, launchEntries: Array<[string, string]>, auth: string | undefined, authDigest = false): Promise<RtspServer> {
  const args = [SCRIPT_PATH, '--port', String(port), '--exit-on-stdin-eof'];
  for (const [mount, file] of mountEntries) {
    args.push('--mount', `${mount}=${file}`);
  }
  for (const [mount, line] of launchEntries) {
    args.push('--launch', `${mount}=${line}`);
  }
  if (auth !== undefined) args.push('--auth', auth, ...(authDigest ? ['--auth-digest'] : []));
  const entries = [...mountEntries, ...launchEntries];
  const child = spawn(PYTHON, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
  });

  const wanted = new Set(entries.map(([mount]) => `rtsp://127.0.0.1:${port}${mount}`));
  const urls: Record<string, string> = {};
  for (const [mount] of entries) {
    urls[mount] = `rtsp://127.0.0.1:${port}${mount}`;
  }

  const clipStartMs: Record<string, number> = {};
  let stopping: Promise<void> | undefined;
  const server: RtspServer = {
    port,
    urls,
    clipStartMs,
    pid: child.pid ?? -1,
    logs: () => stderr,
    stop: () => {
      stopping ??= terminate(child);
      return stopping;
    },
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let stdoutBuf = '';
      const timer = setTimeout(() => {
        fail(new Error(`rtsp-server: not ready after ${READY_TIMEOUT_MS} ms (port ${port}); stderr:\n${stderr}`));
      }, READY_TIMEOUT_MS);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.removeListener('exit', onExit);
        child.removeListener('error', onError);
      };
      const fail = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const onData = (chunk: string): void => {
        stdoutBuf += chunk;
        let nl: number;
        while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
          const line = stdoutBuf.slice(0, nl).trim();
          stdoutBuf = stdoutBuf.slice(nl + 1);
          const m = /^READY (\S+) clip0=(\d+)$/.exec(line);
          if (m !== null && wanted.delete(m[1])) {
            clipStartMs[new URL(m[1]).pathname] = Number(m[2]);
          }
        }
        if (wanted.size === 0) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        // Let the stderr pipe drain so the message holds the script's last words.
        setImmediate(() => {
          const how = code !== null ? `exit code ${code}` : `signal ${signal ?? '?'}`;
          const msg = `rtsp-server: exited before ready (${how}, port ${port}); stderr:\n${stderr}`;
          fail(code === EXIT_BIND ? new PortInUseError(msg) : new Error(msg));
        });
      };
      const onError = (err: Error): void => {
        fail(new Error(`rtsp-server: cannot run ${PYTHON} ${SCRIPT_PATH}: ${err.message}`));
      };
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  } catch (err) {
    await terminate(child);
    throw err;
  }

  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout?.resume();
  // Do not let a forgotten server keep the test process alive: unref the
  // process and its pipes. If the test process exits without calling stop(),
  // the child sees EOF on stdin (--exit-on-stdin-eof) and exits on its own.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream instanceof net.Socket) {
      stream.unref();
    }
  }
  return server;
}

/**
 * Starts an RTSP test camera serving MP4 files, live and looping.
 *
 * Each mount's file is streamed in real time from the moment the server
 * starts, looping forever with ever-increasing timestamps; its H.264/H.265
 * video and AAC audio (if any) are sent without transcoding (RTP payload
 * types 96 and 97, audio as RFC 3640 mpeg4-generic). All clients of a mount
 * share one live stream, and a client joins wherever that stream is (usually
 * mid-GOP, like with a real camera): its video becomes decodable at the next
 * keyframe, so allow up to one GOP of delay (1 s for
 * one-by-one-person-detection.mp4, 4.8 s for car-detection.mp4, ~8.4 s for
 * bottle-detection.mp4) on top of the client's own probing time.
 *
 * @param opts.mounts Mount path → absolute MP4 path; see {@link StartRtspServerOptions.mounts}.
 * @param opts.launches Mount path → gst-rtsp-server launch line (MJPEG, audio only…); see {@link StartRtspServerOptions.launches}.
 * @param opts.auth `USER:PASS` every mount asks for (HTTP Basic, or Digest with `opts.authDigest`); see {@link StartRtspServerOptions.auth}.
 * @param opts.port TCP port (1–65535) on 127.0.0.1; a free one is picked when omitted.
 * @returns The running server; call {@link RtspServer.stop} when done.
 * @throws TypeError if there is neither a mount nor a launch line, a mount path is malformed, a
 *   file path is not absolute, a launch line is empty, `opts.auth` is not `USER:PASS`, or `opts.port` is not an
 *   integer in 1–65535.
 * @throws Error if a file does not exist, the server does not print READY for
 *   every mount within 20 s, or it exits early (bad media, port in use when
 *   `opts.port` was given, missing GStreamer packages); the message includes
 *   the server's stderr. When the port was picked automatically and turns out
 *   to be taken meanwhile, another port is tried (up to 3 attempts).
 */
export async function startRtspServer(opts: StartRtspServerOptions): Promise<RtspServer> {
  const entries = checkMounts(opts.mounts ?? {});
  const launches = checkLaunches(opts.launches ?? {});
  if (entries.length + launches.length === 0) {
    throw new TypeError('startRtspServer: opts.mounts or opts.launches must have at least one entry');
  }
  if (opts.auth !== undefined && !/^[^:]+:/.test(opts.auth)) {
    throw new TypeError(`startRtspServer: opts.auth must look like USER:PASS, got ${JSON.stringify(opts.auth)}`);
  }
  if (opts.port !== undefined) {
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      throw new TypeError(`startRtspServer: opts.port must be an integer in 1-65535, got ${String(opts.port)}`);
    }
    return launch(opts.port, entries, launches, opts.auth, opts.authDigest);
  }
  const attempts = 3;
  for (let i = 1; ; i++) {
    const port = await freePort();
    try {
      return await launch(port, entries, launches, opts.auth, opts.authDigest);
    } catch (err) {
      if (!(err instanceof PortInUseError) || i >= attempts) {
        throw err;
      }
    }
  }
}
