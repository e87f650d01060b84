import { z } from 'zod';
import { ValidationError } from '../errors';
import { MAX_PLAYBACK_SPAN_MS } from '../playback-range';
import { parseIsoDateTime, parseIsoDuration, toIsoDuration } from '../time';
import { parseWith } from '../validation/format-issues';

/** Longest `label` of a share link, characters. */
export const SHARE_LABEL_MAX_CHARS = 256;
/** A share link's lifetime when `expiresIn` is not given: 24 h, ms. */
export const SHARE_DEFAULT_EXPIRES_IN_MS = 24 * 3_600_000;
/** Shortest lifetime of a share link: 1 min, ms. */
export const SHARE_MIN_EXPIRES_IN_MS = 60_000;
/** Longest lifetime of a share link: 7 days, ms (AVA's content tokens were short-lived too; a share is revocable). */
export const SHARE_MAX_EXPIRES_IN_MS = 7 * 24 * 3_600_000;

/**
 * Body of `POST /api/cameras/{cameraId}/shares`: the half-open range `[start, end)` a link shows (ISO 8601 date-times
 * with a zone, at most 24 h: one VOD playlist, as playback), how long the link opens (`expiresIn`, an ISO 8601
 * duration, default PT24H, PT1M..P7D) and an optional `label` for the people who list the shares. Unknown keys are a 400.
 */
export const shareBodySchema = z.strictObject({
  start: z.string().meta({ format: 'date-time' }),
  end: z.string().meta({ format: 'date-time' }),
  expiresIn: z.string().meta({ description: 'ISO 8601 duration until the link expires; default PT24H, PT1M to P7D', examples: ['PT24H'] }).optional(),
  label: z.string().max(SHARE_LABEL_MAX_CHARS).optional(),
});

/** A validated share request: range epoch ms UTC, half-open; lifetime ms. */
export interface ShareRequest {
  startMs: number;
  endMs: number;
  expiresInMs: number;
  label?: string;
}

/**
 * Validates a share body.
 * @throws ValidationError `InvalidShare` for a wrong shape or unknown key; `InvalidDateTime` naming `start`/`end`;
 *   `InvalidRange` when end ≤ start; `RangeTooLong` over 24 h; `InvalidDuration` for an `expiresIn` that is not a
 *   duration or lies outside PT1M..P7D
 */
export function parseShareBody(input: unknown): ShareRequest {
  const body = parseWith(shareBodySchema, input, 'share', 'InvalidShare');
  const startMs = parseIsoDateTime(body.start, "share 'start'");
  const endMs = parseIsoDateTime(body.end, "share 'end'");
  if (endMs <= startMs) throw new ValidationError(`share 'end' ${body.end} must be after 'start' ${body.start}`, undefined, 'InvalidRange');
  if (endMs - startMs > MAX_PLAYBACK_SPAN_MS) {
    throw new ValidationError(
      `share range ${body.start} .. ${body.end} spans ${toIsoDuration(endMs - startMs)}, more than the maximum ${toIsoDuration(MAX_PLAYBACK_SPAN_MS)}`,
      undefined,
      'RangeTooLong',
    );
  }
  const expiresInMs = body.expiresIn === undefined ? SHARE_DEFAULT_EXPIRES_IN_MS : parseIsoDuration(body.expiresIn, "share 'expiresIn'");
  if (expiresInMs < SHARE_MIN_EXPIRES_IN_MS || expiresInMs > SHARE_MAX_EXPIRES_IN_MS) {
    throw new ValidationError(
      `share 'expiresIn' ${body.expiresIn} is outside ${toIsoDuration(SHARE_MIN_EXPIRES_IN_MS)}..${toIsoDuration(SHARE_MAX_EXPIRES_IN_MS)}`,
      undefined,
      'InvalidDuration',
    );
  }
  const request: ShareRequest = { startMs, endMs, expiresInMs };
  if (body.label !== undefined) request.label = body.label;
  return request;
}
