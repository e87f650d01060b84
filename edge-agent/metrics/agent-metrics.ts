import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CameraHealth } from './camera-states';

/** How often the `keepwatch_agent_nodejs_eventloop_lag_*` metrics sample the event loop's delay (ms). */
const EVENT_LOOP_SAMPLE_MS = 1000;

/** What the agent's state looks like when the metrics are scraped (read at scrape time). */
export interface AgentState {
  /** Bytes of complete segments in the cache. */
  cacheBytes: () => number;
  /** Segments in the cache. */
  cacheSegments: () => number;
  /** End (epoch ms UTC) of the oldest segment not yet uploaded, or undefined when all are uploaded. */
  oldestPendingEndMs: () => number | undefined;
  /** Events in the outbox, not yet acknowledged by the broker. */
  eventsQueued: () => number;
  /** Cameras with a recording session running (true) or waiting to reconnect (false). */
  cameras: () => Record<string, boolean>;
  /** Each camera's state for `GET /health`: recording, or not and why (camera-states.ts). */
  cameraStates: () => Record<string, CameraHealth>;
  /** Broker connection state. */
  brokerConnected: () => boolean;
  /** EVR upload windows held (0 without EVR cameras). */
  evrWindowsHeld?: () => number;
  now?: () => number;
}

/**
 * The agent's Prometheus metrics (AVA's edge module served `va_received_bytes_total`,
 * `va_data_dropped_total`… on port 9600, docs/reference/ava-behaviour.md "Events"), in their own registry:
 *
 * | metric | type | meaning |
 * |---|---|---|
 * | `keepwatch_received_bytes_total{camera}` | counter | bytes of complete segments ffmpeg wrote (codec copy: the camera's media) |
 * | `keepwatch_segments_recorded_total{camera}` | counter | complete segments |
 * | `keepwatch_segments_uploaded_total{camera}` | counter | segments stored in Blob |
 * | `keepwatch_uploaded_bytes_total{camera}` | counter | their bytes |
 * | `keepwatch_segments_evicted_total{camera}` | counter | segments dropped by the cache cap before upload (lost) |
 * | `keepwatch_camera_reconnects_total{camera}` | counter | recording sessions restarted after ending unasked |
 * | `keepwatch_camera_recording{camera}` | gauge | 1 while a recording session runs |
 * | `keepwatch_cache_bytes`, `keepwatch_cache_segments` | gauge | the cache |
 * | `keepwatch_upload_lag_seconds` | gauge | now − end of the oldest segment not yet uploaded (0 when none) |
 * | `keepwatch_events_queued` | gauge | events in the outbox |
 * | `keepwatch_broker_connected` | gauge | 1 while connected to the broker |
 * | `keepwatch_broker_reconnects_total` | counter | reconnect attempts to the broker |
 * | `keepwatch_evr_windows_held` | gauge | EVR upload windows the agent holds |
 * | `keepwatch_evr_segments_dropped_total{camera}` | counter | EVR segments outside every upload window, deleted past the cache horizon (by design, not lost) |
 * | `keepwatch_file_sink_files_total{camera}` | counter | MP4s written by a file sink |
 * | `keepwatch_signals_total{camera,type}` | counter | signals the agent emitted (`motion`, `inference`) |
 * | `keepwatch_motion_frames_dropped_total{camera}` | counter | grey frames dropped because the motion detector fell behind |
 * | `keepwatch_extension_samples_dropped_total{camera,reason}` | counter | samples not sent to the HTTP extension (`busy`, `backoff`) |
 *
 * plus prom-client's default process metrics (`keepwatch_agent_process_resident_memory_bytes`, …).
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly received: Counter<'camera'>;
  private readonly recorded: Counter<'camera'>;
  private readonly uploaded: Counter<'camera'>;
  private readonly uploadedBytes: Counter<'camera'>;
  private readonly evicted: Counter<'camera'>;
  private readonly cameraReconnects: Counter<'camera'>;
  private readonly brokerReconnects: Counter;
  private readonly evrDropped: Counter<'camera'>;
  private readonly filesWritten: Counter<'camera'>;
  private readonly signals: Counter<'camera' | 'type'>;
  private readonly motionDropped: Counter<'camera'>;
  private readonly samplesDropped: Counter<'camera' | 'reason'>;

  constructor(state: AgentState) {
    const registers = [this.registry];
    const now = state.now ?? Date.now;
    this.received = new Counter({ name: 'keepwatch_received_bytes_total', help: 'Bytes of complete segments written by ffmpeg (codec copy of the camera stream).', labelNames: ['camera'], registers });
    this.recorded = new Counter({ name: 'keepwatch_segments_recorded_total', help: 'Complete segments recorded.', labelNames: ['camera'], registers });
    this.uploaded = new Counter({ name: 'keepwatch_segments_uploaded_total', help: 'Segments stored in Blob Storage.', labelNames: ['camera'], registers });
    this.uploadedBytes = new Counter({ name: 'keepwatch_uploaded_bytes_total', help: 'Bytes of the segments stored in Blob Storage.', labelNames: ['camera'], registers });
    this.evicted = new Counter({ name: 'keepwatch_segments_evicted_total', help: 'Segments evicted by the cache cap before their upload (lost).', labelNames: ['camera'], registers });
    this.cameraReconnects = new Counter({ name: 'keepwatch_camera_reconnects_total', help: 'Recording sessions restarted after ending unasked.', labelNames: ['camera'], registers });
    this.brokerReconnects = new Counter({ name: 'keepwatch_broker_reconnects_total', help: 'Reconnect attempts to the MQTT broker.', registers });
    this.signals = new Counter({ name: 'keepwatch_signals_total', help: 'Signals emitted by the agent, by camera and type (motion, inference).', labelNames: ['camera', 'type'], registers });
    this.motionDropped = new Counter({ name: 'keepwatch_motion_frames_dropped_total', help: 'Grey frames dropped because the motion detector fell behind.', labelNames: ['camera'], registers });
    this.samplesDropped = new Counter({ name: 'keepwatch_extension_samples_dropped_total', help: 'Samples not sent to the HTTP extension (busy: a request in flight; backoff: after 503 or errors).', labelNames: ['camera', 'reason'], registers });
    new Gauge({
      name: 'keepwatch_camera_recording',
      help: '1 while the camera has a recording session running.',
      labelNames: ['camera'],
      registers,
      collect() {
        for (const [camera, up] of Object.entries(state.cameras())) this.set({ camera }, up ? 1 : 0);
      },
    });
    new Gauge({ name: 'keepwatch_cache_bytes', help: 'Bytes of complete segments in the cache.', registers, collect() { this.set(state.cacheBytes()); } });
    new Gauge({ name: 'keepwatch_cache_segments', help: 'Segments in the cache.', registers, collect() { this.set(state.cacheSegments()); } });
    new Gauge({
      name: 'keepwatch_upload_lag_seconds',
      help: 'Seconds since the end of the oldest segment not yet uploaded (0 when none waits).',
      registers,
      collect() {
        const end = state.oldestPendingEndMs();
        this.set(end === undefined ? 0 : Math.max(0, (now() - end) / 1000));
      },
    });
    new Gauge({ name: 'keepwatch_events_queued', help: 'Events in the on-disk outbox, not yet acknowledged by the broker.', registers, collect() { this.set(state.eventsQueued()); } });
    this.evrDropped = new Counter({ name: 'keepwatch_evr_segments_dropped_total', help: 'EVR segments outside every upload window, deleted past the cache horizon (by design).', labelNames: ['camera'], registers });
    this.filesWritten = new Counter({ name: 'keepwatch_file_sink_files_total', help: 'MP4 files written by a file sink.', labelNames: ['camera'], registers });
    new Gauge({ name: 'keepwatch_evr_windows_held', help: 'EVR upload windows held by the agent.', registers, collect() { this.set(state.evrWindowsHeld?.() ?? 0); } });
    new Gauge({ name: 'keepwatch_broker_connected', help: '1 while connected to the MQTT broker.', registers, collect() { this.set(state.brokerConnected() ? 1 : 0); } });
    // The event-loop lag histogram samples once a second, not every 10 ms (prom-client's default): its 100 timer wakeups
    // a second cost about 0.5 % of a core on an idle agent here, more than the 1 s samples tell a 15 s scrape.
    collectDefaultMetrics({ register: this.registry, prefix: 'keepwatch_agent_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }

  segmentRecorded(camera: string, bytes: number): void {
    this.recorded.inc({ camera });
    this.received.inc({ camera }, bytes);
  }

  segmentUploaded(camera: string, bytes: number): void {
    this.uploaded.inc({ camera });
    this.uploadedBytes.inc({ camera }, bytes);
  }

  segmentEvicted(camera: string): void {
    this.evicted.inc({ camera });
  }

  cameraReconnected(camera: string): void {
    this.cameraReconnects.inc({ camera });
  }

  /** An EVR segment outside every upload window was dropped past the cache horizon. */
  evrSegmentDropped(camera: string): void {
    this.evrDropped.inc({ camera });
  }

  /** A file sink wrote an MP4. */
  fileWritten(camera: string): void {
    this.filesWritten.inc({ camera });
  }

  /** The agent emitted a signal (motion, inference). */
  signalEmitted(camera: string, type: string): void {
    this.signals.inc({ camera, type });
  }

  /** Grey frames dropped because the motion detector fell behind. */
  motionFramesDropped(camera: string, frames: number): void {
    this.motionDropped.inc({ camera }, frames);
  }

  /** A sample not sent to the HTTP extension (`busy`, `backoff`). */
  extensionSampleDropped(camera: string, reason: string): void {
    this.samplesDropped.inc({ camera, reason });
  }

  brokerReconnected(): void {
    this.brokerReconnects.inc();
  }
}
