import { performance } from 'node:perf_hooks';
import path from 'node:path';
import type { AgentConfig, CameraConfig } from '../shared/schemas/agent-config';
import { isPipelineCommand } from '../shared/contracts/pipeline-commands';
import { cameraEventsTopic, deviceCommandsFilter, parseCameraCommandsTopic } from '../shared/contracts/topics';
import { EventOutbox } from './journal/event-outbox';
import { SegmentJournal } from './journal/segment-journal';
import type { Logger } from './log';
import { AgentMetrics, type AgentState } from './metrics/agent-metrics';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server';
import { CameraStates } from './metrics/camera-states';
import { CameraRecorder } from './recorder/camera-recorder';
import { resolveFfmpeg, type RecorderFfmpeg } from './recorder/ffmpeg-path';
import { diagnosticsEvent } from './segment-events';
import type { EvrController } from './evr/evr-controller';
import { fileSinkRootOf, verifyFileSinkFolders } from './evr/file-sink-root';
import type { RecorderDiagnostic } from './recorder/ffmpeg-diagnostics';
import { GapTracker } from './gaps/gap-tracker';
import { readBrokerTls } from './transport/broker-tls';
import { MqttTransport } from './transport/mqtt-transport';
import { ActivePipelines } from './pipelines/active-pipelines';
import { commandOpener, PipelineController } from './pipelines/pipeline-controller';
import { recoverSegments } from './segments/recover';
import { SegmentLifecycle } from './segments/segment-lifecycle';
import { CameraSignals } from './signals/camera-signals';
import { uploadDestinationFor } from './uploader/blob-target';

/** How long `stop()` lets the uploader finish what is cached (ms). */
const DRAIN_TIMEOUT_MS = 20_000;

/** Options of {@link Agent} beyond its config. */
export interface AgentOptions {
  /** Wall clock, epoch ms (default `Date.now`): event times, camera states, the EVR cache horizon, the uploader's live lane. */
  now?: () => number;
}

/**
 * The edge agent's composition root: one {@link CameraRecorder} per camera whose segments go through the
 * {@link SegmentLifecycle} (journal, cache, upload, events: edge-agent/segments/segment-lifecycle.ts). Each complete
 * segment is journaled ({@link SegmentJournal}) before it is queued; once uploaded, its `segment.uploaded` CloudEvent is
 * stored in the on-disk {@link EventOutbox} (published over MQTT at QoS 1, marked acknowledged on PUBACK) and the segment leaves
 * the cache (CVR). After a crash, the next start uploads what the journal still holds, oldest first
 * (edge-agent/segments/recover.ts), and publishes what the outbox still holds, in order.
 *
 * Cameras in EVR mode (docs/contracts.md "EVR on the agent") differ: each complete segment also gets a
 * `segment.recorded` event, and the {@link EvrController} decides which cached segments are uploaded (those overlapping
 * an upload window the cloud commanded), kept (the cache horizon) or dropped.
 *
 * Live pipelines (docs/contracts.md "AVA live pipelines"): the cloud's activate/deactivate commands start and stop
 * cameras at run time ({@link PipelineController}); the active pipelines are kept in the cache folder
 * (edge-agent/pipelines/active-pipelines.ts), so a restart resumes their cameras. The agent always subscribes to its
 * commands (`keepwatch/{deviceId}/commands/#`, persistent session).
 */
export class Agent {
  private readonly transport: MqttTransport;
  private readonly journal: SegmentJournal;
  private readonly outbox: EventOutbox;
  /** A segment's trip: admitted, cached, uploaded or gone (journal, cache, uploader, EVR). */
  private readonly segments: SegmentLifecycle;
  /** By camera id. */
  private readonly recorders = new Map<string, CameraRecorder>();
  private readonly pipelines: PipelineController;
  private readonly ffmpeg: RecorderFfmpeg;
  private running = false;
  private readonly signals: CameraSignals;
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
  private readonly now: () => number;

