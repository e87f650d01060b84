import { z } from 'zod';
import { SECOND_MS, parseIsoDuration, toIsoDuration } from '../time';

/**
 * Keepwatch's form of AVA's HTTP extension node (docs/reference/ava-behaviour.md "Nodes", HTTP extension): the agent
 * samples the camera's frames, POSTs each image to `url` and turns `{"inferences": [...]}` replies into `inference`
 * signals.
 *
 * AVA names → Keepwatch: `endpoint.url` → `url`; `samplingOptions.maximumSamplesPerSecond` → `maximumSamplesPerSecond`;
 * `image.format.@type` `#Microsoft.VideoAnalyzer.ImageFormatJpeg|Png|Bmp` → `image.format` `jpeg|png|bmp` (Raw is not
 * offered); `ImageFormatJpeg.quality` → `image.quality`; `image.scale` kept as is. `endpoint.credentials`
 * (HttpHeaderCredentials) → `headers`.
 */
/** Most samples per second the agent sends to an HTTP extension (AVA's `maximumSamplesPerSecond`, capped here). */
export const HTTP_EXTENSION_MAX_SAMPLES_PER_SECOND = 10;

export const HTTP_EXTENSION_DEFAULTS = {
  maximumSamplesPerSecond: 1,
  format: 'jpeg',
  /** Keepwatch's default (AVA stated none): ffmpeg mjpeg qscale 5. */
  quality: 90,
  /** AVA's default scale mode (docs/reference/ava-behaviour.md "Nodes"). */
  scaleMode: 'pad',
  timeout: 'PT5S',
} as const;

/** Largest width or height of a sample image, px. */
export const EXTENSION_IMAGE_MAX_PX = 4096;

const size = z.number().int().min(16).max(EXTENSION_IMAGE_MAX_PX);

/**
 * AVA `image.scale` (docs/reference/ava-behaviour.md "Nodes"): `mode` preserveAspectRatio | pad | stretch (default
 * pad):
 * - `stretch`: resized to `width`×`height` (both required), aspect ratio not kept;
 * - `pad`: fitted inside `width`×`height` (both required) keeping the aspect ratio, black letterbox/pillar-box bars
 *   make up the rest;
 * - `preserveAspectRatio`: one dimension given → the other follows the aspect ratio (rounded to even); both given →
 *   fitted inside the box, no bars (the output is at most `width`×`height`).
 * (Wording of AVA's VideoScaleMode docs, @azure/arm-videoanalyzer.) No `scale` = the camera's own size.
 */
const scaleSchema = z
  .strictObject({
    mode: z.enum(['preserveAspectRatio', 'pad', 'stretch']).default(HTTP_EXTENSION_DEFAULTS.scaleMode),
    width: size.optional(),
    height: size.optional(),
  })
  .superRefine(verifyScaleSize);

/** pad and stretch need both dimensions, preserveAspectRatio at least one (AVA's rule). */
function verifyScaleSize(s: { mode: string; width?: number; height?: number }, ctx: z.RefinementCtx): void {
  if (s.mode === 'preserveAspectRatio') {
    if (s.width === undefined && s.height === undefined) ctx.addIssue({ code: 'custom', message: 'preserveAspectRatio needs width, height or both' });
  } else if (s.width === undefined || s.height === undefined) {
    ctx.addIssue({ code: 'custom', message: `${s.mode} needs both width and height` });
  }
}

/** A header name (RFC 9110 token). */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, 'expected an HTTP header name');

/**
 * A camera's `httpExtension` entry:
 * `{ url, maximumSamplesPerSecond?, image: { format?, quality?, scale? }, headers?, timeout? }`
 * - `url`: http:// or https:// inference endpoint;
 * - `maximumSamplesPerSecond`: 0 < x ≤ 10, default 1 (AVA: the extension is meant for < 5 fps);
 * - `image.format`: jpeg (default) | png | bmp, POSTed as `image/jpeg|png|bmp`;
 * - `image.quality`: JPEG only, 0..100 (AVA `ImageFormatJpeg.quality`), default 90;
 * - `image.scale`: see {@link scaleSchema};
 * - `headers`: extra request headers (e.g. an API key; AVA HttpHeaderCredentials), values kept out of logs;
 * - `timeout`: ISO 8601 per request, PT0.1S..PT1M, default PT5S.
 */
export const httpExtensionSchema = z
  .strictObject({
    url: z.string().regex(/^https?:\/\/[^\s/]+[^\s]*$/i, 'expected an http:// or https:// URL'),
    maximumSamplesPerSecond: z.number().gt(0).max(HTTP_EXTENSION_MAX_SAMPLES_PER_SECOND).default(HTTP_EXTENSION_DEFAULTS.maximumSamplesPerSecond),
    image: z
      .strictObject({
        format: z.enum(['jpeg', 'png', 'bmp']).default(HTTP_EXTENSION_DEFAULTS.format),
        quality: z.number().int().min(0).max(100).optional(),
        scale: scaleSchema.optional(),
      })
      .superRefine((img, ctx) => {
        if (img.quality !== undefined && img.format !== 'jpeg') ctx.addIssue({ code: 'custom', path: ['quality'], message: `quality applies to jpeg only, not ${img.format}` });
      })
      .default({ format: HTTP_EXTENSION_DEFAULTS.format }),
    headers: z.record(headerName, z.string()).default({}),
    timeout: z
      .string()
      .default(HTTP_EXTENSION_DEFAULTS.timeout)
      .superRefine((text, ctx) => {
        let ms: number;
        try {
          ms = parseIsoDuration(text, 'timeout');
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^timeout /, '') });
          return;
        }
        if (ms < 100 || ms > 60 * SECOND_MS) ctx.addIssue({ code: 'custom', message: `${text} is outside ${toIsoDuration(100)}..PT1M` });
      }),
  })
  .transform(({ timeout, image, ...rest }) => ({
    ...rest,
    image: { format: image.format, quality: image.format === 'jpeg' ? (image.quality ?? HTTP_EXTENSION_DEFAULTS.quality) : undefined, scale: image.scale },
    timeoutMs: parseIsoDuration(timeout, 'timeout'),
  }));

/** A camera's validated HTTP extension settings (timeout in ms). */
export type HttpExtensionSettings = z.output<typeof httpExtensionSchema>;
/** The sample image format. */
export type ExtensionImageFormat = HttpExtensionSettings['image']['format'];
