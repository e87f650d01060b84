import path from 'node:path';
import { AGENT_DEFAULTS, type CameraConfig } from '../../shared/schemas/agent-config';
import { parseIsoDuration } from '../../shared/time';
import type { CameraMotion } from '../../shared/schemas/camera-motion';
import type { HttpExtensionSettings } from '../../shared/schemas/http-extension';

/** File descriptor on which ffmpeg writes the segment list (CSV) for the recorder to read. */
export const SEGMENT_LIST_FD = 3;

/**
 * File descriptor on which ffmpeg writes its `-progress` reports (`key=value` lines, a dozen per report, every
 * {@link progressPeriodMs} while packets flow).
 */
export const PROGRESS_FD = 4;

/** The recorder's default watchdog (ms): the agent config's default `cameraWatchdogTimeout` (a session that muxes no packet for this long is restarted). */
export const DEFAULT_WATCHDOG_TIMEOUT_MS = parseIsoDuration(AGENT_DEFAULTS.cameraWatchdogTimeout, 'agent config default cameraWatchdogTimeout');

/**
 * How often a session's ffmpeg reports progress (ms): a quarter of the watchdog's timeout, between 0.5 s (ffmpeg's
 * default) and 2 s, so a stalled session is noticed at most a quarter late and a healthy one is never taken for
 * stalled. At the default watchdog that is 2 s: a quarter of the lines ffmpeg writes and the agent reads at 0.5 s
 * (about 24 lines/s per camera; docs/benchmarks.md).
 */
export function progressPeriodMs(watchdogTimeoutMs: number): number {
  return Math.min(2000, Math.max(500, Math.floor(watchdogTimeoutMs / 4)));
}

/** File descriptor on which ffmpeg writes the motion detector's grey frames (`-f rawvideo`, one byte per pixel). */
export const FRAMES_FD = 5;

/** File descriptor on which ffmpeg writes the HTTP extension's sample images (`-f image2pipe`, JPEG/PNG/BMP back to back). */
export const SAMPLES_FD = 6;

/**
 * The ffmpeg input URL with credentials put into the userinfo (RTSP has no other way to pass
 * them to ffmpeg), percent-encoded. Non-URL inputs are returned unchanged.
 */
