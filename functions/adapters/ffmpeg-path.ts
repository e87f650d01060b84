import { existsSync } from 'node:fs';

/**
 * The ffmpeg binary of the functions side (MP4 export), first match wins: `configured` (setting `FFMPEG_PATH`), then
 * the `@ffmpeg-installer/ffmpeg` package's binary, which ships inside the npm package and so deploys with the app.
 * The agent has its own resolver (edge-agent/recorder/ffmpeg-path.ts); functions/ and edge-agent/ never import
 * each other.
 * @throws Error naming what was tried when no existing file is found
 */
export function functionsFfmpegPath(configured?: string): string {
  const tried: string[] = [];
  if (configured) {
    if (existsSync(configured)) return configured;
    tried.push(`FFMPEG_PATH ${configured} does not exist`);
  }
  try {
    const p = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    if (existsSync(p)) return p;
    tried.push(`@ffmpeg-installer/ffmpeg: ${p} does not exist`);
  } catch {
    tried.push('@ffmpeg-installer/ffmpeg is not installed');
  }
  throw new Error(`no ffmpeg binary for MP4 export (${tried.join('; ')})`);
}
