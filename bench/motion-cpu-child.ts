import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import path from 'node:path';
import { createLogger } from '../edge-agent/log';
import { MotionPipeline } from '../edge-agent/motion/motion-pipeline';
import type { GrayFrame } from '../edge-agent/motion/motion-detector';
import { CameraRecorder } from '../edge-agent/recorder/camera-recorder';
import { parseAgentConfig } from '../shared/schemas/agent-config';

/**
 * Child process of bench/motion-cpu.ts: the agent's recorder for one camera with motion detection on (one ffmpeg:
 * codec-copy segments + grey frames) and its motion pipeline, nothing else. argv: ffmpegPath clip cacheDir.
 * Prints `frame` on the first frame; on SIGTERM stops and prints `done {frames, signals, dropped}` as JSON.
 */
function main(): void {
  const [ffmpegPath, clip, cacheDir] = process.argv.slice(2);
  const camera = parseAgentConfig({
    deviceId: 'bench-device',
    cameras: [{ id: 'cam-1', url: clip, inputOptions: ['-re', '-stream_loop', '-1'], motionDetection: {} }],
    broker: { url: 'mqtt://127.0.0.1:1' },
    upload: { connectionString: 'x' },
  }).cameras[0];
  const logger = createLogger('warn');
  const rec = new CameraRecorder({ camera, segmentLengthMs: 10_000, cameraDir: path.join(cacheDir, 'cam-1'), ffmpeg: resolveFfmpeg(ffmpegPath), logger });
  let frames = 0;
  let signals = 0;
  const pipeline = new MotionPipeline({ cameraId: 'cam-1', motion: camera.motionDetection!, logger, onSignal: () => signals++ });
  rec.on('frame', (f: GrayFrame) => {
    if (frames++ === 0) process.stdout.write('frame\n');
    pipeline.push(f);
  });
  rec.start();
  process.once('SIGTERM', () => {
    void rec.stop().then(() => {
      pipeline.flush();
      process.stdout.write(`done ${JSON.stringify({ frames, signals, dropped: pipeline.framesDropped })}\n`);
      process.exit(0);
    });
  });
}

main();