export function inputUrl(camera: Pick<CameraConfig, 'url' | 'username' | 'password'>): string {
  if (!camera.username || !/^[a-z][a-z0-9+.-]*:\/\//i.test(camera.url)) return camera.url;
  const u = new URL(camera.url);
  u.username = encodeURIComponent(camera.username);
  u.password = encodeURIComponent(camera.password ?? '');
  return u.toString();
}

/**
 * Arguments for one recording session of one camera: codec copy (no transcoding) into MPEG-TS
 * segments of `segmentLengthMs` that each start on a keyframe (the segment muxer only cuts at
 * keyframes of the video stream), with the muxer's own segment list as CSV
 * (`file,start_s,end_s`) on fd 3 and, at log level verbose, one
 * `segment:'…' starts with packet … pts_time:…` line on stderr per segment, which the recorder
 * uses to anchor muxer time to UTC (edge-agent/recorder/segment-timeline.ts).
 *
 * stdin stays open (no `-nostdin`): the recorder stops ffmpeg by writing `q` to it. Progress
 * reports go to fd 4 (`-progress`): they stop when no packet arrives, which the recorder's
 * watchdog notices.
 *
 * The first segment also starts on a keyframe: ffmpeg's stream copy drops the non-keyframes before the first keyframe
 * (its default without `-copyinkf`). RTSP sessions are also guarded against their first packets' missing or guessed
 * timestamps: with `startGuard` `drop-untimed` the video's packets before the first keyframe with usable timing are
 * dropped ({@link DROP_UNTIMED_START}) and the audio kept monotonic ({@link AUDIO_MONOTONIC_TS}); with `genpts` (old
 * ffmpeg builds) `+genpts` fills a missing first PTS. Other
 * inputs (files, HTTP) carry their own timestamps and are not guarded.
 * @param outputPattern e.g. `/cache/cam1/20261121T100000Z-ab12-%06d.ts`
 * @param startGuard what the session's ffmpeg supports (edge-agent/recorder/ffmpeg-path.ts `resolveFfmpeg`)
 * @param audio `copy` (default), or `aac` when the camera's audio cannot be played from MPEG-TS ({@link audioNeedsAac}):
 *   the video stays a copy, only the audio is encoded
 * @param watchdogTimeoutMs the session's watchdog (ms), which sets the progress period ({@link progressPeriodMs}) where
 *   ffmpeg lets it be set (`-stats_period`, ffmpeg ≥ 4.4: the builds with the `drop-untimed` guard; the 2018 build
 *   reports every 0.5 s)
 */
export function recorderArgs(
  camera: CameraConfig,
  segmentLengthMs: number,
  outputPattern: string,
  startGuard: StartGuard,
  audio: AudioHandling = 'copy',
  watchdogTimeoutMs: number = DEFAULT_WATCHDOG_TIMEOUT_MS,
): string[] {
  const isRtsp = /^rtsps?:\/\//i.test(camera.url);
  const guarded = isRtsp && startGuard === 'drop-untimed';
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'verbose',
    '-progress',
    `pipe:${PROGRESS_FD}`,
    ...(startGuard === 'drop-untimed' ? ['-stats_period', (progressPeriodMs(watchdogTimeoutMs) / 1000).toFixed(3)] : []),
    ...(isRtsp ? ['-rtsp_transport', camera.rtspTransport] : []),
    ...(isRtsp && startGuard === 'genpts' ? ['-fflags', '+genpts'] : []),
    ...camera.inputOptions,
    '-i',
    inputUrl(camera),
    '-map',
    '0:v:0',
    '-map',
    '0:a?',
    '-c',
    'copy',
    ...(audio === 'aac' ? AAC_AUDIO_ARGS : []),
    ...(guarded ? ['-copyinkf:v', '-bsf:v', `noise=drop=${DROP_UNTIMED_START},setts=${VIDEO_MONOTONIC_TS}`, '-bsf:a', `setts=ts=${AUDIO_MONOTONIC_TS}`] : []),
    '-f',
    'segment',
    '-segment_time',
    (segmentLengthMs / 1000).toFixed(3),
    '-segment_format',
    'mpegts',
    '-segment_list',
    `pipe:${SEGMENT_LIST_FD}`,
    '-segment_list_type',
    'csv',
    outputPattern,
    ...(camera.motionDetection ? motionFrameOutputArgs(camera.motionDetection, guarded) : []),
    ...(camera.httpExtension ? extensionSampleOutputArgs(camera.httpExtension, guarded && !camera.motionDetection) : []),
  ];
}

/**
 * The filter that logs the frames of the first decoded output (`[Parsed_showinfo_N @ 0x…] n:  12 pts: … pts_time:2.6 …`,
 * one line per frame at the output's low rate; checksums off). Added when the session's recording output drops its
 * first packets ({@link DROP_UNTIMED_START}): the decoded outputs then start earlier than the first segment, from
 * frames whose timestamps ffmpeg guessed, so the recorder times their frames from a frame logged once the first
 * segment has started (ffmpeg-output.ts `parseDecodedFrameInfo`).
 */
export const DECODED_FRAME_INFO_FILTER = 'showinfo=checksum=0';

/** What a session does with the camera's audio: keep it as sent, or encode it to AAC (video is always a copy). */
export type AudioHandling = 'copy' | 'aac';

/**
 * Output options that encode the audio to AAC-LC at 64 kbit/s, at the camera's sample rate and channels: G.711 at
 * 8 kHz mono costs a few % of one core per camera. What Frigate's `preset-record-generic-audio-aac` does.
 */
export const AAC_AUDIO_ARGS = ['-c:a', 'aac', '-b:a', '64k'];

/**
 * True for an audio stream that HLS players cannot play from an MPEG-TS segment: anything but AAC, MP3, MP2, AC-3
 * and E-AC-3 (MPEG-TS has no playable mapping of G.711 PCMU/PCMA, G.726 or raw PCM: ffmpeg stores them as a private
 * data stream; Opus in MPEG-TS plays almost nowhere). docs/adr/0003-recording-any-camera.md.
 * @param description ffmpeg's stream description after `Audio: `, e.g. `pcm_mulaw, 8000 Hz, mono, s16, 64 kb/s`
 */
