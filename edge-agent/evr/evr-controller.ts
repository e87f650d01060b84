import { ValidationError } from '../../shared/errors';
import { evrSegmentFate } from '../../shared/evr/segment-fate';
import { UploadWindows } from '../../shared/evr/upload-windows';
import type { CameraConfig } from '../../shared/schemas/agent-config';
import { UPLOAD_WINDOW_MAX_MS, parseUploadWindowCommand, type UploadWindow } from '../../shared/contracts/upload-window';
import { parseCameraCommandsTopic } from '../../shared/contracts/topics';
import type { Logger } from '../log';
import type { RecordedSegment } from '../segments/recorded-segment';
import { FileSink } from './file-sink';
import { WindowStore } from './window-store';

/** How often the controller re-checks the cache horizon, windows and file sinks (ms). */
export const EVR_SWEEP_MS = 1000;

/** What an eviction by the cache cap meant for an EVR segment (see {@link EvrController.evicted}). */
export type EvrEviction = 'dropped' | 'uploaded' | 'gap';

/**
 * The controller's one route to the cached segments (edge-agent/segments/segment-lifecycle.ts implements it): what
 * is cached, and the moves of an EVR segment's trip the controller decides.
 */
export interface EvrSegments {
  /** Every cached segment (any camera), oldest first. */
  cached(): RecordedSegment[];
  /** Queues a segment for upload. */
  upload(seg: RecordedSegment): void;
  /** True while the segment is being uploaded. */
  uploading(seg: RecordedSegment): boolean;
  /** Deletes a segment outside every window once past the cache horizon: journal `dropped`, cache, upload queue. */
  drop(seg: RecordedSegment): void;
  /** Deletes an uploaded segment the file sink no longer needs: journal `uploaded`, cache. */
  release(seg: RecordedSegment): void;
}

/** What the controller needs from the agent. */
export interface EvrControllerOptions {
  deviceId: string;
  /** The agent's cameras; only those with `mode: 'evr'` are handled. */
  cameras: readonly CameraConfig[];
  /** `localMediaCachePath` (the windows file lives there). */
  cacheDir: string;
  ffmpegPath: string;
  /** Folder every file sink must write inside (edge-agent/evr/file-sink-root.ts); absent = anywhere (tests). */
  fileSinkRoot?: string;
  /** `evrCacheHorizon`: how long a segment no window has claimed stays cached after its end, ms. */
  horizonMs: number;
  /** `segmentLength`, ms. */
  segmentLengthMs: number;
  /** The cached segments and their moves. */
  segments: EvrSegments;
  /** True while the broker is connected and the outbox is empty (the cloud has heard every segment). */
  cloudCaughtUp: () => boolean;
  /** Epoch ms of the last CONNACK (the horizon runs from it after an outage), or undefined before the first. */
  connectedSinceMs: () => number | undefined;
  onDropped?: (cameraId: string) => void;
  onFileWritten?: (cameraId: string) => void;
  logger: Logger;
  now?: () => number;
}

/**
 * The agent's EVR mode (docs/contracts.md "EVR on the agent"): which cached segments of an `evr` camera are uploaded,
 * kept or dropped.
 *
 * - Upload windows come from the cloud as `command.upload-window` commands on `keepwatch/{deviceId}/commands/{cameraId}`
 *   (shared/contracts/upload-window.ts); bad ones are logged with the reason and ignored; per recording the highest
 *   sequence wins ({@link UploadWindows}); the windows are stored crash-safe ({@link WindowStore}) before the
 *   command is acknowledged, so a restart still honours them.
 * - Every cached segment overlapping a window (half-open) is uploaded, now or when recorded later, oldest first.
 * - A segment outside every window is kept at least `evrCacheHorizon` after its end, and after the last
 *   (re)connect to the broker; then, only while the broker is connected and the outbox is empty, it is
 *   dropped (journal `dropped`, metric, no gap: EVR drops it by design). Offline, it stays until the cache cap needs room.
 * - Cache cap: {@link keepRank} ranks segments inside a window above the rest, so they are evicted
 *   last; an evicted segment is a gap (cause `eviction`) unless it was droppable anyway or already uploaded ({@link evicted}).
 * - File sink (camera `fileSink`): once a window is final and the camera has recorded past its end (or two
 *   segment lengths + 10 s later), one MP4 of its cached segments is written ({@link FileSink}); the window's
 *   segments stay cached (uploaded or not) until then.
 * - A window is forgotten once final, its MP4 written (file sink cameras) and every overlapping cached segment uploaded or gone;
 *   a window never made final counts as final 61 min (UPLOAD_WINDOW_MAX_MS) + two segment lengths + 10 s after its start.
 */