  constructor(
    private readonly config: AgentConfig,
    private readonly logger: Logger,
    options: AgentOptions = {},
  ) {
    const now = (this.now = options.now ?? Date.now);
    this.transport = new MqttTransport({
      deviceId: config.deviceId,
      url: config.broker.url,
      username: config.broker.username,
      password: config.broker.password,
      tls: readBrokerTls(config.broker),
      protocolVersion: config.broker.protocolVersion,
      logger: logger.child({ component: 'transport' }),
      // Each camera's state goes in the device's status, from which the cloud derives camera health.
      cameraStates: () => this.cameraStates.health(),
      onReconnect: () => this.metrics.brokerReconnected(),
      onConnect: () => {
        this.connectedSinceMs = now();
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
    this.state = {
      cacheBytes: () => this.segments.cacheBytes,
      cacheSegments: () => this.segments.cacheSegments,
      oldestPendingEndMs: () => this.segments.oldestPendingEndMs(),
      eventsQueued: () => this.outbox.pending,
      cameras: () => Object.fromEntries(this.recording),
      cameraStates: () => this.cameraStates.health(),
      brokerConnected: () => this.transport.connected,
      evrWindowsHeld: () => this.evr.windowsHeld,
    };
    this.metrics = new AgentMetrics(this.state);
    this.signals = new CameraSignals({ deviceId: config.deviceId, outbox: this.outbox, metrics: this.metrics, logger, now });
    this.ffmpeg = resolveFfmpeg(config.ffmpegPath);
    const { path: ffmpegPath, source, version, startGuard, warnings } = this.ffmpeg;
    logger.info({ event: 'ffmpeg', ffmpegPath, source, version, startGuard }, 'recording with ffmpeg');
    for (const warning of warnings) logger.warn({ event: 'ffmpeg', ffmpegPath }, warning);
    const fileSinkRoot = fileSinkRootOf(config);
    verifyFileSinkFolders(config.cameras, fileSinkRoot, 'agent config');
    const activePipelines = new ActivePipelines(config.localMediaCachePath, logger.child({ component: 'pipelines' }));
    activePipelines.load();
    this.pipelines = new PipelineController({
      deviceId: config.deviceId,
      activePipelines,
      configCameraIds: new Set(config.cameras.map((c) => c.id)),
      fileSinkRoot,
      startCamera: (camera, segmentLengthMs) => this.startCamera(camera, segmentLengthMs),
      stopCamera: (cameraId) => this.stopCamera(cameraId),
      drained: (ids) => this.segments.drained(ids),
      publish: (topic, event) => this.outbox.add(topic, event),
      defaultSegmentLengthMs: config.segmentLengthMs,
      // Activate commands carry their cameras sealed to the device secret (docs/devices.md).
      ...('deviceSecret' in config.upload ? { openSealed: commandOpener(config.upload.deviceSecret, config.deviceId) } : {}),
      logger: logger.child({ component: 'pipelines' }),
    });
    const resumed = this.pipelines.camerasToResume().filter((r) => !config.cameras.some((c) => c.id === r.camera.id));
    this.segments = new SegmentLifecycle({
      deviceId: config.deviceId,
      journal: this.journal,
      outbox: this.outbox,
      gaps: this.gaps,
      metrics: this.metrics,
      cache: { maxBytes: config.maxCacheBytes, logger: logger.child({ component: 'cache' }) },
      uploader: { ...uploadDestinationFor(config.upload, config.deviceId), logger: logger.child({ component: 'uploader' }) },
      evr: {
        deviceId: config.deviceId,
        cameras: [...config.cameras, ...resumed.map((r) => r.camera)],
        cacheDir: config.localMediaCachePath,
        ffmpegPath,
        fileSinkRoot,
        horizonMs: config.evrCacheHorizonMs,
        segmentLengthMs: config.segmentLengthMs,
        cloudCaughtUp: () => this.transport.connected && this.outbox.pending === 0,
        connectedSinceMs: () => this.connectedSinceMs,
        onFileWritten: (cameraId) => this.metrics.fileWritten(cameraId),
        logger: logger.child({ component: 'evr' }),
      },
      signalsThrough: (cameraId, fallbackMs) => this.signals.through(cameraId, fallbackMs),
      diagnostic: (cameraId, d) => this.reportDiagnostic(cameraId, d),
      logger,
      now,
    });
    this.evr = this.segments.evr;
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
      now: this.now,
    });
    rec.on('segment', (seg) => {
      if (this.cameraStates.recording(camera.id, this.now())) {
        logger.info({ cameraId: camera.id }, 'camera recording');
        this.transport.publishStatus();
      }
      this.segments.admit(seg);
    });
    this.cameraStates.starting(camera.id, this.now());
    rec.on('not-recording', (e) => {
      this.cameraStates.notRecording(camera.id, e, this.now());
      this.transport.publishStatus();
    });
    rec.on('diagnostic', (d) => {
      if (d.kind === 'storage-error') this.segments.freeSpace();
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
    this.signals.wire(rec, camera);
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
    this.transport.publishStatus();
    await this.signals.forget(cameraId);
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

  /** Announces what a recording session said about its camera (durably, through the outbox) and logs it. */
  private reportDiagnostic(cameraId: string, d: RecorderDiagnostic): void {
    const level = d.kind === 'session-established' ? 'info' : 'warn';
    this.logger[level]({ cameraId, diagnostic: d }, `camera diagnostics: ${d.kind}`);
    try {
      this.outbox.add(cameraEventsTopic(this.config.deviceId, cameraId), diagnosticsEvent(this.config.deviceId, cameraId, d, this.now()));
    } catch (err) {
      this.logger.error({ err, cameraId }, 'diagnostics event could not be stored');
    }
  }

  /** `http://host:port` of the metrics and health endpoint once listening, else undefined. */
  get metricsUrl(): string | undefined {
    return this.metricsServer?.url;
  }

  /**
   * Resumes what the previous run left (edge-agent/segments/recover.ts), starts every camera, then connects to the
   * broker. Recording does not wait for the broker: while it is unreachable, segments are recorded and uploaded and
   * their events wait (MQTT.js keeps retrying), so `start` resolves only once connected.
   * @throws when the broker refuses the device (bad credentials, protocol): a configuration error,
   *   after which the cameras are stopped again
   */
  async start(): Promise<void> {
    this.logger.info({ deviceId: this.config.deviceId, cameras: this.config.cameras.map((c) => c.id), segmentLengthMs: this.config.segmentLengthMs }, 'agent starting');
    await recoverSegments({
      journal: this.journal,
      gaps: this.gaps,
      segments: this.segments,
      cacheDir: this.config.localMediaCachePath,
      // Config cameras and the cameras of live pipelines resumed from the previous run.
      cameraIds: [...this.recorders.keys()],
      ffmpegPath: this.ffmpeg.path,
      logger: this.logger,
    });
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

  /**
   * Stops recording (each camera's last segment is closed), lets uploads and events finish for up to
   * 20 s, disconnects. What is left stays in the journal and the outbox for the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    await this.pipelines.stop();
    await Promise.all([...this.recorders.values()].map((r) => r.stop()));
    await this.signals.close();
    // A time budget, not a wall-clock time: measured on the monotonic clock.
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    const drained = await this.segments.uploadsIdle(DRAIN_TIMEOUT_MS);
    if (!drained) this.logger.warn({ pending: this.segments.pendingUploads, cacheBytes: this.segments.cacheBytes }, 'stopping with segments still in the cache; they are uploaded at the next start');
    await this.evr.stop(Math.max(0, deadline - performance.now()));
    this.segments.stopUploads();
    if (!(await this.outbox.drain(Math.max(0, deadline - performance.now())))) {
      this.logger.warn({ events: this.outbox.pending }, 'stopping with events not yet acknowledged; they are published at the next start');
    }
    this.outbox.close();
    this.journal.markStopped(this.now());
    await this.transport.close();
    await this.metricsServer?.close();
    this.logger.info('agent stopped');
  }
}