export function audioNeedsAac(description: string): boolean {
  return !/^(aac|mp3|mp2|ac3|eac3)\b/.test(description.trim());
}

/** How a session guards its start against packets without usable timing (edge-agent/recorder/ffmpeg-path.ts). */
export type StartGuard = 'drop-untimed' | 'genpts';

/**
 * Frames into a session after which ffmpeg's DTS of an H.264/H.265 stream with B-frames come from the demuxer's
 * settled reorder-delay guess, not from a guess of its own: libavformat needs up to 20 decoded frames (7 for a delay
 * below 3, 18 below 4; `has_decode_delay_been_guessed`).
 */
export const TIMING_SETTLED_PACKETS = 20;

/**
 * The `noise` bitstream filter's `drop` expression (ffmpeg ≥ 5.1, evaluated per video packet; register 0 remembers
 * "started") that drops a session's video packets until the first keyframe with usable timing, then keeps everything:
 * - a keyframe whose PTS equals its DTS (streams without B-frames: timing is exact from the first packet on);
 * - the session's very first packet when it is a keyframe without PTS and with DTS 0: ffmpeg's parser never gives the
 *   first frame of an RTP stream a PTS (its `pos` is -1, so no packet descriptor matches it), and ffmpeg fills the
 *   DTS of such a packet with 0 only when the stream has no B-frames (else −reorder delay), where the muxer then sets
 *   PTS = DTS;
 * - any keyframe from packet {@link TIMING_SETTLED_PACKETS} on.
 * With B-frames, a keyframe earlier than that has no PTS or a guessed DTS: the MPEG-TS muxer refuses the first
 * (`first pts and dts value must be set`, the session dies) and the second mis-times the first frames (a stutter and
 * a decode error in playback). Measured in docs/adr/0003-recording-any-camera.md. Commas are escaped for ffmpeg's
 * bitstream filter list syntax. Requires `-copyinkf:v` so that the leading non-keyframes reach the filter and count.
 */
export const DROP_UNTIMED_START =
  `not(st(0\\,gt(ld(0)+key*(eq(pts\\,dts)+eq(n\\,0)*eq(pts\\,nopts)*eq(dts\\,0)+gte(n\\,${TIMING_SETTLED_PACKETS}))\\,0)))`;

/**
 * The `setts` bitstream filter's timestamp expression (ffmpeg ≥ 4.4) that keeps an RTSP session's audio monotonic: a
 * packet that would start before the previous one ended starts where it ended. ffmpeg re-times the packets of a
 * session with audio and video from each stream's first RTCP sender report on (libavformat/rtpdec.c), which moves the
 * audio back by about one frame some 0.3 s into the session (measured on GStreamer's server: 154800 then 152882 at
 * 90 kHz); stored as is, playback decodes it with `non monotonically increasing dts`. The audio then runs one frame
 * (≈ 20 ms) late for the rest of the session, well inside lip-sync tolerance. ADR 0003; sessions with audio now go through the RTSP relay, rtsp-relay.ts.
 */
export const AUDIO_MONOTONIC_TS = 'if(gt(PREV_OUTDTS\\,NOPTS)*lt(TS\\,PREV_OUTDTS+DURATION)\\,PREV_OUTDTS+DURATION\\,TS)';

/**
 * The `setts` options that keep an RTSP session's video timestamps at least one frame apart: when a packet's DTS is
 * less than one frame duration after the previous output DTS, its DTS and PTS are both moved later by the difference
 * (B-frames keep their order). ffmpeg's RTCP re-timing of sessions with audio moves the video back by up to a frame
 * when a server's sender reports do not follow its RTP clock (VLC's; ADR 0003: such sessions now go through the RTSP relay): two frames then share a
 * time and playback reports `non monotonically increasing dts`. Afterwards the video runs up to a frame late for the
 * rest of the session. Commas are escaped for the bitstream filter list.
 */
const VIDEO_SHIFT = 'if(gt(PREV_OUTDTS\\,NOPTS)\\,max(0\\,PREV_OUTDTS+max(DURATION\\,1)-DTS)\\,0)';
export const VIDEO_MONOTONIC_TS = `dts=DTS+${VIDEO_SHIFT}:pts=PTS+${VIDEO_SHIFT}`;

