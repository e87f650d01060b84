import { spawn } from 'node:child_process';
import { resolveFfmpeg } from '../../edge-agent/recorder/ffmpeg-path';

/** The ffmpeg the agent uses, chosen as the agent chooses it (shared/ffmpeg/choose-ffmpeg.ts), with its start guard. */
export const FFMPEG_BINARY = resolveFfmpeg();

/** Path of {@link FFMPEG_BINARY}. */
export const FFMPEG = FFMPEG_BINARY.path;

/** What `ffmpeg -i input -f null -` reported. */
export interface DecodeResult {
  /** ffmpeg's exit code. */
  code: number | null;
  /** Lines ffmpeg printed at level error (empty = clean decode). */
  errors: string[];
  /** Decoded video duration in seconds (from the last `time=` progress value). */
  decodedS: number;
  /** Number of video frames decoded. */
  frames: number;
}

/**
 * Decodes `input` (a file or URL, e.g. an HLS playlist URL) completely with `ffmpeg -f null`.
 * @param timeoutMs kills ffmpeg after this long (default 120 s)
 * @param extraOutputArgs e.g. `['-vsync', 'drop']`
 */
export function decodeFully(input: string, extraInputArgs: string[] = [], timeoutMs = 120_000, extraOutputArgs: string[] = []): Promise<DecodeResult> {
  return new Promise((resolve) => {
    const child = spawn(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-stats', ...extraInputArgs, '-i', input, '-map', '0:v:0', ...extraOutputArgs, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      const lines = err.split(/[\r\n]+/).filter(Boolean);
      const stats = lines.filter((l) => /frame=\s*\d+/.test(l));
      const last = stats[stats.length - 1] ?? '';
      const tm = /time=(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(last);
      const fr = /frame=\s*(\d+)/.exec(last);
      resolve({
        code,
        errors: lines.filter((l) => !/frame=\s*\d+/.test(l)),
        decodedS: tm ? Number(tm[1]) * 3600 + Number(tm[2]) * 60 + Number(tm[3]) : 0,
        frames: fr ? Number(fr[1]) : 0,
      });
    });
  });
}
