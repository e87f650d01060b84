import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One MPEG-TS segment cut from a clip, placed on the clip's own timeline. */
export interface ClipSegment {
  bytes: Buffer;
  /** Where its first frame is shown in the clip as ffmpeg decodes the clip (`-ss` on the source), seconds. */
  startS: number;
  durationS: number;
}

/**
 * Cuts a clip into MPEG-TS segments as the agent's recorder does (edge-agent/recorder/ffmpeg-args.ts: the first video
 * and any audio stream, codec copy, `-f segment`, each segment opening on a keyframe), so tests and benchmarks can
 * store real segments whose every frame is known from the source.
 * Each segment's start is its first frame's presentation time (the smallest video PTS in it, read with
 * `-copyts -f framecrc` without decoding) relative to the first segment's, not the segment list's times: a clip's MP4 edit
 * list may shift the muxer's timeline against the decoded clip's (the person clip's by 0.1 s), and a preview or a
 * playlist must be compared with the clip as it decodes.
 * @param segmentS segment length asked of the muxer (segments end on the first keyframe after it)
 * @throws Error when ffmpeg fails
 */
export async function cutClipSegments(ffmpegPath: string, clip: string, segmentS: number): Promise<ClipSegment[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-clip-segments-'));
  try {
    const list = path.join(dir, 'list.csv');
    await run(ffmpegPath, [
      '-hide_banner', '-loglevel', 'error', '-i', clip, '-map', '0:v:0', '-map', '0:a?', '-c', 'copy',
      '-f', 'segment', '-segment_time', String(segmentS), '-segment_format', 'mpegts',
      '-segment_list', list, '-segment_list_type', 'csv', path.join(dir, 'seg-%04d.ts'),
    ]);
    const rows = readFileSync(list, 'utf8').trim().split('\n').map((l) => l.split(','));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
    const firstPts: number[] = [];
    for (const f of files) {
      const { stdout } = await run(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-copyts', '-i', path.join(dir, f), '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-'], { maxBuffer: 64 * 1024 * 1024 });
      // framecrc lines: `stream, dts, pts, duration, size, crc`, in the stream's time base (1/90000 for MPEG-TS)
      const pts = stdout.split('\n').filter((l) => /^\d+,/.test(l)).map((l) => Number(l.split(',')[2]));
      firstPts.push(Math.min(...pts) / 90_000);
    }
    return files.map((f, i) => {
      const startS = firstPts[i] - firstPts[0];
      const lastS = Number(rows[i][2]) - Number(rows[i][1]);
      return { bytes: readFileSync(path.join(dir, f)), startS, durationS: i + 1 < files.length ? firstPts[i + 1] - firstPts[i] : lastS };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
