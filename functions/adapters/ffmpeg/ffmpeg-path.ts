import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chooseFfmpeg, type ChosenFfmpeg, type FfmpegProbe } from '../../../shared/ffmpeg/choose-ffmpeg';

/**
 * The ffmpeg binary of the functions side (MP4 export), by the same rule as the agent's (shared/ffmpeg/choose-ffmpeg.ts):
 * the setting `FFMPEG_PATH`, `ffmpeg-static` where its binary installed, the system ffmpeg ≥ 5 on PATH, then the
 * `@ffmpeg-installer/ffmpeg` package's 2018 build, which ships inside the npm package and so deploys with the app (in
 * Azure Functions it is usually the one found). The agent has its own Node probe (edge-agent/recorder/ffmpeg-path.ts):
 * functions/ and edge-agent/ never import each other.
 * @param configured the `FFMPEG_PATH` setting (functions/settings.ts)
 * @throws Error naming what was tried when no ffmpeg is usable
 */
export function functionsFfmpeg(configured?: string): ChosenFfmpeg {
  return chooseFfmpeg(probe, undefined, { FFMPEG_PATH: configured });
}

const probe: FfmpegProbe = {
  exists: (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  },
  versionLine: (p) => {
    try {
      return execFileSync(p, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
    } catch {
      return undefined;
    }
  },
  packageBinary: (name) => {
    try {
      const m = require(name) as string | { path: string } | null;
      return (typeof m === 'string' ? m : m?.path) ?? undefined;
    } catch {
      return undefined;
    }
  },
  which: (name) => (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, name)).find((p) => existsSync(p)),
};
