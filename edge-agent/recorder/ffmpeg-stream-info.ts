import type { AudioStreamInfo, StreamInfo, VideoStreamInfo } from '../../shared/contracts/stream-info';

/**
 * One input stream line as ffmpeg prints it (libavformat/dump.c `dump_stream_format`), e.g.
 * `  Stream #0:0[0x1](eng): Video: h264 (High), …`; group 1 the media type, group 2 the description.
 */
const STREAM_LINE = /^\s*Stream #\d+:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: (Video|Audio): (.+)$/;

/**
 * Parses one of ffmpeg's stream lines (ffmpeg 4.1 and 5.1 print them alike), e.g.
 * `Stream #0:0: Video: h264 (High), yuvj420p(pc, bt709, progressive), 1280x720 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 90k tbn`
 * or `Stream #0:1: Audio: aac (LC), 48000 Hz, stereo, fltp`.
 * @returns the stream's info, or undefined for any other line (data and subtitle streams, metadata, progress)
 */
export function parseStreamLine(line: string): { type: 'video'; video: VideoStreamInfo } | { type: 'audio'; audio: AudioStreamInfo } | undefined {
  const m = STREAM_LINE.exec(line);
  if (!m) return undefined;
  if (m[1] === 'Video') {
    const video = parseVideoDescription(m[2]);
    return video && { type: 'video', video };
  }
  const audio = parseAudioDescription(m[2]);
  return audio && { type: 'audio', audio };
}

/**
 * The session's stream info from ffmpeg's descriptions of its input streams (what follows `Video: ` / `Audio: `).
 * @param video the first video stream's description
 * @param audio the audio streams' descriptions, in order; the first one that parses is the session's audio
 * @returns undefined when the video description names no codec
 */
export function streamInfoFromDescriptions(video: string, audio: readonly string[]): StreamInfo | undefined {
  const v = parseVideoDescription(video);
  if (!v) return undefined;
  for (const a of audio) {
    const parsed = parseAudioDescription(a);
    if (parsed) return { video: v, audio: parsed };
  }
  return { video: v, audio: null };
}

/**
 * Parses a video stream description: `h264 (High), 1 reference frame (avc1 / 0x31637661), yuv420p(tv, progressive),
 * 1920x1080 (1920x1088) [SAR 1:1 DAR 16:9], 6098 kb/s, 29.83 fps, 29.83 tbr, 90k tbn, 50 tbc`. The displayed size is
 * the first `WxH` (the coded size follows in parentheses); `fps` is ffmpeg's average frame rate, not `tbr`.
 * @returns undefined when the description does not start with a codec name
 */
export function parseVideoDescription(desc: string): VideoStreamInfo | undefined {
  const parts = splitTopLevel(desc);
  const head = codecAndProfile(parts[0]);
  if (!head) return undefined;
  let widthPx: number | null = null;
  let heightPx: number | null = null;
  let fps: number | null = null;
  for (const p of parts.slice(1)) {
    const size = /^(\d+)x(\d+)(?:\s|$)/.exec(p);
    if (size && widthPx === null) {
      widthPx = pixels(size[1]);
      heightPx = pixels(size[2]);
      if (widthPx === null || heightPx === null) widthPx = heightPx = null;
    }
    const rate = /^(\d+(?:\.\d+)?)(k?) fps$/.exec(p);
    if (rate && fps === null) {
      const n = Number(rate[1]) * (rate[2] ? 1000 : 1);
      if (n > 0 && n <= 1000) fps = n;
    }
  }
  return { ...head, widthPx, heightPx, fps };
}

/**
 * Parses an audio stream description: `aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 125 kb/s` or
 * `pcm_mulaw, 8000 Hz, 1 channels, s16, 64 kb/s`. The channel layout follows the sample rate: a named layout (`mono`,
 * `stereo`, `quad`, `5.1(side)`, …) or `N channels` when ffmpeg knows only the count.
 * @returns undefined when the description does not start with a codec name
 */
export function parseAudioDescription(desc: string): AudioStreamInfo | undefined {
  const parts = splitTopLevel(desc);
  const head = codecAndProfile(parts[0]);
  if (!head) return undefined;
  let sampleRateHz: number | null = null;
  let channels: number | null = null;
  const at = parts.findIndex((p) => /^\d+ Hz$/.test(p));
  if (at > 0) {
    const hz = Number.parseInt(parts[at], 10);
    if (hz >= 1 && hz <= 768_000) sampleRateHz = hz;
    if (at + 1 < parts.length) channels = channelCount(parts[at + 1]);
  }
  return { ...head, sampleRateHz, channels };
}

/** ffmpeg's named channel layouts without a count in their name (libavutil/channel_layout.c). */
const NAMED_LAYOUTS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  downmix: 2,
  quad: 4,
  'quad(side)': 4,
  hexagonal: 6,
  octagonal: 8,
  cube: 8,
  hexadecagonal: 16,
};

/**
 * Channels of an ffmpeg channel layout description: `mono` 1, `stereo` 2, `5.1(side)` 6 (dotted layouts add up:
 * `7.1` 8, `22.2` 24, `5.1.2` 8), `3 channels` or `3 channels (FL+FR+LFE)` 3.
 * @returns null for anything else (then the count is unknown, not guessed)
 */
function channelCount(layout: string): number | null {
  const named = NAMED_LAYOUTS[layout];
  if (named !== undefined) return named;
  const counted = /^(\d+) channels?(?: \(.*\))?$/.exec(layout);
  const dotted = /^(\d+(?:\.\d+)+)(?:\([a-z-]+\))?$/.exec(layout);
  const n = counted ? Number(counted[1]) : dotted ? dotted[1].split('.').reduce((sum, d) => sum + Number(d), 0) : Number.NaN;
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : null;
}

/**
 * The codec name and profile at the head of a description: `h264 (High) (avc1 / 0x31637661)` → h264, High;
 * `pcm_mulaw ([7][0][0][0] / 0x0007)` → pcm_mulaw, no profile (the parenthesis holding `/ 0x` is the container's
 * codec tag, not a profile).
 */
function codecAndProfile(head: string | undefined): { codec: string; profile: string | null } | undefined {
  const m = /^([a-z0-9_]{1,32})(?: \(([^()]{1,64})\))?(?:\s|$)/.exec(head ?? '');
  if (!m) return undefined;
  const profile = m[2] !== undefined && !/ \/ 0x[0-9a-fA-F]+$/.test(m[2]) ? m[2] : null;
  return { codec: m[1], profile };
}

/** A side in pixels, null when zero or beyond the schema's 16384. */
function pixels(digits: string): number | null {
  const n = Number(digits);
  return n >= 1 && n <= 16384 ? n : null;
}

/** Splits at the commas that are outside parentheses and brackets: `yuv420p(tv, bt709)` stays one part. */
function splitTopLevel(desc: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < desc.length; i++) {
    const c = desc[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(desc.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(desc.slice(start).trim());
  return parts;
}
