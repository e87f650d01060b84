import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { chooseFfmpeg, hostFfmpegProbe, type ChosenFfmpeg, type FfmpegProbe } from '../../../shared/ffmpeg/choose-ffmpeg';

/**
 * The ffmpeg binary of the functions side (MP4 export), by the same rule as the agent's (shared/ffmpeg/choose-ffmpeg.ts):
 * the setting `FFMPEG_PATH`, `ffmpeg-static` where its binary installed, the system ffmpeg ≥ 5 on PATH, then the
 * `@ffmpeg-installer/ffmpeg` package's 2018 build, which ships inside the npm package and so deploys with the app (in
 * Azure Functions it is usually the one found). Both sides build the same Node probe from shared/ffmpeg/choose-ffmpeg.ts `hostFfmpegProbe`
 * (functions/ and edge-agent/ never import each other).
 * @param configured the `FFMPEG_PATH` setting (functions/settings.ts)
 * @throws Error naming what was tried when no ffmpeg is usable
 */
export function functionsFfmpeg(configured?: string): ChosenFfmpeg {
  return chooseFfmpeg(probe, undefined, { FFMPEG_PATH: configured });
}

/** The Node probe shared with the agent (files, `-version`, npm packages, PATH). */
const probe: FfmpegProbe = hostFfmpegProbe({ statSync, execFileSync, require, searchPath: () => process.env.PATH });
