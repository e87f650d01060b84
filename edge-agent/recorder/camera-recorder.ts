import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CameraConfig } from '../../shared/schemas/agent-config';
import type { Logger } from '../log';
import { resolveCameraHost } from './camera-host';
import { DiagnosticsReader, type RecorderDiagnostic } from './ffmpeg-diagnostics';
import { StderrLines } from './stderr-lines';
import { DEFAULT_WATCHDOG_TIMEOUT_MS, FRAMES_FD, PROGRESS_FD, SAMPLES_FD, SEGMENT_LIST_FD, audioNeedsAac, inputUrl, recorderArgs, sessionOutputPattern, type AudioHandling } from './ffmpeg-args';
import { parseDecodedFrameInfo, parseOutputVideoSize, parseSegmentListLine, parseSegmentStartLine, parseVideoStartPts, type SegmentListEntry } from './ffmpeg-output';
import { SegmentTimeline } from './segment-timeline';
import { SLOW_RETRY_CAUSES, SessionFailureReader, diagnosticKindOf, hostResolutionFailure, relayUpstreamFailure, type SessionFailure } from './session-failure';
import { startRtspRelay, type RtspRelay } from './rtsp-relay';
import type { RecorderFfmpeg } from './ffmpeg-path';
import type { GrayFrame } from '../motion/motion-detector';
import { ImageStreamSplitter } from '../extension/image-stream-splitter';
import type { ExtensionSample } from '../extension/http-extension-client';
import { FrameClock } from './frame-clock';
import { RawFrameSplitter } from './raw-frame-splitter';
import type { RecordedSegment } from '../segments/recorded-segment';
import { everyPeriod } from './shared-interval';

/** Options of {@link CameraRecorder}. */
export interface CameraRecorderOptions {
  camera: CameraConfig;
  segmentLengthMs: number;
  /** The camera's folder in the cache. */
  cameraDir: string;
  /** The ffmpeg binary and how its sessions guard their start (ffmpeg-path.ts `resolveFfmpeg`). */
  ffmpeg: Pick<RecorderFfmpeg, 'path' | 'startGuard'>;
  logger: Logger;
  /** Wall clock, epoch ms (swappable for tests). */
  now?: () => number;
  /** First restart delay after ffmpeg exits (ms, default 1000); doubles per failed session up to `maxRestartDelayMs`. */
  restartDelayMs?: number;
  /** Restart delay cap (ms, default 30000). */
  maxRestartDelayMs?: number;
  /**
   * First restart delay after a failure a person must fix (session-failure.ts `SLOW_RETRY_CAUSES`: wrong credentials,
   * wrong path, no H.264/H.265 video) (ms, default 60000); doubles per such failure up to `maxSlowRestartDelayMs`.
   */
  slowRestartDelayMs?: number;
  /** Cap of those delays (ms, default 300000: 5 min). */
  maxSlowRestartDelayMs?: number;
  /** The watchdog kills a session whose ffmpeg reported no progress (no packet muxed) for this long (ms, default 15000). */
  watchdogTimeoutMs?: number;
}

/** Payload of a recorder's `session-end` event. */
export interface SessionEnd {
  sessionId: string;
  /** ffmpeg's exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Segments the session emitted. */
  segments: number;
  /** True when the watchdog killed it (no progress). */
  stalled: boolean;
}

/**
 * The events of a {@link CameraRecorder} and their payloads (Node's typed `EventEmitter`: a listener needs no
 * annotations, and a wrong event name or payload does not compile). Described in the class docstring.
 */
export interface CameraRecorderEvents {
  segment: [RecordedSegment];
  'session-start': [{ sessionId: string }];
  'session-end': [SessionEnd];
  'not-recording': [NotRecording];
  diagnostic: [RecorderDiagnostic];
  frame: [GrayFrame];
  sample: [ExtensionSample];
  'frames-dropped': [{ count: number }];
}

