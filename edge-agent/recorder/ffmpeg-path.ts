import { existsSync } from 'node:fs';

/**
 * Finds the ffmpeg binary, first match wins:
 * 1. `configured` (the agent config's `ffmpegPath`), 2. `FFMPEG_PATH`,
 * 3. `ffmpeg-static` (an optional dependency: its install downloads a binary and fails where
 *    only the npm registry is reachable), 4. `@ffmpeg-installer/ffmpeg` (the binary ships inside
 *    the registry package, so it installs offline).
 * @throws Error when none of them gives an existing file
 */
export function resolveFfmpegPath(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  const candidates: Array<[string, () => string | null | undefined]> = [
    ['config ffmpegPath', () => configured],
    ['FFMPEG_PATH', () => env.FFMPEG_PATH],
    ['ffmpeg-static', () => require('ffmpeg-static') as string | null],
    ['@ffmpeg-installer/ffmpeg', () => (require('@ffmpeg-installer/ffmpeg') as { path: string }).path],
  ];
  for (const [name, get] of candidates) {
    let p: string | null | undefined;
    try {
      p = get();
    } catch {
      p = undefined;
    }
    if (p && existsSync(p)) return p;
    if (p) tried.push(`${name}: ${p} does not exist`);
  }
  throw new Error(`no ffmpeg binary found (${tried.join('; ') || 'none configured or installed'}); set FFMPEG_PATH or run npm ci`);
}
