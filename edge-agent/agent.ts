import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AgentConfig, CameraConfig } from '../shared/schemas/agent-config';
import { isPipelineCommand } from '../shared/contracts/pipeline-commands';
import { cameraEventsTopic, deviceCommandsFilter, parseCameraCommandsTopic } from '../shared/contracts/topics';
import { SegmentCache } from './cache/segment-cache';
import { EventOutbox } from './journal/event-outbox';
import { adoptableSegments, planOrphanFiles } from './journal/orphan-segments';
import { SegmentJournal, syncSegmentFile } from './journal/segment-journal';
import type { Logger } from './log';
import { AgentMetrics, type AgentState } from './metrics/agent-metrics';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server';
import { CameraStates } from './metrics/camera-states';
import { CameraRecorder } from './recorder/camera-recorder';
import type { RecordedSegment } from './segments/recorded-segment';
import { resolveFfmpeg, type RecorderFfmpeg } from './recorder/ffmpeg-path';
import { killOrphanFfmpeg } from './recorder/orphan-ffmpeg';
import { diagnosticsEvent, gapEvent, inferenceSignalEvent, motionSignalEvent, segmentRecordedEvent, segmentUploadedEvent } from './segment-events';
import { EvrController } from './evr/evr-controller';
import { fileSinkRootOf, verifyFileSinkFolders } from './evr/file-sink-root';
import { MotionPipeline } from './motion/motion-pipeline';
import { HttpExtensionClient } from './extension/http-extension-client';
import type { RecorderDiagnostic } from './recorder/ffmpeg-diagnostics';
import { GapTracker, type Gap } from './gaps/gap-tracker';
import { readBrokerTls } from './transport/broker-tls';
import { MqttTransport } from './transport/mqtt-transport';
import { PipelineBook } from './pipelines/pipeline-book';
import { commandOpener, PipelineController } from './pipelines/pipeline-controller';
import { uploadDestinationFor } from './uploader/blob-target';
import { SegmentUploader } from './uploader/segment-uploader';

/** How long `stop()` lets the uploader finish what is cached (ms). */
const DRAIN_TIMEOUT_MS = 20_000;

/**
 * The edge agent's composition root: one {@link CameraRecorder} per camera feeding the
 * {@link SegmentCache} and the {@link SegmentUploader}. Each complete segment is journaled
 * ({@link SegmentJournal}) before it is queued; once uploaded, its `segment.uploaded` CloudEvent is
 * stored in the on-disk {@link EventOutbox} (published over MQTT at QoS 1, deleted on PUBACK) and the
 * segment leaves the cache (CVR). After a crash, the next start uploads what the journal still
 * holds, oldest first, and publishes what the outbox still holds, in order.
 *
 * Cameras in EVR mode (docs/contracts.md "EVR on the agent") differ: each complete segment also gets a
 * `segment.recorded` event, and the {@link EvrController} decides which cached segments are uploaded (those overlapping
 * an upload window the cloud commanded), kept (the hold) or dropped.
 *
 * Live pipelines (docs/contracts.md "AVA live pipelines"): the cloud's activate/deactivate commands start and stop
 * cameras at run time ({@link PipelineController}); the pipelines held are kept in the cache folder, so a restart
 * resumes their cameras. The agent always subscribes to its commands (`keepwatch/{deviceId}/commands/#`, persistent
 * session).
 */
