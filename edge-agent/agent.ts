import path from 'node:path';
import type { AgentConfig } from '../shared/schemas/agent-config';
import { cameraEventsTopic } from '../shared/topics';
import { SegmentCache } from './cache/segment-cache';
import type { Logger } from './log';
import { CameraRecorder, type RecordedSegment } from './recorder/camera-recorder';
import { resolveFfmpegPath } from './recorder/ffmpeg-path';
import { segmentUploadedEvent } from './segment-events';
import { MqttTransport } from './transport/mqtt-transport';
import { containerClientFor } from './uploader/blob-target';
import { SegmentUploader } from './uploader/segment-uploader';

/** How long `stop()` lets the uploader finish what is cached (ms). */
const DRAIN_TIMEOUT_MS = 20_000;

/**
 * The edge agent's composition root: one {@link CameraRecorder} per camera feeding the
 * {@link SegmentCache} and the {@link SegmentUploader}; each uploaded segment is announced as a
 * `segment.uploaded` CloudEvent over MQTT (QoS 1) and leaves the cache once the broker
 * acknowledged it (CVR).
 */
export class Agent {
  private readonly transport: MqttTransport;
  private readonly uploader: SegmentUploader;
  private readonly cache: SegmentCache;
  private readonly recorders: CameraRecorder[];

  constructor(
    private readonly config: AgentConfig,
    private readonly logger: Logger,
  ) {
    this.transport = new MqttTransport({
      deviceId: config.deviceId,
      url: config.broker.url,
      username: config.broker.username,
      password: config.broker.password,
      protocolVersion: config.broker.protocolVersion,
      logger: logger.child({ component: 'transport' }),
    });
    this.uploader = new SegmentUploader({
      container: containerClientFor(config.upload),
      logger: logger.child({ component: 'uploader' }),
      onUploaded: async (seg) => {
        await this.transport.publishEvent(cameraEventsTopic(config.deviceId, seg.cameraId), segmentUploadedEvent(config.deviceId, seg, Date.now()));
        this.cache.remove(seg);
      },
    });
    this.cache = new SegmentCache(config.maxCacheBytes, logger.child({ component: 'cache' }), (seg) => this.uploader.drop(seg));
    const ffmpegPath = resolveFfmpegPath(config.ffmpegPath);
    this.recorders = config.cameras.map((camera) => {
      const rec = new CameraRecorder({
        camera,
        segmentLengthMs: config.segmentLengthMs,
        cameraDir: path.join(config.localMediaCachePath, camera.id),
        ffmpegPath,
        logger: logger.child({ component: 'recorder', cameraId: camera.id }),
      });
      rec.on('segment', (seg: RecordedSegment) => {
        const evicted = this.cache.add(seg, (s) => this.uploader.isActive(s));
        if (!evicted.includes(seg)) this.uploader.enqueue(seg);
      });
      return rec;
    });
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
    for (const r of this.recorders) r.start();
    try {
      await this.transport.connect();
    } catch (err) {
      await Promise.all(this.recorders.map((r) => r.stop()));
      throw err;
    }
  }

  /** Stops recording (each camera's last segment is closed), lets uploads finish for up to 20 s, disconnects. */
  async stop(): Promise<void> {
    await Promise.all(this.recorders.map((r) => r.stop()));
    const drained = await this.uploader.idle(DRAIN_TIMEOUT_MS);
    if (!drained) this.logger.warn({ pending: this.uploader.pending, cacheBytes: this.cache.totalBytes }, 'stopping with segments still in the cache');
    this.uploader.stop();
    await this.transport.close();
    this.logger.info('agent stopped');
  }
}
