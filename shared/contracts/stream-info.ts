import { z } from 'zod';

/**
 * Stream info, a wire contract (docs/contracts.md "Other device events"): what ffmpeg probed of a camera's video and
 * audio, which the agent sends in its `session-established` diagnostics event (shared/contracts/device-events.ts) and
 * the cloud stores per camera (`kwCameras`) and lists (`GET /api/cameras`).
 */

/** An ffmpeg codec name (`h264`, `hevc`, `aac`, `pcm_mulaw`, `pcm_alaw`, `mjpeg`): lower-case letters, digits, `_`. */
const codecSchema = z.string().regex(/^[a-z0-9_]{1,32}$/, 'expected an ffmpeg codec name such as h264, hevc, aac or pcm_mulaw');

/** A codec profile as ffmpeg names it (`High`, `Main`, `Constrained Baseline`, `LC`), or null when ffmpeg names none. */
const profileSchema = z.string().min(1).max(64).nullable();

/** Pixels along one side, or null when ffmpeg could not tell (`unspecified size`). */
const pixelsSchema = z.number().int().min(1).max(16384).nullable();

/**
 * The video a camera sends, as ffmpeg probed it when the recording session started.
 * - `codec`: ffmpeg's codec name (`h264`, `hevc`, …);
 * - `profile`: `High`, `Main`, `Baseline`, `Constrained Baseline`, `Main 10`, `Rext`, …, null when not named;
 * - `widthPx`, `heightPx`: the displayed size in pixels (not the coded size: 1920×1080 coded as 1920×1088 is 1080);
 * - `fps`: frames per second as ffmpeg estimates it (2 decimals: 29.83, 12.5), null when it prints none.
 */
export const videoStreamInfoSchema = z.strictObject({
  codec: codecSchema.meta({ description: "ffmpeg's codec name", examples: ['h264', 'hevc'] }),
  profile: profileSchema.meta({ description: 'as ffmpeg names it', examples: ['High', 'Main', 'Constrained Baseline'] }),
  widthPx: pixelsSchema.meta({ description: 'displayed width in pixels' }),
  heightPx: pixelsSchema.meta({ description: 'displayed height in pixels' }),
  fps: z.number().positive().max(1000).nullable().meta({ description: 'frames per second as ffmpeg estimates it (29.83, 12.5)' }),
});
export type VideoStreamInfo = z.output<typeof videoStreamInfoSchema>;

/**
 * The audio a camera sends: ffmpeg's codec name (`aac`, `pcm_mulaw` = G.711 µ-law, `pcm_alaw` = G.711 A-law),
 * profile (`LC`, `HE-AAC`; null when not named), sample rate in Hz and channel count (null when ffmpeg could not tell).
 */
export const audioStreamInfoSchema = z.strictObject({
  codec: codecSchema.meta({ description: "ffmpeg's codec name (pcm_mulaw and pcm_alaw are G.711)", examples: ['aac', 'pcm_mulaw', 'pcm_alaw'] }),
  profile: profileSchema.meta({ examples: ['LC'] }),
  sampleRateHz: z.number().int().min(1).max(768_000).nullable(),
  channels: z.number().int().min(1).max(64).nullable(),
});
export type AudioStreamInfo = z.output<typeof audioStreamInfoSchema>;

/**
 * What a camera sends in one recording session (AVA's `mediaInfo` in spirit): its first video stream
 * and its first audio stream, `audio: null` when it sends none. Carried as `stream` in the `session-established`
 * diagnostics event (shared/contracts/device-events.ts), parsed on the agent from ffmpeg's input stream lines
 * (edge-agent/recorder/ffmpeg-stream-info.ts), shown as the camera's `stream` in `GET /api/cameras`.
 */
export const streamInfoSchema = z.strictObject({
  video: videoStreamInfoSchema,
  audio: audioStreamInfoSchema.nullable(),
});
export type StreamInfo = z.output<typeof streamInfoSchema>;
