/**
 * Test helper: the streams of the camera matrix (cameras as they come: codecs, B-frames, audio; used by
 * test/e2e/camera-matrix-rtsp.test.ts), made once from the real clip `one-by-one-person-detection.mp4` (768x432,
 * 10 fps, H.264 Main) with Debian's ffmpeg (libx264, libx265) and cached.
 *
 * Each clip is a stretch of the real scene (people walking in, standing, walking out), scaled and re-timed to what
 * a camera of that kind sends, with a 440 Hz tone as audio where the camera has a microphone. The GOP is fixed
 * (`keyint = min-keyint`, no scene cuts) so a test knows where keyframes are, and each clip lasts a whole number of
 * GOPs so that a server looping it keeps the keyframe spacing across the seam.
 *
 * Files are cached in `os.tmpdir()/keepwatch-camera-clips/`, named after the clip and a SHA-256 of everything that
 * makes them (ffmpeg's version line, the source's name and size, the arguments): a second run, or a second test file,
 * costs one `stat`. A clip is checked with ffprobe before it enters the cache (codec, profile, size, frame rate,
 * B-frames, keyframe spacing, audio), so a cached clip is known to be what its spec says; x264's `ultrafast` preset,
 * for one, silently turns High into Constrained Baseline, which the check catches.
 *
 * Typical use:
 * ```ts
 * const clip = await cameraClip('h264-high-bframes-aac-720p25');
 * const rtsp = await startRtspServer({ mounts: { '/cam': clip.path } });
 * ```
 */

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { mediaPath } from '../../testbed/rtsp-server';

const run = promisify(execFile);

/** Debian's ffmpeg 5.1 (`apt-get install ffmpeg`, scripts/install-test-deps.sh): it has libx264 and libx265. */
export const DEBIAN_FFMPEG = '/usr/bin/ffmpeg';
/** Debian's ffprobe, from the same package. */
export const DEBIAN_FFPROBE = '/usr/bin/ffprobe';

/** The real clip every camera clip is cut from (test/fixtures/media, README.md there). */
const SOURCE_CLIP = 'one-by-one-person-detection.mp4';
/** Where in the source clip the cameras' stretch starts, seconds: a person walks in at ~6 s (fixtures README). */
const SOURCE_START_S = 5;

/** Names of the camera clips. */
export type CameraClipName = 'h264-high-bframes-aac-720p25' | 'h265-main-bframes-aac' | 'h264-main-bframes-1080p30' | 'h264-baseline-pcmu';

/** What a camera clip is: its container, length and streams, as ffprobe reports them. */
export interface CameraClipSpec {
  /**
   * `mp4` (H.264/H.265 + AAC: what GStreamer's server, testbed/rtsp-server.ts, serves) or `mkv` (PCMU, which MP4
   * cannot hold; served by VLC, test/helpers/vlc-rtsp-server.ts).
   */
  container: 'mp4' | 'mkv';
  /**
   * Length in seconds, a whole number of GOPs. 60 s for the clips VLC serves: VLC's `input-repeat` loop steps the RTP
   * clock back by about 1 s at each seam (measured with VLC 3.0.24), which no camera does, so a test must finish
   * inside one loop; GStreamer's server loops seamlessly, so its clips can be short.
   */
  durationS: number;
  video: {
    /** ffprobe's `codec_name`. */
    codec: 'h264' | 'hevc';
    /** ffprobe's `profile`, e.g. `High`, `Main`, `Constrained Baseline`. */
    profile: string;
    width: number;
    height: number;
    /** Frames per second (constant). */
    fps: number;
    /** Frames from one keyframe to the next (x264/x265 `keyint`, with `min-keyint` equal and scene cuts off). */
    gopFrames: number;
    /** Whether the stream has B-frames (decode order ≠ display order; ffprobe `has_b_frames` > 0). */
    bFrames: boolean;
  };
  /** The audio track, if the camera has a microphone. */
  audio?: {
    /** ffprobe's `codec_name`: AAC-LC, or G.711 µ-law. */
    codec: 'aac' | 'pcm_mulaw';
    sampleRateHz: number;
    channels: number;
  };
}

