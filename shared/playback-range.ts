import { ValidationError } from './errors';
import { DAY_MS, parseIsoDateTime, toIsoDuration } from './time';
import type { TimeRange } from './time-ranges';

/** Longest playback range one playlist may cover (issue 2: ranges over 24 h are a 400). */
export const MAX_PLAYBACK_SPAN_MS = DAY_MS;

/**
 * Validates the `start`/`end` query parameters of a playback request.
 * @param start ISO 8601 date-time with a zone (`2026-11-21T10:00:00Z`); `null`/`undefined` when absent
 * @param end likewise; the range is half-open [start, end)
 * @returns the range in epoch ms UTC
 * @throws ValidationError `MissingParameter` when either is absent or empty, `InvalidDateTime` when unparseable,
 *   `InvalidRange` when end ≤ start, `RangeTooLong` when the span exceeds {@link MAX_PLAYBACK_SPAN_MS}
 */
export function parsePlaybackRange(start: string | null | undefined, end: string | null | undefined): TimeRange {
  for (const [name, value] of [['start', start], ['end', end]] as const) {
    if (value === null || value === undefined || value === '') {
      throw new ValidationError(
        `query parameter '${name}' is required: an ISO 8601 date-time with a time zone, e.g. 2026-11-21T10:00:00Z`,
        undefined,
        'MissingParameter',
      );
    }
  }
  const startMs = parseIsoDateTime(start, "query parameter 'start'");
  const endMs = parseIsoDateTime(end, "query parameter 'end'");
  if (endMs <= startMs) {
    throw new ValidationError(`end ${end} must be after start ${start}`, undefined, 'InvalidRange');
  }
  if (endMs - startMs > MAX_PLAYBACK_SPAN_MS) {
    throw new ValidationError(
      `range ${start} .. ${end} spans ${toIsoDuration(endMs - startMs)}, more than the maximum ${toIsoDuration(MAX_PLAYBACK_SPAN_MS)}`,
      undefined,
      'RangeTooLong',
    );
  }
  return { startMs, endMs };
}