/** How long the first segment of a session waits for the next segment's start line (ms). */
const FIRST_SEGMENT_WAIT_MS = 3000;
/**
 * Extra time the watchdog allows a session before its first progress report (ms): connecting and
 * probing the stream (ffmpeg's default analyzeduration is 5 s) mux no packet yet.
 */
const WATCHDOG_STARTUP_GRACE_MS = 10_000;
/**
 * Once a session's first segment is placed, its ffmpeg log is read in batches this often (ms) instead of as it comes
 * ({@link StderrLines}): the start guard's per-packet log lines would wake the agent 30 – 50 times a second per camera.
 * Not for cameras with motion detection or an HTTP extension, whose decoded frames are timed from log lines.
 */
const STDERR_BATCH_MS = 1000;
/** How long `stop()` waits for ffmpeg to finish its last segment before killing it (ms). */
const STOP_TIMEOUT_MS = 10_000;
/**
 * Media time of grey frames held until the session's first segment fixes the UTC anchor (ms); beyond it the
 * timeline's estimate (late by the first burst) places them instead of dropping.
 */
const FRAMES_HELD_MAX_MS = 30_000;

/**
 * Long-lived supervisor of one camera's recording (mediamtx `recorder.go` style): runs one ffmpeg
 * session at a time (edge-agent/recorder/ffmpeg-args.ts), places each completed segment on the UTC
 * timeline (segment-timeline.ts) and emits `segment` only once the muxer has listed the file as
 * complete. When ffmpeg exits unasked (camera down, network error) it starts a new session after a
 * delay with exponential backoff and jitter.
 *
 * A watchdog kills a session that muxes no packet for `watchdogTimeoutMs` (a stalled camera or network,
 * or a camera that accepts the connection and sends nothing; 10 s more before the first packet, for
 * connecting and probing), and the restart follows as above.
 *
 * With `camera.motionDetection` the same ffmpeg also decodes the video into small grey frames (ffmpeg-args.ts
 * `motionFrameOutputArgs`, fd 5) and with `camera.httpExtension` into sample images (fd 6): one RTSP session per
 * camera. Both are read at once (never left to fill the pipe, which would stall the recording) and placed on the
 * segments' UTC timeline (frame-clock.ts).
 *
 * A camera with audio and video (`rtsp://` over TCP or UDP) is read through the agent's RTSP relay (rtsp-relay.ts) from
 * its second session on: its first, direct session ends as soon as ffmpeg has described the streams ({@link relayed}).
 *
 * Why a session ended unasked or did not start is named (session-failure.ts: dns, connection-refused, 401, 404, no
 * H.264/H.265 video, …) and reported as a `diagnostic` with its `cause` once per cause until a session records again,
 * and as `not-recording` each time. A stream without H.264/H.265 video is not recorded: its session is killed as soon as
 * ffmpeg describes the input. Causes a person must fix are retried slowly ({@link CameraRecorderOptions.slowRestartDelayMs}).
 *
 * Events: `segment` (RecordedSegment), `session-start` ({ sessionId }), `session-end`
 * ({ sessionId, code, signal, segments, stalled }), `not-recording` ({@link NotRecording}: a session ended unasked or
 * did not start, and when the next starts), `diagnostic` (RecorderDiagnostic, ffmpeg-diagnostics.ts),
 * `frame` (GrayFrame, ptsMs epoch ms UTC), `sample` (ExtensionSample), `frames-dropped` ({ count }: frames the
 * clock could not hold before the timeline was anchored).
 */
