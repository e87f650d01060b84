/**
 * Which ffmpeg binary Keepwatch runs, on the edge (recording) and in the cloud (MP4 export): one rule for both sides,
 * with the I/O (does a file exist, what version does a binary print, which packages are installed) behind
 * {@link FfmpegProbe} so each side supplies its own small Node adapter.
 *
 * Order, first usable wins:
 * 1. `configured` (the agent config's `ffmpegPath`; nothing on the cloud side), 2. the `FFMPEG_PATH` environment
 *    variable — both taken as given, whatever their version (an operator's explicit choice);
 * 3. `ffmpeg-static` where its install could download its binary;
 * 4. the system `ffmpeg` on `PATH`, if it reports version 5 or newer (Debian 12 ships 5.1);
 * 5. `@ffmpeg-installer/ffmpeg`, a static build from 2018 (ffmpeg 4.1 era) that ships inside the npm package, last,
 *    with {@link LEGACY_FFMPEG_DEFECTS} as warnings.
 */

/** What a side knows how to look up; every method is synchronous and never throws. */
export interface FfmpegProbe {
  /** True when `path` is an existing file. */
  exists(path: string): boolean;
  /** The first line of `path -version` (e.g. `ffmpeg version 5.1.9-0+deb12u1 …`), or undefined when it cannot run. */
  versionLine(path: string): string | undefined;
  /** The binary path an npm package exports (`ffmpeg-static`, `@ffmpeg-installer/ffmpeg`), or undefined when not installed. */
  packageBinary(name: 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg'): string | undefined;
  /** The absolute path of `name` on PATH, or undefined. */
  which(name: string): string | undefined;
}

/** Where the chosen binary came from. */
export type FfmpegSource = 'config' | 'FFMPEG_PATH' | 'ffmpeg-static' | 'system' | '@ffmpeg-installer/ffmpeg';

/** The chosen binary. */
export interface ChosenFfmpeg {
  path: string;
  source: FfmpegSource;
  /** The version as printed (`5.1.9-0+deb12u1`, `N-47683-g0e8eb07980-static`), or `unknown`. */
  version: string;
  /** Major.minor when the version is a release number (`5.1`); undefined for git builds. */
  release?: { major: number; minor: number };
  /** Known defects of this binary that an operator should read (empty for a modern ffmpeg). */
  warnings: string[];
}

/**
 * Defects of the 2018 static build in `@ffmpeg-installer/ffmpeg`, measured here against GStreamer's RTSP server
 * (docs/adr/0003-recording-any-camera.md): it segfaults resolving any host name (the agent resolves names itself),
 * guesses the timestamps of a session's first frames 1/90000 s apart on streams with B-frames (a decode error at each
 * reconnect), and lacks the `noise` bitstream filter's expressions that drop a session's packets before its first
 * keyframe with usable timing.
 */
export const LEGACY_FFMPEG_DEFECTS = [
  'the 2018 static build of @ffmpeg-installer/ffmpeg is in use: cameras with B-frames (H.264 Main/High, H.265) may show a stutter and a decode error at every reconnect, and H.265 cameras with B-frames whose sessions start on a keyframe record nothing',
  'install a modern ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; version 5.1 or newer) or set FFMPEG_PATH / ffmpegPath',
];

/** Minimum release of a system ffmpeg taken from PATH. */
export const MIN_SYSTEM_FFMPEG_MAJOR = 5;

/**
 * Parses the first line of `ffmpeg -version`.
 * @returns `{ version, release? }`; version `unknown` for an unexpected line
 */
export function parseFfmpegVersion(line: string | undefined): { version: string; release?: { major: number; minor: number } } {
  const m = /^ffmpeg version (\S+)/.exec(line ?? '');
  if (!m) return { version: 'unknown' };
  const r = /^n?(\d+)\.(\d+)/.exec(m[1]);
  return r ? { version: m[1], release: { major: Number(r[1]), minor: Number(r[2]) } } : { version: m[1] };
}

/**
 * Chooses the ffmpeg binary by the order in this file's header.
 * @param configured the agent config's `ffmpegPath` (undefined on the cloud side)
 * @param env the process environment (`FFMPEG_PATH`)
 * @throws Error naming every candidate tried and why it was not used, when none is usable
 */
export function chooseFfmpeg(probe: FfmpegProbe, configured: string | undefined, env: Readonly<Record<string, string | undefined>>): ChosenFfmpeg {
  const tried: string[] = [];
  const take = (source: FfmpegSource, p: string, warnings: string[] = []): ChosenFfmpeg => ({ path: p, source, ...parseFfmpegVersion(probe.versionLine(p)), warnings });
  const explicit: Array<[FfmpegSource, string | undefined]> = [
    ['config', configured],
    ['FFMPEG_PATH', env.FFMPEG_PATH?.trim() || undefined],
  ];
  for (const [source, p] of explicit) {
    if (!p) continue;
    if (probe.exists(p)) return take(source, p);
    tried.push(`${source}: ${p} does not exist`);
  }
  const fromStatic = probe.packageBinary('ffmpeg-static');
  if (fromStatic && probe.exists(fromStatic)) return take('ffmpeg-static', fromStatic);
  tried.push(fromStatic ? `ffmpeg-static: ${fromStatic} was not downloaded` : 'ffmpeg-static: not installed');
  const system = probe.which('ffmpeg');
  if (system) {
    const chosen = take('system', system);
    if ((chosen.release?.major ?? 0) >= MIN_SYSTEM_FFMPEG_MAJOR) return chosen;
    tried.push(`system ffmpeg ${system}: version ${chosen.version} is older than ${MIN_SYSTEM_FFMPEG_MAJOR}`);
  } else tried.push('system ffmpeg: none on PATH');
  const legacy = probe.packageBinary('@ffmpeg-installer/ffmpeg');
  if (legacy && probe.exists(legacy)) return take('@ffmpeg-installer/ffmpeg', legacy, [...LEGACY_FFMPEG_DEFECTS]);
  tried.push(legacy ? `@ffmpeg-installer/ffmpeg: ${legacy} does not exist` : '@ffmpeg-installer/ffmpeg: not installed');
  throw new Error(`no ffmpeg binary found (${tried.join('; ')}); install ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH`);
}