/** The camera matrix's clips. */
export const CAMERA_CLIPS: Readonly<Record<CameraClipName, CameraClipSpec>> = {
  /** The common IP camera: H.264 High with B-frames, AAC, 720p25, 2 s GOP. */
  'h264-high-bframes-aac-720p25': {
    container: 'mp4',
    durationS: 60,
    video: { codec: 'h264', profile: 'High', width: 1280, height: 720, fps: 25, gopFrames: 50, bFrames: true },
    audio: { codec: 'aac', sampleRateHz: 48_000, channels: 1 },
  },
  /** A newer camera: H.265 Main with B-frames, AAC 16 kHz, the source's 768x432 at 20 fps, 2 s GOP. */
  'h265-main-bframes-aac': {
    container: 'mp4',
    durationS: 16,
    video: { codec: 'hevc', profile: 'Main', width: 768, height: 432, fps: 20, gopFrames: 40, bFrames: true },
    audio: { codec: 'aac', sampleRateHz: 16_000, channels: 1 },
  },
  /** A 1080p30 camera with a long (4 s) GOP and no microphone; H.264 Main with B-frames. */
  'h264-main-bframes-1080p30': {
    container: 'mp4',
    durationS: 16,
    video: { codec: 'h264', profile: 'Main', width: 1920, height: 1080, fps: 30, gopFrames: 120, bFrames: true },
  },
  /** A cheap camera: H.264 Baseline (no B-frames) with G.711 µ-law (PCMU) audio, 8 kHz mono; 15 fps, 2 s GOP. */
  'h264-baseline-pcmu': {
    container: 'mkv',
    durationS: 60,
    video: { codec: 'h264', profile: 'Constrained Baseline', width: 768, height: 432, fps: 15, gopFrames: 30, bFrames: false },
    audio: { codec: 'pcm_mulaw', sampleRateHz: 8000, channels: 1 },
  },
};

/** A camera clip in the cache. */
export interface CameraClip extends CameraClipSpec {
  name: CameraClipName;
  /** Absolute path of the file (world-readable, so a server running as another user, VLC's, can read it). */
  path: string;
  /** GOP length in milliseconds (gopFrames ÷ fps). */
  gopMs: number;
}

/** The ffmpeg arguments after `-i source` … up to the output file, for one spec. */
function encodeArgs(spec: CameraClipSpec): string[] {
  const v = spec.video;
  const gop = `keyint=${v.gopFrames}:min-keyint=${v.gopFrames}:scenecut=0`;
  const scale = `scale=${v.width}:${v.height},fps=${v.fps}`;
  const video =
    v.codec === 'hevc'
      ? // x265 ultrafast keeps B-frames (bframes=3) and Main profile. Closed GOPs (IDR every keyint) as cameras send:
        // x265's default open GOPs start them with CRA pictures whose leading B-frames a joining decoder cannot use.
        ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `${gop}:open-gop=0:log-level=error`, '-tag:v', 'hvc1']
      : // x264: veryfast/superfast keep B-frames and CABAC; the profile is then capped with -profile:v. (ultrafast
        // would turn off B-frames and CABAC: Constrained Baseline whatever -profile:v says.)
        ['-c:v', 'libx264', '-preset', v.width >= 1920 ? 'superfast' : 'veryfast', '-profile:v', v.profile === 'Constrained Baseline' ? 'baseline' : v.profile.toLowerCase(), '-x264-params', gop];
  const audio = !spec.audio
    ? ['-an']
    : spec.audio.codec === 'aac'
      ? ['-map', '1:a', '-c:a', 'aac', '-b:a', '64k', '-ar', String(spec.audio.sampleRateHz), '-ac', String(spec.audio.channels)]
      : ['-map', '1:a', '-c:a', 'pcm_mulaw', '-ar', String(spec.audio.sampleRateHz), '-ac', String(spec.audio.channels)];
  return ['-map', '0:v', '-vf', scale, '-pix_fmt', 'yuv420p', ...video, ...audio, '-t', String(spec.durationS), ...(spec.container === 'mp4' ? ['-movflags', '+faststart'] : [])];
}

/** The whole ffmpeg command line (without the binary) that makes `spec` from `source` into `out`. */
function ffmpegArgs(spec: CameraClipSpec, source: string, out: string): string[] {
  const tone = spec.audio ? ['-f', 'lavfi', '-t', String(spec.durationS), '-i', `sine=frequency=440:sample_rate=${spec.audio.sampleRateHz}`] : [];
  return ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-ss', String(SOURCE_START_S), '-t', String(spec.durationS), '-i', source, ...tone, ...encodeArgs(spec), out];
}

let ffmpegVersionLine: Promise<string> | undefined;

/** The first line of `ffmpeg -version` (part of the cache key: another build may encode differently). */
function ffmpegVersion(): Promise<string> {
  ffmpegVersionLine ??= run(DEBIAN_FFMPEG, ['-hide_banner', '-version']).then((r) => r.stdout.split('\n')[0]);
  return ffmpegVersionLine;
}

/** The cache folder, created on first use. */
function cacheDir(): string {
  const dir = path.join(os.tmpdir(), 'keepwatch-camera-clips');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/** What ffprobe says of one stream (the fields the check reads). */
interface ProbedStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  has_b_frames?: number;
  sample_rate?: string;
  channels?: number;
}

/**
 * Checks a made clip against its spec with ffprobe: streams, profile, size, frame rate, B-frames, keyframe spacing
 * (every keyframe at a multiple of the GOP), duration.
 * @returns the list of mismatches, empty when the clip is as specified
 */
