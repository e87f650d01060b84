import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { chooseFfmpeg, hostFfmpegProbe, probeRun, type ChosenFfmpeg, type FfmpegProbe } from '../../shared/ffmpeg/choose-ffmpeg';

/**
 * The ffmpeg the agent records with: the binary chosen by the shared rule (shared/ffmpeg/choose-ffmpeg.ts: config
 * `ffmpegPath`, `FFMPEG_PATH`, `ffmpeg-static`, the system ffmpeg ≥ 5, the 2018 `@ffmpeg-installer` build last) and
 * how its recording sessions guard their start against untimed packets (edge-agent/recorder/ffmpeg-args.ts
 * `startGuardArgs`):
 * - `drop-untimed`: the `noise` bitstream filter evaluates a `drop` expression per packet (ffmpeg ≥ 5.1), so a session
 *   drops its packets until the first keyframe with usable timing;
 * - `genpts`: older builds only get `-fflags +genpts`, which fills a missing first PTS from its DTS; their first
 *   frames with B-frames may still be mis-timed (the build's known defects are in `warnings`).
 */
export interface RecorderFfmpeg extends ChosenFfmpeg {
  startGuard: 'drop-untimed' | 'genpts';
}

/** The agent's {@link FfmpegProbe}: file checks, `-version`, `require` of the npm packages, PATH lookup. */
export const nodeFfmpegProbe: FfmpegProbe = hostFfmpegProbe({ statSync, execFileSync, require, searchPath: () => process.env.PATH });

/**
 * Chooses the agent's ffmpeg and probes how it can guard a session's start (`ffmpeg -h bsf=noise` lists `-drop`).
 * Runs two short ffmpeg processes; call once at start.
 * @throws Error naming what was tried when no ffmpeg is usable
 */
export function resolveFfmpeg(configured?: string, env: NodeJS.ProcessEnv = process.env, probe: FfmpegProbe = nodeFfmpegProbe): RecorderFfmpeg {
  const chosen = chooseFfmpeg(probe, configured, env);
  const noiseHelp = probeRun({ execFileSync }, chosen.path, ['-hide_banner', '-h', 'bsf=noise']) ?? '';
  return { ...chosen, startGuard: /^\s*-drop\b/m.test(noiseHelp) ? 'drop-untimed' : 'genpts' };
}