export class Agent {
  private readonly transport: MqttTransport;
  private readonly journal: SegmentJournal;
  private readonly outbox: EventOutbox;
  private readonly uploader: SegmentUploader;
  private readonly cache: SegmentCache;
  /** By camera id. */
  private readonly recorders = new Map<string, CameraRecorder>();
  private readonly pipelines: PipelineController;
  private readonly ffmpeg: RecorderFfmpeg;
  private running = false;
  /** The HTTP extension client of each camera that has one. */
  private readonly extensions = new Map<string, HttpExtensionClient>();
  /** Per camera with motion detection or an HTTP extension: media time before which each source emits no more signals. */
  private readonly signalWatermarks = new Map<string, Array<() => number | undefined>>();
  private readonly recording = new Map<string, boolean>();
  /** Recording, or not and why, per camera (the health endpoint's `cameras`). */
  private readonly cameraStates = new CameraStates();
  private readonly gaps = new GapTracker();
  private stopping = false;
  private readonly state: AgentState;
  private readonly metrics: AgentMetrics;
  private metricsServer: MetricsServer | undefined;
  private readonly evr: EvrController;
  private connectedSinceMs: number | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly logger: Logger,
  ) {
    this.transport = new MqttTransport({
      deviceId: config.deviceId,
      url: config.broker.url,
      username: config.broker.username,
      password: config.broker.password,
      tls: readBrokerTls(config.broker),
      protocolVersion: config.broker.protocolVersion,
      logger: logger.child({ component: 'transport' }),
      onReconnect: () => this.metrics.brokerReconnected(),
      onConnect: () => {
        this.connectedSinceMs = Date.now();
      },
      // Commands (EVR upload windows, live pipelines) wait in the broker's session while the device is offline.
      subscriptions: [deviceCommandsFilter(config.deviceId)],
      onMessage: (topic: string, payload: Buffer) => this.onCommand(topic, payload),
      persistentSession: true,
    });
    this.journal = new SegmentJournal(config.localMediaCachePath, logger.child({ component: 'journal' }));
    this.outbox = new EventOutbox({
      dir: path.join(config.localMediaCachePath, 'outbox'),
      publish: (topic, event) => this.transport.publishEvent(topic, event),
      logger: logger.child({ component: 'outbox' }),
    });
    this.uploader = new SegmentUploader({
      ...uploadDestinationFor(config.upload, config.deviceId),
      logger: logger.child({ component: 'uploader' }),
      onConflict: (seg, message) => this.reportDiagnostic(seg.cameraId, { kind: 'storage-error', message }),
      onExpired: (seg) => this.expired(seg),
      onUploaded: async (seg) => {
        // Event first (durable), then the journal, then the file: a crash in between repeats a step, never skips one.
        this.outbox.add(cameraEventsTopic(config.deviceId, seg.cameraId), segmentUploadedEvent(config.deviceId, seg, Date.now()));
        if (this.evr.isEvr(seg.cameraId) && this.evr.uploaded(seg)) {
          // Kept for the camera's file sink; the EVR controller releases it once the MP4 is written.
          this.metrics.segmentUploaded(seg.cameraId, seg.bytes);
          return;
        }
        this.journal.done(seg, 'uploaded');
        this.cache.remove(seg);
        this.metrics.segmentUploaded(seg.cameraId, seg.bytes);
      },
    });
    this.cache = new SegmentCache(
      config.maxCacheBytes,
      logger.child({ component: 'cache' }),
      (seg) => {
        this.uploader.drop(seg);
        // EVR: a segment the hold had let go, or one already uploaded, is no loss (evr-controller.ts).
        const evr = this.evr.isEvr(seg.cameraId) ? this.evr.evicted(seg) : 'gap';
        try {
          this.journal.done(seg, evr === 'gap' ? 'evicted' : evr);
        } catch (err) {
          this.logger.error({ err, cameraId: seg.cameraId }, 'journal write failed (the eviction is re-checked at the next start)');
        }
        if (evr === 'dropped') this.metrics.evrSegmentDropped(seg.cameraId);
        if (evr !== 'gap') return;
        this.metrics.segmentEvicted(seg.cameraId);
        this.reportGap(this.gaps.evicted(seg.cameraId, seg.startMs, seg.startMs + seg.durationMs));
      },
      (seg) => this.evr.keepRank(seg),
    );
    this.state = {
      cacheBytes: () => this.cache.totalBytes,
      cacheSegments: () => this.cache.size,
      oldestPendingEndMs: () => {
        // EVR segments count only once a window sends them to upload (held ones are not late).
        const s = this.evr.active ? this.cache.list().find((x) => !this.evr.isEvr(x.cameraId) || this.evr.pendingUpload(x)) : this.cache.oldest();
        return s && s.startMs + s.durationMs;
      },
      eventsQueued: () => this.outbox.pending,
      cameras: () => Object.fromEntries(this.recording),
      cameraStates: () => this.cameraStates.health(),
      brokerConnected: () => this.transport.connected,
      evrWindowsHeld: () => this.evr.windowsHeld,
    };
    this.metrics = new AgentMetrics(this.state);
    this.ffmpeg = resolveFfmpeg(config.ffmpegPath);
    const { path: ffmpegPath, source, version, startGuard, warnings } = this.ffmpeg;
    logger.info({ event: 'ffmpeg', ffmpegPath, source, version, startGuard }, 'recording with ffmpeg');
    for (const warning of warnings) logger.warn({ event: 'ffmpeg', ffmpegPath }, warning);
    const fileSinkRoot = fileSinkRootOf(config);
    verifyFileSinkFolders(config.cameras, fileSinkRoot, 'agent config');
    const book = new PipelineBook(config.localMediaCachePath, logger.child({ component: 'pipelines' }));
    book.load();
    this.pipelines = new PipelineController({
      deviceId: config.deviceId,
      book,
      configCameraIds: new Set(config.cameras.map((c) => c.id)),
      fileSinkRoot,
      startCamera: (camera, segmentLengthMs) => this.startCamera(camera, segmentLengthMs),
      stopCamera: (cameraId) => this.stopCamera(cameraId),
      drained: (ids) => !this.cache.list().some((s) => ids.has(s.cameraId) && (!this.evr.isEvr(s.cameraId) || this.evr.pendingUpload(s) || this.uploader.isActive(s))),
      publish: (topic, event) => this.outbox.add(topic, event),
      defaultSegmentLengthMs: config.segmentLengthMs,
      // Activate commands carry their cameras sealed to the device secret (docs/devices.md).
      ...('deviceSecret' in config.upload ? { openSealed: commandOpener(config.upload.deviceSecret, config.deviceId) } : {}),
      logger: logger.child({ component: 'pipelines' }),
    });
    const resumed = this.pipelines.camerasToResume().filter((r) => !config.cameras.some((c) => c.id === r.camera.id));
    this.evr = new EvrController({
      deviceId: config.deviceId,
      cameras: [...config.cameras, ...resumed.map((r) => r.camera)],
      cacheDir: config.localMediaCachePath,
      ffmpegPath,
      fileSinkRoot,
      holdMs: config.evrCacheHoldMs,
      segmentLengthMs: config.segmentLengthMs,
      cache: this.cache,
      upload: (seg) => this.uploader.enqueue(seg),
      uploading: (seg) => this.uploader.isActive(seg),
      drop: (seg) => {
        this.uploader.drop(seg);
        this.journal.done(seg, 'dropped');
        this.cache.remove(seg);
        this.metrics.evrSegmentDropped(seg.cameraId);
      },
      release: (seg) => {
        this.journal.done(seg, 'uploaded');
        this.cache.remove(seg);
      },
      cloudCaughtUp: () => this.transport.connected && this.outbox.pending === 0,
      connectedSinceMs: () => this.connectedSinceMs,
      onFileWritten: (cameraId) => this.metrics.fileWritten(cameraId),
      logger: logger.child({ component: 'evr' }),
    });
    for (const camera of config.cameras) this.addRecorder(camera, config.segmentLengthMs);
    for (const r of resumed) this.addRecorder(r.camera, r.segmentLengthMs);
  }

  /** Builds a camera's recorder with its events wired (segments, diagnostics, sessions, signals) and lists it. */
  private addRecorder(camera: CameraConfig, segmentLengthMs: number): CameraRecorder {
    const config = this.config;
    const logger = this.logger;
    const rec = new CameraRecorder({
      camera,
      segmentLengthMs,
      cameraDir: path.join(config.localMediaCachePath, camera.id),
      ffmpeg: this.ffmpeg,
      maxRestartDelayMs: config.cameraReconnectMaximumDelayMs,
      watchdogTimeoutMs: config.cameraWatchdogTimeoutMs,
      logger: logger.child({ component: 'recorder', cameraId: camera.id }),
    });
    rec.on('segment', (seg) => {
      if (this.cameraStates.recording(camera.id, Date.now())) logger.info({ cameraId: camera.id }, 'camera recording');
      this.admit(seg);
    });
    this.cameraStates.starting(camera.id, Date.now());
    rec.on('not-recording', (e) => this.cameraStates.notRecording(camera.id, e, Date.now()));
    rec.on('diagnostic', (d) => {
      if (d.kind === 'storage-error') this.freeSpace();
      this.reportDiagnostic(camera.id, d);
    });
    this.recording.set(camera.id, false);
    let sessions = 0;
    rec.on('session-start', () => {
      if (sessions++ > 0) this.metrics.cameraReconnected(camera.id);
      this.recording.set(camera.id, true);
    });
    rec.on('session-end', (e) => {
      this.recording.set(camera.id, false);
      if (!this.stopping) this.gaps.sessionEnded(camera.id, e.stalled ? 'ffmpeg-stall' : 'camera-unavailable');
    });
    this.wireSignals(rec, camera);
    this.recorders.set(camera.id, rec);
    return rec;
  }

  /**
   * Starts a camera at run time (a live pipeline activated); nothing when it already records.
   * @param segmentLengthMs the pipeline's segment length
   */
  private startCamera(camera: CameraConfig, segmentLengthMs: number): void {
    if (this.recorders.has(camera.id)) return;
    this.evr.addCamera(camera);
    const rec = this.addRecorder(camera, segmentLengthMs);
    if (this.running) rec.start();
  }

  /**
   * Stops a camera at run time (its live pipeline deactivated): its last segment is closed and cached (then uploaded
   * as usual), and the time until it records again is no gap.
   */
  private async stopCamera(cameraId: string): Promise<void> {
    const rec = this.recorders.get(cameraId);
    if (!rec) return;
    this.recorders.delete(cameraId);
    await rec.stop();
    this.gaps.forget(cameraId);
    this.recording.delete(cameraId);
    this.cameraStates.remove(cameraId);
    // Its signal sources go with it: a later start wires new ones, and a stale watermark would hold signalsThrough back.
    this.signalWatermarks.delete(cameraId);
    await this.extensions.get(cameraId)?.close();
    this.extensions.delete(cameraId);
  }

  /** A message on the device's commands topics: live pipeline commands here, upload windows to the EVR controller. */
  private onCommand(topic: string, payload: Buffer): void {
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      raw = undefined;
    }
    if (!isPipelineCommand(raw)) return this.evr.onCommand(topic, payload);
    if (parseCameraCommandsTopic(topic)?.deviceId !== this.config.deviceId) {
      this.logger.warn({ topic }, 'command ignored: not on keepwatch/{this device}/commands/{cameraId}');
      return;
    }
    this.pipelines.onCommand(raw);
  }

  /**
   * Motion detection and the HTTP extension of one camera: the recorder's grey frames feed a
   * {@link MotionPipeline}, its sample images an {@link HttpExtensionClient}; each resulting signal becomes a `signal`
   * CloudEvent in the outbox on the camera's events topic, counted by camera and type.
   */
  private wireSignals(rec: CameraRecorder, camera: AgentConfig['cameras'][number]): void {
    const topic = cameraEventsTopic(this.config.deviceId, camera.id);
    const log = this.logger.child({ component: 'signals', cameraId: camera.id });
    const publish = (event: ReturnType<typeof motionSignalEvent>, type: string): void => {
      try {
        this.outbox.add(topic, event);
        this.metrics.signalEmitted(camera.id, type);
      } catch (err) {
        log.error({ err, eventId: event.id }, 'signal event could not be stored');
      }
    };
    if (camera.motionDetection) {
      const pipeline = new MotionPipeline({
        cameraId: camera.id,
        motion: camera.motionDetection,
        logger: log,
        onSignal: (s) => publish(motionSignalEvent(this.config.deviceId, camera.id, s, Date.now()), 'motion'),
        onDropped: (n) => this.metrics.motionFramesDropped(camera.id, n),
      });
      this.addSignalWatermark(camera.id, () => pipeline.signalsCompleteBeforeMs);
      rec.on('frame', (f) => pipeline.push(f));
      rec.on('frames-dropped', (e) => this.metrics.motionFramesDropped(camera.id, e.count));
      rec.on('session-end', () => pipeline.flush());
    }
    if (camera.httpExtension) {
      const client = new HttpExtensionClient({
        cameraId: camera.id,
        settings: camera.httpExtension,
        logger: log,
        onSignals: (atMs, signals) => {
          for (const s of signals) publish(inferenceSignalEvent(this.config.deviceId, camera.id, atMs, s, Date.now()), 'inference');
        },
        onDropped: (reason) => this.metrics.extensionSampleDropped(camera.id, reason),
      });
      this.extensions.set(camera.id, client);
      this.addSignalWatermark(camera.id, () => client.signalsCompleteBeforeMs);
      rec.on('sample', (s) => client.offer(s));
    }
  }

  private addSignalWatermark(cameraId: string, source: () => number | undefined): void {
    const list = this.signalWatermarks.get(cameraId) ?? [];
    list.push(source);
    this.signalWatermarks.set(cameraId, list);
  }

  /**
   * Media time before which the camera's signal sources will emit nothing more (the smallest of their watermarks; a
   * source that has seen nothing yet holds it at `fallbackMs`), or undefined for a camera without signal sources.
   */
  private signalsThrough(cameraId: string, fallbackMs: number): number | undefined {
    const sources = this.signalWatermarks.get(cameraId);
    if (!sources?.length) return undefined;
    return Math.min(...sources.map((w) => w() ?? fallbackMs));
  }

  /** `http://host:port` of the metrics and health endpoint once listening, else undefined. */
  get metricsUrl(): string | undefined {
    return this.metricsServer?.url;
  }

  /**
   * Starts every camera, then connects to the broker. Recording does not wait for the broker: while
   * it is unreachable, segments are recorded and uploaded and their events wait (MQTT.js keeps
   * retrying), so `start` resolves only once connected.
   * @throws when the broker refuses the device (bad credentials, protocol): a configuration error,
   *   after which the cameras are stopped again
   */
  async start(): Promise<void> {
    this.logger.info({ deviceId: this.config.deviceId, cameras: this.config.cameras.map((c) => c.id), segmentLengthMs: this.config.segmentLengthMs }, 'agent starting');
    await this.recover();
    if (this.config.metrics) {
      try {
        this.metricsServer = await startMetricsServer({ ...this.config.metrics, metrics: this.metrics, state: this.state, logger: this.logger.child({ component: 'metrics' }) });
      } catch (err) {
        // Recording matters more than its metrics.
        this.logger.error({ err, port: this.config.metrics.port }, 'metrics endpoint could not listen; recording goes on without it');
      }
    }
    this.evr.start();
    for (const r of this.recorders.values()) r.start();
    this.running = true;
    const connected = this.transport.connect();
    this.outbox.start();
    this.pipelines.resume();
    try {
      await connected;
    } catch (err) {
      await this.pipelines.stop();
      await Promise.all([...this.recorders.values()].map((r) => r.stop()));
      await this.evr.stop();
      this.outbox.close();
      this.journal.close();
      await this.metricsServer?.close();
      throw err;
    }
  }

  /** A complete segment: journaled, cached (evicting the oldest beyond the cap) and queued for upload. */
  private admit(seg: RecordedSegment): void {
    try {
      syncSegmentFile(seg.path); // the file reaches the disk before the line that names it
      this.journal.recorded(seg);
    } catch (err) {
      // Disk full or unwritable: say so, free space oldest first, try once more, record on.
      this.storageError(seg.cameraId, err);
      try {
        syncSegmentFile(seg.path);
        this.journal.recorded(seg);
      } catch (again) {
        this.logger.error({ err: again, cameraId: seg.cameraId, segmentStartMs: seg.startMs }, 'segment not journaled: it is uploaded, but not resumed if the agent dies first');
      }
    }
    const gap = this.gaps.segment(seg.cameraId, seg.startMs, seg.startMs + seg.durationMs);
    if (gap) this.reportGap(gap);
    this.metrics.segmentRecorded(seg.cameraId, seg.bytes);
    if (this.evr.isEvr(seg.cameraId)) {
      // Moves the cloud's signal gate clock; durable like every event.
      try {
        const through = this.signalsThrough(seg.cameraId, seg.startMs);
        this.outbox.add(cameraEventsTopic(this.config.deviceId, seg.cameraId), segmentRecordedEvent(this.config.deviceId, seg, Date.now(), through));
      } catch (err) {
        this.logger.error({ err, cameraId: seg.cameraId }, 'segment.recorded event could not be stored');
      }
    }
    const evicted = this.cache.add(seg, (s) => this.uploader.isActive(s));
    if (evicted.includes(seg)) return;
    if (this.evr.isEvr(seg.cameraId)) this.evr.segmentAdded(seg);
    else this.uploader.enqueue(seg);
  }

  /** The cache's disk could not be written: a `storage-error` diagnostic, then space freed. */
  private storageError(cameraId: string, err: unknown): void {
    const message = `cache not writable: ${(err as Error).message}`.slice(0, 300);
    this.freeSpace(); // first, so that the diagnostic itself fits in the outbox
    this.reportDiagnostic(cameraId, { kind: 'storage-error', message });
  }

  /** Evicts the two oldest cached segments (not those uploading) to make room on a full disk; each becomes an eviction gap. */
  private freeSpace(): void {
    this.cache.evictOldest(2, (s) => this.uploader.isActive(s));
  }

  /** Announces what a recording session said about its camera (durably, through the outbox) and logs it. */
  private reportDiagnostic(cameraId: string, d: RecorderDiagnostic): void {
    const level = d.kind === 'session-established' ? 'info' : 'warn';
    this.logger[level]({ cameraId, diagnostic: d }, `camera diagnostics: ${d.kind}`);
    try {
      this.outbox.add(cameraEventsTopic(this.config.deviceId, cameraId), diagnosticsEvent(this.config.deviceId, cameraId, d, Date.now()));
    } catch (err) {
      this.logger.error({ err, cameraId }, 'diagnostics event could not be stored');
    }
  }

  /**
   * The cloud refused a cached segment for good: it started before the cloud's offline horizon (upload-urls 400
   * `TimeOutOfRange`; the uploader logged the cloud's words). It leaves the cache as an eviction does, as a gap of cause
   * `expired-offline` (EVR: unless it was droppable anyway). The gap event is stored (durable, in the outbox) before the
   * journal line and the file go, so a crash cannot lose the report: before the journal line, the next start uploads
   * the segment again, refused again, the same gap (same event id); after it, the file is an orphan of the next start.
   */
  private expired(seg: RecordedSegment): void {
    const evr = this.evr.isEvr(seg.cameraId) ? this.evr.evicted(seg) : 'gap';
    if (evr === 'gap') this.reportGap(this.gaps.expired(seg.cameraId, seg.startMs, seg.startMs + seg.durationMs));
    else if (evr === 'dropped') this.metrics.evrSegmentDropped(seg.cameraId);
    try {
      this.journal.done(seg, evr === 'gap' ? 'expired' : evr);
    } catch (err) {
      this.logger.error({ err, cameraId: seg.cameraId }, 'journal write failed (the expired segment is re-checked at the next start)');
    }
    this.cache.remove(seg);
  }

  /** Announces a gap (durably, through the outbox) and logs it: nothing is lost silently. */
  private reportGap(gap: Gap): void {
    this.logger.warn({ cameraId: gap.cameraId, gapStart: new Date(gap.startMs).toISOString(), gapEnd: new Date(gap.endMs).toISOString(), cause: gap.cause }, 'gap in the recording');
    try {
      this.outbox.add(cameraEventsTopic(this.config.deviceId, gap.cameraId), gapEvent(this.config.deviceId, gap, Date.now()));
    } catch (err) {
      this.logger.error({ err, cameraId: gap.cameraId }, 'gap event could not be stored');
    }
  }

  /**
   * Resumes what the previous run left: journaled segments whose files are intact go back
   * into the cache and the upload queue, oldest first. An ffmpeg the previous agent left running (it was SIGKILLed)
   * is killed, so nothing writes meanwhile; the complete segments it wrote that the journal does not list are adopted,
   * and only the file each session was writing is deleted, logged as lost ({@link adoptOrphanSegments}).
   */
  private async recover(): Promise<void> {
    const pending = this.journal.open();
    this.gaps.restore(this.journal.lastEndByCamera(), this.journal.previousRun === 'stopped' ? 'agent-stopped' : 'agent-restart');
    const known = new Set<string>();
    for (const seg of pending) {
      let size = -1;
      try {
        size = statSync(seg.path).size;
      } catch {
        // missing: handled below
      }
      if (size !== seg.bytes) {
        this.logger.error({ cameraId: seg.cameraId, segmentStartMs: seg.startMs, file: seg.path, bytes: seg.bytes, found: size }, 'journaled segment missing or changed after restart: lost');
        this.journal.done(seg, 'lost');
        this.reportGap({ cameraId: seg.cameraId, startMs: seg.startMs, endMs: seg.startMs + seg.durationMs, cause: 'agent-restart' });
        continue;
      }
      known.add(seg.path);
      const evicted = this.cache.add(seg, () => false);
      if (evicted.includes(seg)) continue;
      if (this.evr.isEvr(seg.cameraId)) this.evr.segmentAdded(seg);
      else this.uploader.enqueue(seg);
    }
    if (pending.length) this.logger.info({ segments: known.size }, 'resuming uploads left by the previous run');
    // EVR: a crash between a segment's journal line and its segment.recorded event can only hit a camera's last
    // journaled segment; its event is stored again (same id: the cloud sees one event).
    const lastByCamera = new Map(pending.filter((seg) => known.has(seg.path) && this.evr.isEvr(seg.cameraId)).map((seg) => [seg.cameraId, seg]));
    for (const seg of lastByCamera.values()) {
      try {
        const through = this.signalsThrough(seg.cameraId, seg.startMs);
        this.outbox.add(cameraEventsTopic(this.config.deviceId, seg.cameraId), segmentRecordedEvent(this.config.deviceId, seg, Date.now(), through));
      } catch (err) {
        this.logger.error({ err, cameraId: seg.cameraId }, 'segment.recorded event could not be stored');
      }
    }
    // Config cameras and the cameras of live pipelines resumed from the previous run.
    const lastEnd = this.journal.lastEndByCamera();
    for (const cameraId of this.recorders.keys()) {
      const dir = path.join(this.config.localMediaCachePath, cameraId);
      const orphans = await killOrphanFfmpeg(dir);
      if (orphans.length) this.logger.warn({ cameraId, pids: orphans }, 'killed the ffmpeg a previous agent left running');
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // first run
      }
      await this.adoptOrphanSegments(cameraId, dir, names, new Set(names.filter((n) => known.has(path.join(dir, n)))), lastEnd.get(cameraId));
    }
  }

  /**
   * The segment files of a camera folder the journal does not list: what the dead agent's ffmpeg completed and the
   * agent never journaled (it died first, and an orphaned ffmpeg goes on recording until this start kills it), and the
   * file each session was writing when it was killed. The complete ones are adopted as normal journal entries (timed
   * from their files: journal/orphan-segments.ts), uploaded like any other; only the partial ones are deleted, logged
   * as lost (docs/security.md).
   * @param names every file name in `dir`; `journaled` those the journal lists
   * @param notBeforeMs end of the camera's last journaled segment
   */
  private async adoptOrphanSegments(cameraId: string, dir: string, names: string[], journaled: ReadonlySet<string>, notBeforeMs: number | undefined): Promise<void> {
    const plan = planOrphanFiles(names, journaled);
    const lost = (file: string, reason: string) => {
      this.logger.error({ cameraId, file: path.join(dir, file), reason }, 'incomplete segment of the previous run deleted: lost (agent restart)');
      rmSync(path.join(dir, file), { force: true });
    };
    for (const name of plan.partial) lost(name, 'the file its ffmpeg was writing when killed');
    if (!plan.complete.length) return;
    const verdicts = await adoptableSegments({ cameraId, dir, files: plan.complete, ffmpegPath: this.ffmpeg.path, notBeforeMs });
    const adopted: RecordedSegment[] = [];
    const offsets = new Map<RecordedSegment, number>();
    for (const v of verdicts) {
      if ('reason' in v) lost(v.file, v.reason);
      else {
        adopted.push(v.segment);
        offsets.set(v.segment, v.estimateOffsetMs);
      }
    }
    adopted.sort((a, b) => a.startMs - b.startMs);
    for (const seg of adopted) {
      try {
        syncSegmentFile(seg.path);
        this.journal.recorded(seg);
      } catch (err) {
        this.logger.error({ err, cameraId, file: seg.path }, 'segment of the previous run could not be journaled: it is uploaded, but not resumed if the agent dies first');
      }
      this.logger.info({ cameraId, segmentStartMs: seg.startMs, durationMs: seg.durationMs, bytes: seg.bytes, file: seg.path, estimateOffsetMs: offsets.get(seg) }, 'segment completed by the previous run\'s ffmpeg after the agent died: adopted');
      const gap = this.gaps.segment(cameraId, seg.startMs, seg.startMs + seg.durationMs);
      if (gap) this.reportGap(gap);
      this.metrics.segmentRecorded(cameraId, seg.bytes);
      if (this.evr.isEvr(cameraId)) {
        try {
          this.outbox.add(cameraEventsTopic(this.config.deviceId, cameraId), segmentRecordedEvent(this.config.deviceId, seg, Date.now(), this.signalsThrough(cameraId, seg.startMs)));
        } catch (err) {
          this.logger.error({ err, cameraId }, 'segment.recorded event could not be stored');
        }
      }
      const evicted = this.cache.add(seg, () => false);
      if (evicted.includes(seg)) continue;
      if (this.evr.isEvr(cameraId)) this.evr.segmentAdded(seg);
      else this.uploader.enqueue(seg);
    }
    // The hole from the last adopted segment to this run's first is still the agent's outage, not the camera's.
    const last = adopted[adopted.length - 1];
    if (last) this.gaps.restore(new Map([[cameraId, last.startMs + last.durationMs]]), this.journal.previousRun === 'stopped' ? 'agent-stopped' : 'agent-restart');
  }

  /**
   * Stops recording (each camera's last segment is closed), lets uploads and events finish for up to
   * 20 s, disconnects. What is left stays in the journal and the outbox for the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    await this.pipelines.stop();
    await Promise.all([...this.recorders.values()].map((r) => r.stop()));
    await Promise.all([...this.extensions.values()].map((x) => x.close()));
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    const drained = await this.uploader.idle(DRAIN_TIMEOUT_MS);
    if (!drained) this.logger.warn({ pending: this.uploader.pending, cacheBytes: this.cache.totalBytes }, 'stopping with segments still in the cache; they are uploaded at the next start');
    await this.evr.stop(Math.max(0, deadline - Date.now()));
    this.uploader.stop();
    if (!(await this.outbox.drain(Math.max(0, deadline - Date.now())))) {
      this.logger.warn({ events: this.outbox.pending }, 'stopping with events not yet acknowledged; they are published at the next start');
    }
    this.outbox.close();
    this.journal.markStopped(Date.now());
    await this.transport.close();
    await this.metricsServer?.close();
    this.logger.info('agent stopped');
  }
}
