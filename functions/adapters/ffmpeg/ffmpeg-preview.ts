import { spawn } from 'node:child_process';
import { cutBytes, keyframeCut } from '../../../shared/previews/ts-keyframe-cut';

/** How much of ffmpeg's stderr is kept for error messages. */
const STDERR_KEEP_CHARS = 4096;

/**
 * How far before the instant the first pass looks for its frame (ms): any camera sending ≥ 1 frame a second has a
 * frame in it. Only this window's frames are held (scaled) in memory: at 30 fps and 1280 px wide, about 40 MB.
 */
export const PREVIEW_SEARCH_WINDOW_MS = 1000;

/** How long one ffmpeg run may take before it is killed and the preview fails (ms): far above a GOP's decode. */
export const PREVIEW_FFMPEG_TIMEOUT_MS = 30_000;

/** mjpeg quality (`-q:v`, 2 best .. 31 worst): 3 gives ≈ 10–20 KB at 320 px, ≈ 100 KB at 1280 px for the test clips. */
export const PREVIEW_JPEG_QUALITY = 3;

/**
 * ffmpeg arguments that write, as one JPEG on stdout, the frame of an MPEG-TS segment (read from stdin) shown at
 * `offsetMs` from its first frame: the last frame whose presentation time is at or before it, accurate to the frame.
 * `setpts=PTS-STARTPTS` counts time from the first video frame (the segment's start in the index: the keyframe the
 * segment opens with, docs/adr/0002-segment-timing.md), whatever timestamps the recorder session carried; `trim` keeps
 * the frames in [from, offset] (whole ms, so `end` is half a millisecond past it); `reverse` puts the last of them
 * first; `-frames:v 1` writes only it. The picture is scaled to `widthPx` (never up: at most the camera's own width),
 * height keeping the aspect ratio, even.
 * @param fromMs where the search starts, ms from the first frame (0 = the whole segment up to the instant)
 */
export function previewFrameArgs(offsetMs: number, widthPx: number, fromMs: number): string[] {
  const s = (ms: number) => (ms / 1000).toFixed(4);
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'error',
    '-f', 'mpegts',
    '-i', 'pipe:0',
    '-map', '0:v:0',
    '-an',
    '-vf', `setpts=PTS-STARTPTS,trim=start=${s(fromMs)}:end=${s(offsetMs + 0.5)},scale='min(${widthPx},iw)':-2,reverse`,
    '-frames:v', '1',
    '-c:v', 'mjpeg',
    '-q:v', String(PREVIEW_JPEG_QUALITY),
    '-f', 'image2pipe',
    'pipe:1',
  ];
}

/**
 * ffmpeg arguments that write, as one JPEG on stdout, the last frame at or before `targetPts` of an MPEG-TS stream on
 * stdin that starts at a keyframe (shared/previews/ts-keyframe-cut.ts): `-copyts` keeps the stream's own timestamps, so
 * `trim` takes the frames in [fromPts, targetPts] by their PTS (90 kHz; `end` half a millisecond past the instant), and
 * `reverse` puts the last of them first; otherwise as {@link previewFrameArgs}.
 * @param fromPts where the search starts: the keyframe, or later (the search window)
 */
export function previewCutArgs(fromPts: number, targetPts: number, widthPx: number): string[] {
  const s = (pts: number) => (pts / 90_000).toFixed(6);
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'error',
    '-copyts',
    '-f', 'mpegts',
    '-i', 'pipe:0',
    '-map', '0:v:0',
    '-an',
    '-vf', `trim=start=${s(fromPts)}:end=${s(targetPts + 45)},scale='min(${widthPx},iw)':-2,reverse`,
    '-frames:v', '1',
    '-c:v', 'mjpeg',
    '-q:v', String(PREVIEW_JPEG_QUALITY),
    '-f', 'image2pipe',
    'pipe:1',
  ];
}

/**
 * Decodes one frame of a stored segment into a JPEG. Decoding starts at the last keyframe at or before the instant
 * (shared/previews/ts-keyframe-cut.ts: at most one GOP is decoded, not the segment up to the instant) and looks at the
 * {@link PREVIEW_SEARCH_WINDOW_MS} before the instant, then, when that window holds no frame (a camera sending less
 * than one frame a second), from the keyframe. Bytes the cut cannot read (not ffmpeg's MPEG-TS, timestamps wrapping
 * inside the segment) are decoded from the segment's start instead ({@link previewFrameArgs}).
 * @param segment the segment's MPEG-TS bytes
 * @param offsetMs ms from the segment's first frame, ≥ 0
 * @param widthPx the size class's width (shared/previews/preview-sizes.ts)
 * @returns the JPEG bytes
 * @throws Error with ffmpeg's stderr when ffmpeg fails, finds no frame at or before the instant (the segment is not
 *   decodable MPEG-TS) or runs longer than {@link PREVIEW_FFMPEG_TIMEOUT_MS}
 */
export async function decodePreviewFrame(ffmpegPath: string, segment: Uint8Array, offsetMs: number, widthPx: number): Promise<Buffer> {
  const cut = keyframeCut(segment, offsetMs);
  if (cut) {
    const input = cutBytes(segment, cut);
    const fromPts = Math.max(cut.keyframePts, cut.targetPts - PREVIEW_SEARCH_WINDOW_MS * 90);
    const first = await runFfmpeg(ffmpegPath, previewCutArgs(fromPts, cut.targetPts, widthPx), input);
    if (first.jpeg.length > 0 || fromPts === cut.keyframePts) return expectJpeg(first, offsetMs);
    return expectJpeg(await runFfmpeg(ffmpegPath, previewCutArgs(cut.keyframePts, cut.targetPts, widthPx), input), offsetMs);
  }
  const fromMs = Math.max(0, offsetMs - PREVIEW_SEARCH_WINDOW_MS);
  const first = await runFfmpeg(ffmpegPath, previewFrameArgs(offsetMs, widthPx, fromMs), segment);
  if (first.jpeg.length > 0 || fromMs === 0) return expectJpeg(first, offsetMs);
  return expectJpeg(await runFfmpeg(ffmpegPath, previewFrameArgs(offsetMs, widthPx, 0), segment), offsetMs);
}

function expectJpeg(r: { jpeg: Buffer; code: number | null; stderr: string }, offsetMs: number): Buffer {
  if (r.code === 0 && r.jpeg.length > 0) return r.jpeg;
  throw new Error(`ffmpeg found no frame at or before ${offsetMs} ms into the segment (exit ${r.code}): ${r.stderr.trim() || '(no output)'}`);
}

function runFfmpeg(ffmpegPath: string, args: string[], input: Uint8Array): Promise<{ jpeg: Buffer; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_KEEP_CHARS)));
    child.stdin.on('error', () => {}); // EPIPE when ffmpeg stops reading after its one frame: the exit tells how it went
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${PREVIEW_FFMPEG_TIMEOUT_MS} ms)`;
      child.kill('SIGKILL');
    }, PREVIEW_FFMPEG_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`ffmpeg ${ffmpegPath} did not start: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ jpeg: Buffer.concat(out), code, stderr });
    });
    child.stdin.end(input);
  });
}
