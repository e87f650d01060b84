import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';

/** Options of {@link ensureSimulatedCameraClip}. */
export interface SimulatedClipOptions {
  ffmpegPath: string;
  /** Folder for the clip. */
  dir: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Clip length, s (the camera loops it). */
  seconds?: number;
  /** Told before the clip is encoded (not when it exists already), e.g. the console. */
  print?: (line: string) => void;
}

/**
 * Makes (once) the H.264 MP4 clip a simulated camera plays: ffmpeg's `testsrc2` pattern, encoded
 * with a keyframe every second like a typical IP camera. The camera then reads it in real time, in
 * a loop (`-re -stream_loop -1`), so the recorder's codec copy sees a live-like H.264 stream.
 * The default, 640x360 at 25 fps for 20 s with x264's `ultrafast` preset (a camera's sub-stream), takes about a
 * second to encode; 1280x720 for 60 s at `veryfast` took 37 s on the first `npm start`, with nothing on the console.
 * @returns the clip's path
 * @throws Error with ffmpeg's message when encoding fails
 */
export function ensureSimulatedCameraClip(opts: SimulatedClipOptions): string {
  const { width = 640, height = 360, fps = 25, seconds = 20 } = opts;
  const file = path.join(opts.dir, `testsrc2-${width}x${height}-${fps}fps-${seconds}s.mp4`);
  if (existsSync(file)) return file;
  mkdirSync(opts.dir, { recursive: true });
  opts.print?.(`making the simulated camera's clip (once): ${width}x${height}, ${fps} fps, ${seconds} s → ${file}`);
  const tmp = `${file}.partial.mp4`;
  const r = spawnSync(
    opts.ffmpegPath,
    ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0', '-b:v', '1M', tmp],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`could not make the simulated camera clip: ${r.stderr || r.error?.message}`);
  renameSync(tmp, file);
  return file;
}

/** The agent camera entry that plays `clip` as a live camera. */
export function simulatedCamera(id: string, clip: string): { id: string; url: string; inputOptions: string[] } {
  return { id, url: clip, inputOptions: ['-re', '-stream_loop', '-1'] };
}
