import path from 'node:path';
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

/**
 * The few Node calls a {@link FfmpegProbe} is made of, passed in by each side (`node:fs` `statSync`,
 * `node:child_process` `execFileSync`, the caller's `require`, `process.env.PATH`), so that this file does no I/O of
 * its own and the agent and the cloud share one probe ({@link hostFfmpegProbe}).
 */
export interface ProbeHost {
  statSync(path: string): { isFile(): boolean };
  execFileSync(file: string, args: string[], options: { encoding: 'utf8'; timeout: number; stdio: ['ignore', 'pipe', 'ignore'] }): string;
  require(name: string): unknown;
  /** The `PATH` environment variable, read at each lookup. */
  searchPath(): string | undefined;
}

/** How long one `ffmpeg -version` or `-h` run may take (ms). */
const PROBE_RUN_TIMEOUT_MS = 5000;

/**
 * stdout of a short run of `file` (at most {@link PROBE_RUN_TIMEOUT_MS}, stderr ignored), or undefined when it cannot
 * run or fails.
 */
export function probeRun(host: Pick<ProbeHost, 'execFileSync'>, file: string, args: string[]): string | undefined {
  try {
    return host.execFileSync(file, args, { encoding: 'utf8', timeout: PROBE_RUN_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/**
 * The {@link FfmpegProbe} both sides use: a regular file for `exists`, `-hide_banner -version`'s first line, the path an
 * npm package exports (a string, or `{ path }` as `@ffmpeg-installer/ffmpeg` does), the first regular file named
 * `name` in a `PATH` folder. Never throws.
 */
export function hostFfmpegProbe(host: ProbeHost): FfmpegProbe {
  const isFile = (p: string): boolean => {
    try {
      return host.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  return {
    exists: isFile,
    versionLine: (p) => probeRun(host, p, ['-hide_banner', '-version'])?.split('\n')[0],
    packageBinary: (name) => {
      try {
        const m = host.require(name) as string | { path: string } | null;
        return (typeof m === 'string' ? m : m?.path) ?? undefined;
      } catch {
        return undefined;
      }
    },
    which: (name) => (host.searchPath() ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, name)).find(isFile),
  };
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