export class EvrController {
  private readonly windows: UploadWindows;
  private readonly store: WindowStore;
  private readonly evrCameras: Map<string, CameraConfig>;
  private readonly sinks = new Map<string, FileSink>();
  private readonly queued = new Set<string>();
  private readonly uploadedHeld = new Set<string>();
  private readonly lastEnd = new Map<string, number>();
  private readonly written = new Set<string>();
  private readonly writing = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly opts: EvrControllerOptions) {
    this.evrCameras = new Map(opts.cameras.filter((c) => c.mode === 'evr').map((c) => [c.id, c]));
    for (const c of this.evrCameras.values()) {
      if (c.fileSink) this.sinks.set(c.id, new FileSink({ settings: c.fileSink, root: opts.fileSinkRoot, ffmpegPath: opts.ffmpegPath, logger: opts.logger.child({ cameraId: c.id, sink: 'file' }) }));
    }
    this.store = new WindowStore(opts.cacheDir, opts.logger);
    this.windows = new UploadWindows(this.evrCameras.size ? this.store.load() : undefined);
    if (this.windows.size) opts.logger.info({ windows: this.windows.list() }, 'upload windows of the previous run restored');
  }

  /**
   * Adds a camera started at run time (a live pipeline activated, edge-agent/pipelines/pipeline-controller.ts); a
   * camera not in EVR mode, or one already known, changes nothing. Starts the sweep if it is the first EVR camera of
   * a started agent.
   */
  addCamera(c: CameraConfig): void {
    if (c.mode !== 'evr' || this.evrCameras.has(c.id)) return;
    this.evrCameras.set(c.id, c);
    if (c.fileSink) this.sinks.set(c.id, new FileSink({ settings: c.fileSink, root: this.opts.fileSinkRoot, ffmpegPath: this.opts.ffmpegPath, logger: this.opts.logger.child({ cameraId: c.id, sink: 'file' }) }));
    if (this.started) this.start();
  }

  /** True when any camera records in EVR mode. */
  get active(): boolean {
    return this.evrCameras.size > 0;
  }

  /** True when `cameraId` records in EVR mode. */
  isEvr(cameraId: string): boolean {
    return this.evrCameras.has(cameraId);
  }

  /** Upload windows held. */
  get windowsHeld(): number {
    return this.windows.size;
  }

  /** Starts the periodic sweep (every {@link EVR_SWEEP_MS}). */
  start(): void {
    this.started = true;
    if (!this.active || this.timer) return;
    this.timer = setInterval(() => this.sweep(), EVR_SWEEP_MS);
    this.timer.unref();
  }

  /** Stops the sweep and waits (up to `timeoutMs`) for MP4s being written. */
  async stop(timeoutMs = 20_000): Promise<void> {
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.race([Promise.allSettled([...this.writing.values()]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private windowsOf(seg: RecordedSegment): UploadWindow[] {
    return this.windows.overlapping(seg.cameraId, seg.startMs, seg.startMs + seg.durationMs);
  }

  /** True while `seg` is queued or uploading because a window covers it. */
  pendingUpload(seg: RecordedSegment): boolean {
    return this.queued.has(seg.path);
  }

  /** A complete segment of an EVR camera entered the cache (recorded now, or restored at start): uploaded at once when in a window. */
  segmentAdded(seg: RecordedSegment): void {
    this.lastEnd.set(seg.cameraId, Math.max(this.lastEnd.get(seg.cameraId) ?? 0, seg.startMs + seg.durationMs));
    if (this.windowsOf(seg).length) this.queueUpload(seg);
  }

  private queueUpload(seg: RecordedSegment): void {
    if (this.queued.has(seg.path) || this.uploadedHeld.has(seg.path)) return;
    this.queued.add(seg.path);
    this.opts.segments.upload(seg);
  }

  /**
   * A segment's blob exists and its event is in the outbox.
   * @returns true when the segment must stay cached for a file sink (the controller releases it later),
   *   false when the agent removes it now (as in CVR)
   */
  uploaded(seg: RecordedSegment): boolean {
    this.queued.delete(seg.path);
    // Windows are forgotten only after their MP4 is written, so any window still held may need the segment.
    if (!this.sinks.has(seg.cameraId) || !this.windowsOf(seg).length) return false;
    this.uploadedHeld.add(seg.path);
    return true;
  }

  /**
   * Eviction priority for the cache cap: 1 for a segment inside a window and not yet uploaded
   * (evicted last), 0 for every other segment (oldest first).
   */
  keepRank(seg: RecordedSegment): number {
    if (!this.evrCameras.has(seg.cameraId) || this.uploadedHeld.has(seg.path)) return 0;
    return this.windowsOf(seg).length ? 1 : 0;
  }

  /** True when `seg` is outside every window, past the horizon and the cloud has heard everything ({@link evrSegmentFate}). */
  private droppable(seg: RecordedSegment, nowMs: number): boolean {
    const ctx = { nowMs, horizonMs: this.opts.horizonMs, cloudCaughtUp: this.opts.cloudCaughtUp(), connectedSinceMs: this.opts.connectedSinceMs() };
    return evrSegmentFate(seg, this.windowsOf(seg).length > 0, ctx) === 'drop';
  }

  /**
   * The cache cap evicted an EVR segment.
   * @returns `dropped` (it was droppable anyway: no gap), `uploaded` (already in Blob; only a file sink
   *   MP4 misses it), or `gap` (it might still have been needed: the agent reports an `eviction` gap)
   */
  evicted(seg: RecordedSegment): EvrEviction {
    this.queued.delete(seg.path);
    if (this.uploadedHeld.delete(seg.path)) {
      this.opts.logger.warn({ cameraId: seg.cameraId, segmentStartMs: seg.startMs }, 'cache full: an uploaded segment held for the file sink was evicted; its MP4 misses it');
      return 'uploaded';
    }
    return this.droppable(seg, this.now()) ? 'dropped' : 'gap';
  }

  /**
   * Handles a message on the device's commands filter: `command.upload-window` for an EVR camera. A bad
   * command is logged with the reason and ignored; a stale one (sequence not higher) changes nothing.
   */
  onCommand(topic: string, payload: Buffer): void {
    const log = this.opts.logger;
    const where = parseCameraCommandsTopic(topic);
    if (!where || where.deviceId !== this.opts.deviceId) {
      log.warn({ topic }, 'command ignored: not on keepwatch/{this device}/commands/{cameraId}');
      return;
    }
    if (!this.evrCameras.has(where.cameraId)) {
      log.warn({ topic, cameraId: where.cameraId }, 'command ignored: the camera is not configured with mode evr');
      return;
    }
    let window: UploadWindow;
    try {
      window = parseUploadWindowCommand(JSON.parse(payload.toString('utf8')), where.cameraId);
    } catch (err) {
      const reason = err instanceof ValidationError || err instanceof SyntaxError ? err.message : String(err);
      log.warn({ topic, reason }, 'command ignored: invalid upload-window command');
      return;
    }
    const applied = this.windows.apply(window);
    if (applied === 'stale') {
      log.info({ cameraId: window.cameraId, recordingId: window.recordingId, sequence: window.sequence }, 'upload-window command ignored: not newer than the one held');
      return;
    }
    this.save();
    log.info({ cameraId: window.cameraId, recordingId: window.recordingId, sequence: window.sequence, start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString(), final: window.final }, 'upload window held');
    this.sweep();
  }

  private save(): void {
    try {
      this.store.save(this.windows.state());
    } catch (err) {
      this.opts.logger.error({ err }, 'upload windows could not be stored; they hold until the agent stops');
    }
  }

  /** Uploads what a window now covers, drops what the horizon let go, writes file sink MP4s, forgets finished windows. */
  sweep(): void {
    const nowMs = this.now();
    for (const seg of this.opts.segments.cached()) {
      if (!this.evrCameras.has(seg.cameraId) || this.queued.has(seg.path) || this.uploadedHeld.has(seg.path) || this.opts.segments.uploading(seg)) continue;
      if (this.windowsOf(seg).length) this.queueUpload(seg);
      else if (this.droppable(seg, nowMs)) {
        this.opts.logger.debug({ cameraId: seg.cameraId, segmentStartMs: seg.startMs }, 'EVR: segment outside every upload window dropped past the cache horizon');
        this.opts.segments.drop(seg);
        this.opts.onDropped?.(seg.cameraId);
      }
    }
    for (const w of this.windows.list()) {
      // Final, and the camera has recorded past its end (or should have: two segment lengths + 10 s later).
      const recordedPast = (this.lastEnd.get(w.cameraId) ?? 0) >= w.endMs || nowMs > w.endMs + 2 * this.opts.segmentLengthMs + 10_000;
      // A window whose final command never came (the cloud lost it) cannot grow past its longest possible span.
      const closed = w.final || nowMs > w.startMs + UPLOAD_WINDOW_MAX_MS + 2 * this.opts.segmentLengthMs + 10_000;
      if (!closed || !recordedPast) continue;
      const sink = this.sinks.get(w.cameraId);
      if (sink && !this.written.has(w.recordingId)) {
        if (!this.writing.has(w.recordingId)) this.writeFile(sink, w);
        continue;
      }
      const pending = this.opts.segments.cached().filter((s) => s.cameraId === w.cameraId && s.startMs < w.endMs && w.startMs < s.startMs + s.durationMs && !this.uploadedHeld.has(s.path));
      if (pending.length) continue;
      this.forget(w);
    }
  }

  private writeFile(sink: FileSink, w: UploadWindow): void {
    const segments = this.opts.segments.cached().filter((s) => s.cameraId === w.cameraId && s.startMs < w.endMs && w.startMs < s.startMs + s.durationMs);
    if (!segments.length) {
      this.opts.logger.warn({ cameraId: w.cameraId, recordingId: w.recordingId }, 'file sink: no cached segment overlaps the window; no MP4');
      this.written.add(w.recordingId);
      return;
    }
    const job = sink
      .write(w, segments.map((s) => s.path))
      .then(() => this.opts.onFileWritten?.(w.cameraId))
      .catch((err) => this.opts.logger.error({ err, cameraId: w.cameraId, recordingId: w.recordingId }, 'file sink: MP4 could not be written'))
      .finally(() => {
        this.written.add(w.recordingId);
        this.writing.delete(w.recordingId);
      });
    this.writing.set(w.recordingId, job);
  }

  /** Forgets a finished window and releases the uploaded segments no other window still needs. */
  private forget(w: UploadWindow): void {
    this.windows.forget(w.recordingId);
    this.written.delete(w.recordingId);
    this.save();
    this.opts.logger.info({ cameraId: w.cameraId, recordingId: w.recordingId }, 'upload window done and forgotten');
    for (const seg of this.opts.segments.cached()) {
      if (seg.cameraId !== w.cameraId || !this.uploadedHeld.has(seg.path) || this.windowsOf(seg).length) continue;
      this.uploadedHeld.delete(seg.path);
      this.opts.segments.release(seg);
    }
  }
}