export class CameraRecorder extends EventEmitter<CameraRecorderEvents> {
  private readonly opts: Required<Omit<CameraRecorderOptions, 'logger'>> & { logger: Logger };
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private sessionDone: Promise<void> = Promise.resolve();
  private failures = 0;
  /** Consecutive failures with a cause of `SLOW_RETRY_CAUSES`. */
  private slowFailures = 0;
  /** The cause last reported as a diagnostic; cleared once a session records a segment. */
  private reportedCause: SessionFailure['cause'] | undefined;
  /** A session is resolving the camera's host (no ffmpeg yet). */
  private resolving = false;
  /** The camera's audio: copied until a session finds it unplayable from MPEG-TS (G.711…), then encoded to AAC. */
  private audio: AudioHandling = 'copy';
  /** The current session ends to switch {@link audio} or {@link relayed}: the next starts at once, not after a backoff. */
  private restartForAudio = false;
  /**
   * Sessions go through the agent's RTSP relay (rtsp-relay.ts): set once a direct session of an `rtsp://` camera over
   * TCP or UDP showed more than one stream. ffmpeg re-times every packet of such a session from the camera's RTCP
   * sender reports, which step the video when they do not follow the RTP clock (VLC's server, some cameras); the relay
   * takes those reports out or re-times them, so that ffmpeg's timing stays on the RTP clock
   * (docs/adr/0003-recording-any-camera.md).
   */
  private relayed = false;
  /** UTC end of the last segment emitted (epoch ms): the next session's timeline does not start before it. */
  private lastSegmentEndMs: number | undefined;

  constructor(opts: CameraRecorderOptions) {
    super();
    this.opts = { now: Date.now, restartDelayMs: 1000, maxRestartDelayMs: 30_000, slowRestartDelayMs: 60_000, maxSlowRestartDelayMs: 300_000, watchdogTimeoutMs: DEFAULT_WATCHDOG_TIMEOUT_MS, ...opts };
  }

  /** Starts recording (idempotent). */
  start(): void {
    if (this.child || this.resolving || this.stopping) return;
    mkdirSync(this.opts.cameraDir, { recursive: true });
    this.sessionDone = this.runSession();
  }

  /**
   * Stops recording: ffmpeg is asked to quit with `q` on its stdin, so it closes the current
   * segment and lists it, and is killed if it has not exited within 10 s. Resolves once every
   * listed segment was emitted.
   * Not a signal: on Ctrl-C the terminal already sent SIGINT to ffmpeg (same process group), and
   * ffmpeg aborts its trailer — losing the last segment — on a second signal ("Immediate exit
   * requested"), while one signal plus `q` still ends cleanly.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.stdin?.end('q');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.sessionDone;
      clearTimeout(killer);
    } else {
      await this.sessionDone;
    }
  }

  /**
   * One session: the camera's host name resolved in Node (camera-host.ts: the bundled ffmpeg crashes resolving names),
   * then ffmpeg. A name that does not resolve is a session failure with cause `dns` and a restart with backoff, as a refused
   * connection is.
   */
  private runSession(): Promise<void> {
    this.resolving = true;
    return resolveCameraHost(this.opts.camera.url).then(
      async (url) => {
        if (this.stopping) {
          this.resolving = false;
          return;
        }
        let relay: RtspRelay | undefined;
        if (this.relayed) {
          try {
            const c = this.opts.camera;
            relay = await startRtspRelay({ cameraUrl: url, username: c.username, password: c.password, transport: c.rtspTransport === 'udp' ? 'udp' : 'tcp', maxClients: 1 });
          } catch (err) {
            this.resolving = false;
            if (!this.stopping) this.scheduleRestart(false, { cause: 'unknown', message: `the RTSP relay did not start: ${(err as Error).message}` });
            return;
          }
        }
        this.resolving = false;
        if (this.stopping) {
          await relay?.close();
          return;
        }
        return this.runFfmpeg(url, relay);
      },
      (err: Error) => {
        this.resolving = false;
        if (this.stopping) return;
        this.scheduleRestart(false, hostResolutionFailure(err));
      },
    );
  }

