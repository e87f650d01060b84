import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderFileName } from '../../shared/schemas/file-name-pattern';
import type { UploadWindow } from '../../shared/contracts/upload-window';
import type { Logger } from '../log';
import { isInsideFolder } from './file-sink-root';

/** A file sink's settings (agent config camera `fileSink`; AVA's FileSink node, docs/reference/ava-behaviour.md "Nodes"). */
export interface FileSinkSettings {
  /** Absolute folder of the MP4s. */
  baseDirectoryPath: string;
  /** Pattern of the MP4 names (shared/schemas/file-name-pattern.ts). */
  fileNamePattern: string;
  /** Cap of the folder's MP4s, MiB (1024² bytes). */
  maximumSizeMiB: number;
}

/** Options of {@link FileSink}. */
export interface FileSinkOptions {
  settings: FileSinkSettings;
  /**
   * Folder the sink's folder must be inside, symlinks resolved (agent config `fileSinkRoot`, edge-agent/evr/file-sink-root.ts);
   * absent = anywhere.
   */
  root?: string;
  ffmpegPath: string;
  logger: Logger;
  /** ffmpeg is killed after this long (ms, default 120000). */
  timeoutMs?: number;
}

/** Runs ffmpeg to completion. @throws Error with ffmpeg's last output lines on a non-zero exit or timeout */
function runFfmpeg(ffmpegPath: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(t);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/**
 * AVA's file sink on the agent (docs/reference/ava-behaviour.md "Nodes": one MP4 per gate opening, named by
 * `fileNamePattern` in `baseDirectoryPath`, the oldest files deleted when the sink exceeds `maximumSizeMiB`). Keepwatch
 * writes one MP4 per final upload window from the window's cached MPEG-TS segments: ffmpeg's concat demuxer,
 * codec copy (no re-encoding), `-bsf:a aac_adtstoasc` (ADTS AAC in TS → MP4's AudioSpecificConfig; ignored
 * without audio; when ffmpeg refuses it because the audio is not AAC, written again without it), `-movflags +faststart`. The MP4 is written under a temporary name and renamed, so the
 * folder never shows a partial file. The sink's files are the `.mp4` files of its folder: give each sink
 * its own folder.
 */
export class FileSink {
  constructor(private readonly opts: FileSinkOptions) {}

  /**
   * Writes the window's MP4 from `segmentPaths` (in start order), then trims the folder to its cap.
   * @returns the MP4's absolute path
   * @throws Error when ffmpeg fails (nothing is left behind), the folder cannot be written, or it is (or leads) outside
   *   the root
   */
  async write(window: UploadWindow, segmentPaths: string[]): Promise<string> {
    const { baseDirectoryPath, fileNamePattern } = this.opts.settings;
    if (this.opts.root !== undefined && !isInsideFolder(baseDirectoryPath, this.opts.root)) throw new Error(`file sink folder ${baseDirectoryPath} is outside the file sink root ${this.opts.root}`);
    mkdirSync(baseDirectoryPath, { recursive: true });
    // A symlink inside the root must not lead out of it either (the check above is on the path as written).
    if (this.opts.root !== undefined) {
      mkdirSync(this.opts.root, { recursive: true });
      const real = realpathSync(baseDirectoryPath);
      if (!isInsideFolder(real, realpathSync(this.opts.root))) throw new Error(`file sink folder ${baseDirectoryPath} leads outside the file sink root ${this.opts.root} (to ${real})`);
    }
    const name = renderFileName(fileNamePattern, { startMs: window.startMs, cameraId: window.cameraId, recordingId: window.recordingId });
    const file = path.join(baseDirectoryPath, name);
    const tmp = path.join(baseDirectoryPath, `.${name}.${process.pid}.part`);
    const list = `${tmp}.txt`;
    // concat demuxer list: one `file '…'` line per segment, quotes escaped as ffmpeg's docs say.
    writeFileSync(list, segmentPaths.map((p) => `file '${p.replace(/'/g, "'\\''")}'`).join('\n') + '\n');
    const args = (bsf: string[]) => ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-map', '0:v?', '-map', '0:a?', '-c', 'copy', ...bsf, '-movflags', '+faststart', '-f', 'mp4', '-y', tmp];
    try {
      try {
        await runFfmpeg(this.opts.ffmpegPath, args(['-bsf:a', 'aac_adtstoasc']), this.opts.timeoutMs ?? 120_000);
      } catch (err) {
        // aac_adtstoasc refuses audio other than AAC (MP2, AC-3 in TS): once more without it.
        if (!/bitstream filter|aac_adtstoasc/i.test((err as Error).message)) throw err;
        this.opts.logger.info({ cameraId: window.cameraId, reason: (err as Error).message }, 'file sink: audio is not AAC; writing without aac_adtstoasc');
        await runFfmpeg(this.opts.ffmpegPath, args([]), this.opts.timeoutMs ?? 120_000);
      }
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    } finally {
      rmSync(list, { force: true });
    }
    this.opts.logger.info({ cameraId: window.cameraId, recordingId: window.recordingId, file, segments: segmentPaths.length }, 'file sink: MP4 written');
    this.trim(file);
    return file;
  }

  /** Deletes the folder's oldest MP4s (by modification time) while they exceed `maximumSizeMiB`; never `keep`. */
  private trim(keep: string): void {
    const { baseDirectoryPath, maximumSizeMiB } = this.opts.settings;
    const cap = maximumSizeMiB * 1024 * 1024;
    const files = readdirSync(baseDirectoryPath)
      .filter((n) => n.toLowerCase().endsWith('.mp4') && !n.startsWith('.'))
      .map((n) => {
        const p = path.join(baseDirectoryPath, n);
        const st = statSync(p);
        return { p, bytes: st.size, mtimeMs: st.mtimeMs };
      })
      .sort((a, b) => a.mtimeMs - b.mtimeMs || a.p.localeCompare(b.p));
    let total = files.reduce((n, f) => n + f.bytes, 0);
    for (const f of files) {
      if (total <= cap) break;
      if (f.p === keep) continue;
      rmSync(f.p, { force: true });
      total -= f.bytes;
      this.opts.logger.info({ file: f.p, bytes: f.bytes, maximumSizeMiB }, 'file sink: oldest MP4 deleted (sink over its maximumSizeMiB)');
    }
  }
}