/**
 * Output #1 of the recording ffmpeg when the camera has motion detection (the same process and RTSP session as the
 * recording: many cameras serve only one client at a time): the first video stream decoded,
 * `scale={frameWidth}:-2,fps={frameRate},format=gray`, raw 8-bit grey frames on fd 5. The height keeps the aspect
 * ratio, rounded to even; the recorder reads the real size from ffmpeg's `Output #1` stream line (ffmpeg-output.ts
 * `parseOutputVideoSize`). The recording output before it stays a codec copy: `-c copy` is an option of output #0
 * only.
 * @param reportFirstFrame append {@link DECODED_FRAME_INFO_FILTER}
 */
export function motionFrameOutputArgs(m: Pick<CameraMotion, 'frameWidth' | 'frameRate'>, reportFirstFrame = false): string[] {
  const filters = [`scale=${m.frameWidth}:-2`, `fps=${m.frameRate}`, 'format=gray', ...(reportFirstFrame ? [DECODED_FRAME_INFO_FILTER] : [])];
  return ['-map', '0:v:0', '-an', '-vf', filters.join(','), '-f', 'rawvideo', `pipe:${FRAMES_FD}`];
}

/**
 * Output #2 (or #1 without motion detection): the HTTP extension's samples on fd 6, at most
 * `maximumSamplesPerSecond` (ffmpeg's fps filter), scaled per AVA's scale mode ({@link extensionScaleFilter}),
 * encoded as JPEG (mjpeg, yuvj420p), PNG (rgb24) or BMP (bgr24), back to back (`image2pipe`).
 * JPEG quality 0..100 (AVA) maps linearly onto ffmpeg's qscale 31..2 (100 → 2, best).
 * @param reportFirstFrame put {@link DECODED_FRAME_INFO_FILTER} after the fps filter
 */
export function extensionSampleOutputArgs(x: HttpExtensionSettings, reportFirstFrame = false): string[] {
  const { format, quality, scale } = x.image;
  const filters = [`fps=${x.maximumSamplesPerSecond}`, ...(reportFirstFrame ? [DECODED_FRAME_INFO_FILTER] : []), ...extensionScaleFilter(scale)];
  const codec =
    format === 'jpeg'
      ? ['-vf', [...filters, 'format=yuvj420p'].join(','), '-c:v', 'mjpeg', '-q:v', String(Math.round(2 + ((100 - (quality ?? 90)) * 29) / 100))]
      : format === 'png'
        ? ['-vf', [...filters, 'format=rgb24'].join(','), '-c:v', 'png']
        : ['-vf', [...filters, 'format=bgr24'].join(','), '-c:v', 'bmp'];
  return ['-map', '0:v:0', '-an', ...codec, '-f', 'image2pipe', `pipe:${SAMPLES_FD}`];
}

/**
 * ffmpeg filters for AVA's `image.scale` (shared/schemas/http-extension.ts gives the semantics):
 * stretch `scale=W:H`; pad `scale=W:H:force_original_aspect_ratio=decrease,pad=W:H:(ow-iw)/2:(oh-ih)/2` (black bars,
 * centred); preserveAspectRatio with one side `scale=W:-2` / `scale=-2:H`, with both
 * `scale=W:H:force_original_aspect_ratio=decrease`. No scale → no filter.
 */
export function extensionScaleFilter(scale: HttpExtensionSettings['image']['scale']): string[] {
  if (!scale) return [];
  const { mode, width, height } = scale;
  if (mode === 'stretch') return [`scale=${width}:${height}`];
  if (mode === 'pad') return [`scale=${width}:${height}:force_original_aspect_ratio=decrease`, `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`];
  if (width !== undefined && height !== undefined) return [`scale=${width}:${height}:force_original_aspect_ratio=decrease`];
  return [width !== undefined ? `scale=${width}:-2` : `scale=-2:${height}`];
}

/** The output pattern of a session: `{dir}/{sessionId}-%06d.ts`. */
export function sessionOutputPattern(cameraDir: string, sessionId: string): string {
  return path.join(cameraDir, `${sessionId}-%06d.ts`);
}