  /**
   * @param url the camera URL with its host resolved ({@link runSession})
   * @param relay the session's RTSP relay ({@link relayed}): ffmpeg reads the camera through it, over TCP, without
   *   credentials (the relay answers the camera's challenge); closed when the session ends
   */
  private runFfmpeg(url: string, relay?: RtspRelay): Promise<void> {
    const { logger, now } = this.opts;
    const camera = relay ? { ...this.opts.camera, url: relay.url, username: undefined, password: undefined, rtspTransport: 'tcp' as const } : { ...this.opts.camera, url };
    const sessionId = `${new Date(now()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}-${Math.random().toString(36).slice(2, 6)}`;
    const log = logger.child({ sessionId });
    const args = recorderArgs(camera, this.opts.segmentLengthMs, sessionOutputPattern(this.opts.cameraDir, sessionId), this.opts.ffmpeg.startGuard, this.audio, this.opts.watchdogTimeoutMs);
    // The start guard's noise filter logs every video packet at verbose level (`[noise @ 0x…] Stream #0 packet …`): the
    // most frequent line by far, and never one the recorder reads, so it is skipped before it becomes a string.
    const stderr = new StderrLines(['[noise @ '], (line) => onStderrLine(line));
    const child = spawn(this.opts.ffmpeg.path, args, {
      stdio: ['pipe', 'ignore', stderr.stdio, 'pipe', 'pipe', camera.motionDetection ? 'pipe' : 'ignore', camera.httpExtension ? 'pipe' : 'ignore'],
    });
    stderr.start(child);
    /** The log is read in batches once the first segment is placed ({@link STDERR_BATCH_MS}). */
    let batched = false;
    /** The last segment-list line and when it was read: the moment its successor's first packet was muxed. */
    let lastListed: { fileName: string; wallMs: number } | undefined;
    child.stdin!.on('error', () => {}); // ffmpeg may have exited already
    this.child = child;
    const timeline = new SegmentTimeline({ notBeforeMs: this.lastSegmentEndMs });
    const stderrTail: string[] = [];
    const pending: SegmentListEntry[] = [];
    const emitted = new Set<string>();
    let firstDone = false;
    let exited = false;
    let waitTimer: NodeJS.Timeout | undefined;
    const decoded = this.readDecodedOutputs(child, timeline, log);
    log.info({ event: 'session-start' }, 'recording session started');
    log.debug({ ffmpegArgs: args }, 'ffmpeg arguments'); // the logger redacts the camera URL's credentials
    this.emit('session-start', { sessionId });

    const finalize = (entry: SegmentListEntry): void => {
      // ffmpeg may list what it muxed while probing before the refusal's kill lands (the 2018 build: 2 s at once).
      if (abandoned) return;
      const timed = timeline.complete(entry, now());
      const file = path.join(this.opts.cameraDir, entry.fileName);
      if (!timed) {
        log.warn({ file: entry.fileName }, 'empty segment skipped');
        return;
      }
      let bytes = 0;
      try {
        bytes = statSync(file).size;
      } catch (err) {
        log.error({ file, err }, 'listed segment file is missing');
        return;
      }
      emitted.add(entry.fileName);
      const seg: RecordedSegment = { cameraId: camera.id, path: file, startMs: timed.startMs, durationMs: timed.durationMs, bytes };
      this.lastSegmentEndMs = seg.startMs + seg.durationMs;
      log.debug({ segmentStartMs: seg.startMs, durationMs: seg.durationMs, bytes, chainStart: timed.chainStart, file: entry.fileName }, 'segment recorded');
      this.emit('segment', seg);
      decoded.anchor();
      if (!batched && !camera.motionDetection && !camera.httpExtension) {
        batched = true;
        stderr.batch(STDERR_BATCH_MS);
      }
    };
    // The first segment waits for the next start line (see SegmentTimeline), later ones go at once.
    const drain = (): void => {
      while (pending.length) {
        const entry = pending[0];
        if (!firstDone && !exited && !timeline.hasStart(nextFileName(entry.fileName))) {
          waitTimer ??= setTimeout(() => {
            firstDone = true;
            drain();
          }, FIRST_SEGMENT_WAIT_MS);
          return;
        }
        pending.shift();
        firstDone = true;
        finalize(entry);
      }
    };

    const diagnostics = new DiagnosticsReader();
    const failure = new SessionFailureReader(now(), relay ? new URL(inputUrl(this.opts.camera)).username !== '' : undefined);
    let storageReported = false;
    /** The session was refused, or ended to switch its audio: what ffmpeg wrote is discarded, never emitted. */
    let abandoned = false;
    const onStderrLine = (line: string): void => {
      if (abandoned) return; // what ffmpeg says before the kill lands is not this camera's session (no session-established)
      const refusal = failure.line(line, now());
      if (refusal) {
        // Before the first packet is muxed: left running, ffmpeg would store this stream as an unplayable data stream.
        abandoned = true;
        log.warn({ event: 'session-refused', cause: refusal.cause, reason: refusal.message }, 'stream not recorded: ending the session');
        child.kill('SIGKILL');
        return;
      }
      for (const d of diagnostics.line(line)) {
        this.emit('diagnostic', d);
        if (d.kind === 'storage-error') storageReported = true;
        if (d.kind === 'session-established') {
          // Known only once the camera has described its streams: this session ends and the next one encodes the audio
          // (G.711 cannot be played from MPEG-TS) and/or reads the camera through the relay (more than one stream: see
          // `relayed`). Killed at once, its files discarded: ffmpeg has described the input and muxed no video yet (an
          // RTSP session drops its first frames, ADR 0003), so nothing but the first packets is lost.
          const encodeAudio = this.audio === 'copy' && d.audio.some(audioNeedsAac);
          const viaRelay = !this.relayed && d.audio.length > 0 && relayable(this.opts.camera);
          if (encodeAudio || viaRelay) {
            if (encodeAudio) this.audio = 'aac';
            if (viaRelay) this.relayed = true;
            this.restartForAudio = true;
            abandoned = true;
            log.info(
              { event: encodeAudio ? 'audio-transcode' : 'rtsp-relay', audio: d.audio, relay: this.relayed },
              `restarting the session at once${encodeAudio ? ' with its audio encoded to AAC (not playable from MPEG-TS)' : ''}${viaRelay ? `${encodeAudio ? ' and' : ''} through the RTSP relay (audio and video: the relay keeps ffmpeg's timing on the camera's RTP clock)` : ''}`,
            );
            child.kill('SIGKILL');
            return;
          }
        }
      }
      decoded.line(line);
      if (line.includes('[Parsed_showinfo_')) return; // one per decoded frame: kept out of the error tail
      const start = parseSegmentStartLine(line);
      if (start) {
        // Read in batches, the line is late: the segment muxer wrote its predecessor's list line (read at once, on fd 3)
        // as it muxed this segment's first packet, so that read is the timely observation. Other start lines of the
        // segment (ffmpeg repeats it for audio packets) only give their late reading time: not observed.
        timeline.observeStart(start, batched ? listedStartWallMs(start.fileName, lastListed, timeline.hasStart(start.fileName)) : now());
        drain();
        return;
      }
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    };
    // Watchdog: ffmpeg reports progress (frames, output time) every progressPeriodMs (≤ a quarter of the timeout) while packets are muxed.
    let lastProgressMs = now() + WATCHDOG_STARTUP_GRACE_MS;
    let stalled = false;
    const progress = new Map<string, string>();
    createInterface({ input: child.stdio[PROGRESS_FD] as Readable }).on('line', (line) => {
      const m = /^(frame|out_time_us|out_time_ms|total_size)=(.*)$/.exec(line);
      if (!m || progress.get(m[1]) === m[2]) return;
      progress.set(m[1], m[2]);
      lastProgressMs = now();
    });
    // On a timer shared with the other sessions (shared-interval.ts): one wake-up a second for all cameras.
    const stopWatchdog = everyPeriod(Math.min(1000, this.opts.watchdogTimeoutMs), () => {
      if (stalled || now() - lastProgressMs <= this.opts.watchdogTimeoutMs) return;
      stalled = true;
      log.warn({ event: 'ffmpeg-stall', silentMs: now() - Math.min(lastProgressMs, now()) }, 'no packet received: watchdog restarts the recording session');
      child.kill('SIGKILL');
    });
    const listStream = child.stdio[SEGMENT_LIST_FD] as Readable;
    const listClosed = new Promise<void>((resolve) => {
      createInterface({ input: listStream }).on('line', (line) => {
        const entry = parseSegmentListLine(line);
        if (entry) {
          lastListed = { fileName: entry.fileName, wallMs: now() };
          stderr.flush(); // the next segment's start line follows at once: read it with the next turn
          pending.push(entry);
          drain();
        }
      }).on('close', resolve);
    });
    const exitedP = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', (err) => {
        log.error({ err }, 'ffmpeg could not be started');
        resolve({ code: null, signal: null });
      });
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });

    return (async () => {
      const { code, signal } = await exitedP;
      stopWatchdog();
      stderr.prompt(); // its last lines say why it ended
      await Promise.race([Promise.all([listClosed, stderr.ended]), new Promise((r) => setTimeout(r, 1000))]);
      stderr.close();
      exited = true;
      if (waitTimer) clearTimeout(waitTimer);
      drain();
      this.child = undefined;
      if (abandoned) this.discardSessionFiles(sessionId);
      this.reportLeftovers(sessionId, emitted, log);
      const segments = emitted.size;
      const fields = { event: 'session-end', code, signal, segments, stalled };
      const upstream = relay?.stats().lastUpstreamError;
      await relay?.close();
      const fromFfmpeg = failure.end({ code, signal, stalled });
      // Through the relay ffmpeg saw only its loopback connection close: the relay's error with the camera says why.
      const ended = upstream && ['stream-ended', 'unknown', 'timeout'].includes(fromFfmpeg.cause) ? relayUpstreamFailure(upstream, cameraEndpoint(url)) : fromFfmpeg;
      if (this.stopping || this.restartForAudio) log.info(fields, this.stopping ? 'recording session stopped' : 'recording session ended to restart it for its streams');
      // Failing again for the cause already reported is no news: the warning came once (scheduleRestart).
      else log[ended.cause === this.reportedCause && segments === 0 ? 'info' : 'warn']({ ...fields, cause: ended.cause, ffmpegTail: stderrTail.slice(-8) }, 'recording session ended unexpectedly');
      this.emit('session-end', { sessionId, code, signal, segments, stalled });
      if (this.stopping) return;
      if (this.restartForAudio) {
        this.restartForAudio = false;
        this.restartTimer = setTimeout(() => {
          this.restartTimer = undefined;
          if (!this.stopping) this.sessionDone = this.runSession();
        }, 0);
      } else this.scheduleRestart(segments > 0, ended, storageReported);
    })();
  }

  /**
   * Reads the decoded outputs of one session (grey frames on fd 5, sample images on fd 6) and times them.
   * @returns `line` for each stderr line (output size, first video packet time) and `anchor`, called after each
   *   placed segment (the timeline's anchor is then fixed)
   */
  private readDecodedOutputs(child: ChildProcess, timeline: SegmentTimeline, log: Logger): { line: (l: string) => void; anchor: () => void } {
    const { motionDetection: motion, httpExtension: ext } = this.opts.camera;
    let firstVideoPtsS: number | undefined;
    /**
     * The latest decoded frame the session logged (a guarded RTSP start: decoding starts before the first segment, on
     * frames with guessed timestamps); frame 0's time is then its time less its index × the logging output's interval.
     */
    let logged: { index: number; ptsTimeS: number } | undefined;
    const loggedIntervalS = motion ? 1 / motion.frameRate : ext ? 1 / ext.maximumSamplesPerSecond : 0;
    let size: { width: number; height: number } | undefined;
    const clocks: Array<FrameClock<Buffer>> = [];
    const pipe = (fd: number) => (child.stdio as unknown as Readable[])[fd];
    const anchor = (provisional: boolean): void => {
      const a = timeline.anchor;
      if (!a || firstVideoPtsS === undefined || (!a.final && !provisional)) return;
      const frame0S = logged ? logged.ptsTimeS - logged.index * loggedIntervalS : firstVideoPtsS;
      for (const c of clocks) c.setBase(a.anchorMs + frame0S * 1000);
    };
    let setFrameSize = (_w: number, _h: number): void => {};
    if (motion) {
      const splitter = new RawFrameSplitter();
      const maxHeld = Math.round((FRAMES_HELD_MAX_MS / 1000) * motion.frameRate);
      const frames = new FrameClock<Buffer>(1000 / motion.frameRate, maxHeld, (data, atMs) => {
        const frame: GrayFrame = { width: size!.width, height: size!.height, data, ptsMs: atMs };
        this.emit('frame', frame);
      });
      clocks.push(frames);
      const take = (bufs: Buffer[]): void => {
        for (const b of bufs) {
          const dropped = frames.add(b);
          if (dropped) {
            this.emit('frames-dropped', { count: dropped });
            anchor(true); // 30 s held: place the rest with the timeline's estimate rather than lose more
          }
        }
      };
      pipe(FRAMES_FD).on('data', (chunk: Buffer) => take(splitter.push(chunk)));
      setFrameSize = (w, h) => take(splitter.setSize(w, h));
    }
    if (ext) {
      const images = new ImageStreamSplitter(ext.image.format);
      // while unanchored only the newest sample is worth keeping (AVA drops samples the extension cannot take)
      const samples = new FrameClock<Buffer>(1000 / ext.maximumSamplesPerSecond, 1, (image, atMs) => {
        const sample: ExtensionSample = { image, atMs };
        this.emit('sample', sample);
      });
      clocks.push(samples);
      let broken = false;
      pipe(SAMPLES_FD).on('data', (chunk: Buffer) => {
        if (broken) return;
        try {
          for (const img of images.push(chunk)) samples.add(img);
        } catch (err) {
          broken = true;
          log.error({ err }, 'sample image stream out of step: no more samples this session');
        }
      });
    }
    return {
      line: (l) => {
        logged = parseDecodedFrameInfo(l) ?? logged;
        if (firstVideoPtsS === undefined) {
          firstVideoPtsS = parseVideoStartPts(l);
          if (firstVideoPtsS !== undefined) anchor(false);
        }
        if (motion && !size) {
          size = parseOutputVideoSize(l, 1);
          if (size) setFrameSize(size.width, size.height);
        }
      },
      anchor: () => anchor(false),
    };
  }

  /** Files of the session that ffmpeg never listed as complete stay in the cache, reported. */
  /** Deletes what an abandoned session's ffmpeg wrote before its kill landed (never listed, never uploaded). */
  private discardSessionFiles(sessionId: string): void {
    try {
      for (const n of readdirSync(this.opts.cameraDir)) if (n.startsWith(`${sessionId}-`) && n.endsWith('.ts')) rmSync(path.join(this.opts.cameraDir, n), { force: true });
    } catch {
      // no folder, nothing written
    }
  }

  private reportLeftovers(sessionId: string, emitted: Set<string>, log: Logger): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.opts.cameraDir).filter((n) => n.startsWith(sessionId) && n.endsWith('.ts') && !emitted.has(n));
    } catch {
      return;
    }
    for (const n of names) log.warn({ file: n }, 'incomplete segment left in the cache (not uploaded)');
  }

  /**
   * After a session ended unasked or did not start: says why and starts the next session after a delay with jitter
   * (×0.5..1). Transient causes back off from `restartDelayMs` to `maxRestartDelayMs` (the count restarts after a session
   * that recorded); causes a person must fix (`SLOW_RETRY_CAUSES`) from `slowRestartDelayMs` to `maxSlowRestartDelayMs`.
   * A cause other than the last one reported is a warning in the log and a `diagnostic` (kind by cause,
   * session-failure.ts `diagnosticKindOf`), so a camera refusing the password for a day says so once; every failure is
   * a `not-recording` event.
   * @param storageReported the session's stderr already gave a `storage-error` diagnostic (the agent freed space on it)
   */
  private scheduleRestart(madeProgress: boolean, failure: SessionFailure, storageReported = false): void {
    this.failures = madeProgress ? 0 : this.failures + 1;
    if (madeProgress) this.reportedCause = undefined;
    const slow = SLOW_RETRY_CAUSES.has(failure.cause);
    this.slowFailures = slow ? this.slowFailures + 1 : 0;
    const base = slow
      ? Math.min(this.opts.maxSlowRestartDelayMs, this.opts.slowRestartDelayMs * 2 ** (this.slowFailures - 1))
      : Math.min(this.opts.maxRestartDelayMs, this.opts.restartDelayMs * 2 ** this.failures);
    const delay = Math.round(base * (0.5 + Math.random() * 0.5));
    const maxRetryDelayMs = slow ? this.opts.maxSlowRestartDelayMs : this.opts.maxRestartDelayMs;
    const fields = { event: 'session-failed', cause: failure.cause, reason: failure.message, retryInMs: delay, maxRetryDelayMs };
    if (failure.cause !== this.reportedCause) {
      this.reportedCause = failure.cause;
      this.opts.logger.warn(fields, slow ? 'camera not recording: retrying slowly until this is fixed' : 'camera not recording: retrying');
      if (!(failure.cause === 'storage' && storageReported)) {
        this.emit('diagnostic', { kind: diagnosticKindOf(failure.cause), message: failure.message, cause: failure.cause } satisfies RecorderDiagnostic);
      }
    } else this.opts.logger.info(fields, 'restarting recording session');
    this.emit('not-recording', { ...failure, retryInMs: delay, maxRetryDelayMs } satisfies NotRecording);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.sessionDone = this.runSession();
    }, delay);
  }
}

