import { z } from 'zod';
import { isoDateTimeSchema } from '../validation/iso-date-time';
import { parseWith } from '../validation/format-issues';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, parseIsoDateTime, parseIsoDuration, toIsoDuration } from '../time';
import { DEFAULT_PREVIEW_SIZE, PREVIEW_SIZES, type PreviewSize } from './preview-sizes';

/** What `GET /api/cameras/{cameraId}/preview` asks for: an instant (absent = the camera's latest image) and a size. */
export interface PreviewQuery {
  /** Epoch ms UTC; `undefined` = the latest recorded image. */
  timeMs?: number;
  size: PreviewSize;
}

/** Shortest and longest `interval` of a thumbnails request, and the most thumbnails one request lists. */
export const MIN_THUMBNAIL_INTERVAL_MS = 2 * SECOND_MS;
export const MAX_THUMBNAIL_INTERVAL_MS = HOUR_MS;
export const MAX_THUMBNAILS = 1440;
/** Longest range of a thumbnails request (a day, as playback's). */
export const MAX_THUMBNAIL_RANGE_MS = DAY_MS;
/** `interval` when absent: one thumbnail a minute. */
export const DEFAULT_THUMBNAIL_INTERVAL_MS = MINUTE_MS;

const sizeSchema = z.enum(PREVIEW_SIZES as [PreviewSize, ...PreviewSize[]]).default(DEFAULT_PREVIEW_SIZE);

const durationSchema = z.string().refine((s) => {
  try {
    return parseIsoDuration(s, 'interval') > 0;
  } catch {
    return false;
  }
}, 'expected a positive ISO 8601 duration such as PT1M or PT10S');

/** The query of the preview routes; other parameters (the function key `code`, a signed URL's token) are ignored. */
export const previewQuerySchema = z.object({
  time: isoDateTimeSchema.optional(),
  size: sizeSchema,
});

/** The query of `GET /api/cameras/{cameraId}/previews`: `[start, end)`, `interval` (default PT1M) and `size` (default small). */
export const thumbnailsQuerySchema = z
  .object({
    start: isoDateTimeSchema,
    end: isoDateTimeSchema,
    interval: durationSchema.optional(),
    size: z.enum(PREVIEW_SIZES as [PreviewSize, ...PreviewSize[]]).default('small'),
  })
  .superRefine((q, ctx) => {
    let startMs: number;
    let endMs: number;
    try {
      startMs = parseIsoDateTime(q.start, 'start');
      endMs = parseIsoDateTime(q.end, 'end');
    } catch {
      return; // the fields' own issues say why
    }
    if (endMs <= startMs) ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after start ${q.start}` });
    else if (endMs - startMs > MAX_THUMBNAIL_RANGE_MS) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `range spans ${toIsoDuration(endMs - startMs)}, more than the maximum ${toIsoDuration(MAX_THUMBNAIL_RANGE_MS)}` });
    }
    if (q.interval === undefined) return;
    let intervalMs: number;
    try {
      intervalMs = parseIsoDuration(q.interval, 'interval');
    } catch {
      return;
    }
    if (intervalMs < MIN_THUMBNAIL_INTERVAL_MS || intervalMs > MAX_THUMBNAIL_INTERVAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['interval'], message: `${q.interval} is outside ${toIsoDuration(MIN_THUMBNAIL_INTERVAL_MS)}..${toIsoDuration(MAX_THUMBNAIL_INTERVAL_MS)}` });
    } else if (endMs > startMs && Math.ceil((endMs - startMs) / intervalMs) > MAX_THUMBNAILS) {
      ctx.addIssue({ code: 'custom', path: ['interval'], message: `${q.interval} over ${toIsoDuration(endMs - startMs)} makes more than ${MAX_THUMBNAILS} thumbnails; use a longer interval` });
    }
  });

/** What a thumbnails request asks for, in ms. */
export interface ThumbnailsQuery {
  startMs: number;
  endMs: number;
  intervalMs: number;
  size: PreviewSize;
}

/** A query's parameters as zod reads them: every parameter's first value. */
export type QueryParams = { get(name: string): string | null };

function pick(query: QueryParams, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = query.get(n);
    if (v !== null) out[n] = v;
  }
  return out;
}

/**
 * Parses the query of the preview routes.
 * @throws ValidationError `InvalidPreviewQuery` naming each bad parameter: `time` not an ISO 8601 date-time with a
 *   zone, `size` not small/medium/large
 */
export function parsePreviewQuery(query: QueryParams): PreviewQuery {
  const q = parseWith(previewQuerySchema, pick(query, ['time', 'size']), 'preview query', 'InvalidPreviewQuery');
  return { size: q.size, ...(q.time === undefined ? {} : { timeMs: parseIsoDateTime(q.time, 'time') }) };
}

/**
 * Parses the query of the thumbnails route.
 * @throws ValidationError `InvalidPreviewQuery` naming each bad parameter: `start`/`end` missing or not ISO 8601
 *   date-times, end ≤ start, range > P1D, `interval` not a duration in PT2S..PT1H or making more than 1440
 *   thumbnails, `size` not small/medium/large
 */
export function parseThumbnailsQuery(query: QueryParams): ThumbnailsQuery {
  const q = parseWith(thumbnailsQuerySchema, pick(query, ['start', 'end', 'interval', 'size']), 'previews query', 'InvalidPreviewQuery');
  return {
    startMs: parseIsoDateTime(q.start, 'start'),
    endMs: parseIsoDateTime(q.end, 'end'),
    intervalMs: q.interval === undefined ? DEFAULT_THUMBNAIL_INTERVAL_MS : parseIsoDuration(q.interval, 'interval'),
    size: q.size,
  };
}