async function checkClip(file: string, spec: CameraClipSpec): Promise<string[]> {
  const { stdout } = await run(DEBIAN_FFPROBE, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { maxBuffer: 16 << 20 });
  const probed = JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration?: string } };
  const problems: string[] = [];
  const expect = (what: string, got: unknown, want: unknown) => {
    if (got !== want) problems.push(`${what} is ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  const video = probed.streams.filter((s) => s.codec_type === 'video');
  const audio = probed.streams.filter((s) => s.codec_type === 'audio');
  expect('video streams', video.length, 1);
  expect('audio streams', audio.length, spec.audio ? 1 : 0);
  const v = video[0];
  if (v) {
    expect('video codec', v.codec_name, spec.video.codec);
    expect('video profile', v.profile, spec.video.profile);
    expect('width', v.width, spec.video.width);
    expect('height', v.height, spec.video.height);
    expect('frame rate', v.r_frame_rate, `${spec.video.fps}/1`);
    expect('B-frames', (v.has_b_frames ?? 0) > 0, spec.video.bFrames);
  }
  const a = audio[0];
  if (a && spec.audio) {
    expect('audio codec', a.codec_name, spec.audio.codec);
    expect('audio sample rate', Number(a.sample_rate), spec.audio.sampleRateHz);
    expect('audio channels', a.channels, spec.audio.channels);
  }
  const durationS = Number(probed.format.duration);
  if (!(Math.abs(durationS - spec.durationS) <= 0.1)) problems.push(`duration is ${durationS} s, want ${spec.durationS} s`);
  // Keyframes: read the packet flags of the video stream in decode order.
  const packets = await run(DEBIAN_FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file], { maxBuffer: 64 << 20 });
  const flags = packets.stdout.split('\n').filter(Boolean);
  const keyIndexes = flags.flatMap((f, i) => (f.startsWith('K') ? [i] : []));
  const wantKeys = Math.ceil(flags.length / spec.video.gopFrames);
  if (keyIndexes.length !== wantKeys || keyIndexes.some((k, i) => k !== i * spec.video.gopFrames)) {
    problems.push(`keyframes at packets ${keyIndexes.slice(0, 8).join(', ')}… (${keyIndexes.length} of ${flags.length}), want every ${spec.video.gopFrames}`);
  }
  expect('video frames', flags.length, spec.video.fps * spec.durationS);
  return problems;
}

const making = new Map<CameraClipName, Promise<CameraClip>>();

/**
 * The camera clip `name`, made with Debian's ffmpeg on first use (a few seconds; the 60 s 720p clip 12-17 s on
 * 2 cores) and cached across runs.
 * @returns the clip's spec with its absolute `path` and `gopMs`
 * @throws Error when Debian's ffmpeg/ffprobe are missing (message names scripts/install-test-deps.sh), when ffmpeg
 *   fails (its stderr), or when the made file does not match its spec (each mismatch named; the file is not cached)
 */
export function cameraClip(name: CameraClipName): Promise<CameraClip> {
  let p = making.get(name);
  if (!p) {
    p = makeClip(name);
    making.set(name, p);
    p.catch(() => making.delete(name));
  }
  return p;
}

async function makeClip(name: CameraClipName): Promise<CameraClip> {
  const spec = CAMERA_CLIPS[name];
  for (const bin of [DEBIAN_FFMPEG, DEBIAN_FFPROBE]) {
    if (!existsSync(bin)) throw new Error(`camera clips: ${bin} not found; Debian's ffmpeg is needed (scripts/install-test-deps.sh)`);
  }
  const source = mediaPath(SOURCE_CLIP);
  const key = createHash('sha256')
    .update(JSON.stringify({ ffmpeg: await ffmpegVersion(), source: SOURCE_CLIP, bytes: statSync(source).size, args: ffmpegArgs(spec, 'SOURCE', 'OUT') }))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(cacheDir(), `${name}-${key}.${spec.container}`);
  const clip: CameraClip = { ...spec, name, path: file, gopMs: (spec.video.gopFrames * 1000) / spec.video.fps };
  if (existsSync(file)) return clip;
  // Made under a temporary name and renamed once checked: a concurrent test process sees the whole file or none.
  const tmp = path.join(path.dirname(file), `.${name}-${key}.${process.pid}.${Date.now()}.${spec.container}`);
  try {
    try {
      await run(DEBIAN_FFMPEG, ffmpegArgs(spec, source, tmp), { maxBuffer: 16 << 20 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`camera clips: ffmpeg could not make ${name}: ${e.stderr?.trim() || e.message}`);
    }
    const problems = await checkClip(tmp, spec);
    if (problems.length) throw new Error(`camera clips: ${name} is not as specified: ${problems.join('; ')}`);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  return clip;
}
