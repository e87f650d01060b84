import type { CameraConfig } from '../../shared/schemas/agent-config';
import { cameraEventsTopic } from '../../shared/contracts/topics';
import { HttpExtensionClient } from '../extension/http-extension-client';
import type { EventOutbox } from '../journal/event-outbox';
import type { Logger } from '../log';
import type { AgentMetrics } from '../metrics/agent-metrics';
import { MotionPipeline } from '../motion/motion-pipeline';
import type { CameraRecorder } from '../recorder/camera-recorder';
import { inferenceSignalEvent, motionSignalEvent } from '../segment-events';

/** What {@link CameraSignals} needs from the agent. */
export interface CameraSignalsOptions {
  deviceId: string;
  /** Where each signal's CloudEvent is stored (durably) for publishing. */
  outbox: Pick<EventOutbox, 'add'>;
  metrics: Pick<AgentMetrics, 'signalEmitted' | 'motionFramesDropped' | 'extensionSampleDropped'>;
  /** The agent's logger; each camera's sources log as its child `{ component: 'signals', cameraId }`. */
  logger: Logger;
  /** Wall clock, epoch ms (event times). */
  now: () => number;
}

/**
 * The signal sources of the agent's cameras: motion detection and the HTTP extension. A recorder's grey frames feed a
 * {@link MotionPipeline}, its sample images an {@link HttpExtensionClient}; each resulting signal becomes a `signal`
 * CloudEvent in the outbox on the camera's events topic, counted by camera and type. Each source's watermark tells how
 * far the camera's signals are complete ({@link through}: a segment.recorded event's `signalsThrough`).
 */
export class CameraSignals {
  /** The HTTP extension client of each camera that has one. */
  private readonly extensions = new Map<string, HttpExtensionClient>();
  /** Per camera with motion detection or an HTTP extension: media time before which each source emits no more signals. */
  private readonly watermarks = new Map<string, Array<() => number | undefined>>();

  constructor(private readonly opts: CameraSignalsOptions) {}

  /** Wires a camera's signal sources (those its config asks for) to its recorder's `frame`, `sample` and `session-end` events. */
  wire(rec: CameraRecorder, camera: CameraConfig): void {
    const { deviceId, metrics, now } = this.opts;
    const topic = cameraEventsTopic(deviceId, camera.id);
    const log = this.opts.logger.child({ component: 'signals', cameraId: camera.id });
    const publish = (event: ReturnType<typeof motionSignalEvent>, type: string): void => {
      try {
        this.opts.outbox.add(topic, event);
        metrics.signalEmitted(camera.id, type);
      } catch (err) {
        log.error({ err, eventId: event.id }, 'signal event could not be stored');
      }
    };
    if (camera.motionDetection) {
      const pipeline = new MotionPipeline({
        cameraId: camera.id,
        motion: camera.motionDetection,
        logger: log,
        onSignal: (s) => publish(motionSignalEvent(deviceId, camera.id, s, now()), 'motion'),
        onDropped: (n) => metrics.motionFramesDropped(camera.id, n),
      });
      this.addWatermark(camera.id, () => pipeline.signalsCompleteBeforeMs);
      rec.on('frame', (f) => pipeline.push(f));
      rec.on('frames-dropped', (e) => metrics.motionFramesDropped(camera.id, e.count));
      rec.on('session-end', () => pipeline.flush());
    }
    if (camera.httpExtension) {
      const client = new HttpExtensionClient({
        cameraId: camera.id,
        settings: camera.httpExtension,
        logger: log,
        onSignals: (atMs, signals) => {
          for (const s of signals) publish(inferenceSignalEvent(deviceId, camera.id, atMs, s, now()), 'inference');
        },
        onDropped: (reason) => metrics.extensionSampleDropped(camera.id, reason),
      });
      this.extensions.set(camera.id, client);
      this.addWatermark(camera.id, () => client.signalsCompleteBeforeMs);
      rec.on('sample', (s) => client.offer(s));
    }
  }

  /**
   * Media time (epoch ms) before which the camera's signal sources will emit nothing more (the smallest of their
   * watermarks; a source that has seen nothing yet holds it at `fallbackMs`), or undefined for a camera without
   * signal sources.
   */
  through(cameraId: string, fallbackMs: number): number | undefined {
    const sources = this.watermarks.get(cameraId);
    if (!sources?.length) return undefined;
    return Math.min(...sources.map((w) => w() ?? fallbackMs));
  }

  /**
   * A camera was stopped (its live pipeline deactivated): its sources go with it (a later start wires new ones, and a
   * stale watermark would hold signalsThrough back); its extension client is closed.
   */
  async forget(cameraId: string): Promise<void> {
    this.watermarks.delete(cameraId);
    await this.extensions.get(cameraId)?.close();
    this.extensions.delete(cameraId);
  }

  /** Closes every camera's extension client (the agent stops). */
  async close(): Promise<void> {
    await Promise.all([...this.extensions.values()].map((x) => x.close()));
  }

  private addWatermark(cameraId: string, source: () => number | undefined): void {
    const list = this.watermarks.get(cameraId) ?? [];
    list.push(source);
    this.watermarks.set(cameraId, list);
  }
}