/** Payload of a recorder's `not-recording` event: why its last session ended or did not start, and when it retries. */
export interface NotRecording extends SessionFailure {
  /** Delay before the next session starts (ms). */
  retryInMs: number;
  /** The longest delay this cause backs off to (ms): 30 s by default, 5 min for causes a person must fix. */
  maxRetryDelayMs: number;
}

/**
 * The wall-clock time (epoch ms) to observe a segment start line with when ffmpeg's log is read in batches: the moment
 * the segment list line of the segment just before it was read (the muxer writes that line while muxing the packet
 * the start line names), for the first start line of that next segment only; otherwise undefined (no timely source).
 * @param startFile the file the start line names
 * @param lastListed the last segment list line read, and when
 * @param alreadySeen a start line of `startFile` was seen before (ffmpeg repeats it for audio packets)
 */
export function listedStartWallMs(startFile: string, lastListed: { fileName: string; wallMs: number } | undefined, alreadySeen: boolean): number | undefined {
  return lastListed && !alreadySeen && nextFileName(lastListed.fileName) === startFile ? lastListed.wallMs : undefined;
}

/** `abc-000007.ts` → `abc-000008.ts` (the segment muxer's `%06d` numbering). */
export function nextFileName(fileName: string): string {
  return fileName.replace(/(\d+)(\.ts)$/, (_m, n: string, ext: string) => `${String(Number(n) + 1).padStart(n.length, '0')}${ext}`);
}

/** Whether a camera can be read through the agent's RTSP relay: `rtsp://` (not RTSPS) over TCP or UDP (not HTTP tunnelling). */
function relayable(camera: Pick<CameraConfig, 'url' | 'rtspTransport'>): boolean {
  return /^rtsp:\/\//i.test(camera.url) && camera.rtspTransport !== 'http';
}

/** `host:port` of a camera URL (RTSP's port 554 when none is given), for messages. */
function cameraEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '554'}`;
  } catch {
    return 'the camera';
  }
}
