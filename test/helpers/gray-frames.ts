import { spawn } from 'node:child_process';
import type { GrayFrame } from '../../edge-agent/motion/motion-detector';
import { FFMPEG } from './ffmpeg';

/**
 * Decodes a clip with the real ffmpeg into grey frames, as the agent's low-res branch does:
 * `-vf scale={width}:-2,fps={fps},format=gray -f rawvideo pipe:1`.
 * @param ptsMs of frame i is i * 1000 / fps (the fps filter's output grid from 0)
 * @param durationS decode only this many seconds (`-t`), all when absent
 * @returns frames in order; rejects when ffmpeg fails
 */
export function decodeGrayFrames(file: string, opts: { width?: number; fps?: number; durationS?: number } = {}): Promise<GrayFrame[]> {
  const width = opts.width ?? 320;
  const fps = opts.fps ?? 5;
  return new Promise((resolve, reject) => {
    const args = ['-hide_banner', '-nostdin', '-v', 'error', ...(opts.durationS ? ['-t', String(opts.durationS)] : []), '-i', file, '-an', '-vf', `scale=${width}:-2,fps=${fps},format=gray`, '-f', 'rawvideo', 'pipe:1'];
    const child = spawn(FFMPEG, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg exited ${code}: ${err}`));
      const all = Buffer.concat(chunks);
      // scale=W:-2 keeps the aspect ratio with an even height; find it from the byte count
      const height = probeHeight(all.length, width, fps, opts.durationS);
      const size = width * height;
      const frames: GrayFrame[] = [];
      for (let i = 0; (i + 1) * size <= all.length; i++) {
        frames.push({ width, height, data: new Uint8Array(all.buffer, all.byteOffset + i * size, size), ptsMs: Math.round((i * 1000) / fps) });
      }
      resolve(frames);
    });
  });
}

/** The clips in test/fixtures/media are 16:9, so the height is width * 9 / 16 rounded to even; checked against the byte count. */
function probeHeight(bytes: number, width: number, _fps: number, _durationS?: number): number {
  const h = Math.round((width * 9) / 16 / 2) * 2;
  if (bytes % (width * h) !== 0) throw new Error(`raw output of ${bytes} bytes is not a whole number of ${width}x${h} frames`);
  return h;
}

/**
 * One picture decoded with the real ffmpeg to grey, scaled to `width`×`height` (the same size for every input, so two
 * pictures compare pixel by pixel): a JPEG, or the frame of a clip shown at `atS` seconds (`-ss` before `-i`: the
 * first frame at or after it, exact).
 * @returns width × height bytes, one per pixel
 */
export function grayPicture(input: string | Uint8Array, opts: { width: number; height: number; atS?: number }): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const source = typeof input === 'string' ? ['-i', input] : ['-f', 'image2pipe', '-i', 'pipe:0'];
    const args = ['-hide_banner', '-v', 'error', ...(opts.atS !== undefined ? ['-ss', opts.atS.toFixed(3)] : []), ...source, '-frames:v', '1', '-an', '-vf', `scale=${opts.width}:${opts.height},format=gray`, '-f', 'rawvideo', 'pipe:1'];
    const child = spawn(FFMPEG, args, { stdio: [typeof input === 'string' ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => chunks.push(d));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    if (typeof input !== 'string') child.stdin!.end(input);
    child.on('close', (code) => {
      const all = Buffer.concat(chunks);
      if (code !== 0 || all.length !== opts.width * opts.height) return reject(new Error(`ffmpeg exited ${code} with ${all.length} bytes: ${err}`));
      resolve(new Uint8Array(all));
    });
  });
}

/** Mean absolute difference of two grey pictures of the same size, 0..255. @throws RangeError when sizes differ */
export function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`pictures differ in size: ${a.length} and ${b.length} bytes`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
