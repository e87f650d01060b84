import { ValidationError } from './errors';
import { DAY_MS, HOUR_MS, parseIsoDateTime, toIso, toIsoDuration } from './time';
import type { TimeRange } from './time-ranges';

/** Longest playback range one playlist may cover (ranges over 24 h are a 400: AVA's limit, docs/reference/ava-behaviour.md "Playback"). */
export const MAX_PLAYBACK_SPAN_MS = DAY_MS;

/** Span played when neither start nor end is given: the archive's most recent 4 h (AVA, docs/reference/ava-behaviour.md "Playback"). */
export const RECENT_PLAYBACK_SPAN_MS = 4 * HOUR_MS;

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

/** What the caller gave: which of `start`/`end` decided the window (for logs and docs). */
export type PlaybackWindowKind = 'range' | 'from-start' | 'most-recent';

/**
 * Turns the optional `start`/`end` query parameters of a playback request into the window to play, by AVA's
 * time-range rules (docs/reference/ava-behaviour.md "Playback"):
 * - both → [start, end), at most {@link MAX_PLAYBACK_SPAN_MS} (see {@link parsePlaybackRange});
 * - start only → everything after start: [start, nowMs), an error when that spans more than 24 h;
 * - end only → an error (`MissingParameter` naming `start`);
 * - neither → the archive's most recent {@link RECENT_PLAYBACK_SPAN_MS}: [lastRecordedMs − 4 h, lastRecordedMs).
 * The window is not yet snapped to stored media: see shared/snap-range.ts.
 * @param start ISO 8601 date-time with a zone, `null`/`undefined`/`''` when absent; likewise `end`
 * @param at.nowMs current time, epoch ms UTC; at.lastRecordedMs end of the camera's latest stored segment, epoch ms UTC
 * @returns the half-open window in epoch ms UTC and which rule made it
 * @throws ValidationError `MissingParameter` (end without start), `InvalidDateTime`, `InvalidRange` (end ≤ start, or a
 *   start-only request whose start is not in the past), `RangeTooLong` (> 24 h)
 */
export function resolvePlaybackWindow(
  start: string | null | undefined,
  end: string | null | undefined,
  at: { nowMs: number; lastRecordedMs: number },
): TimeRange & { kind: PlaybackWindowKind } {
  const hasStart = start !== null && start !== undefined && start !== '';
  const hasEnd = end !== null && end !== undefined && end !== '';
  if (hasStart && hasEnd) return { ...parsePlaybackRange(start, end), kind: 'range' };
  if (hasEnd) {
    throw new ValidationError(
      "query parameter 'start' is required when 'end' is given (give start alone for everything after it, or neither for the most recent 4 h)",
      undefined,
      'MissingParameter',
    );
  }
  if (hasStart) {
    const startMs = parseIsoDateTime(start, "query parameter 'start'");
    if (startMs >= at.nowMs) {
      throw new ValidationError(`start ${start} must be in the past when end is not given (now is ${toIso(at.nowMs)})`, undefined, 'InvalidRange');
    }
    if (at.nowMs - startMs > MAX_PLAYBACK_SPAN_MS) {
      throw new ValidationError(
        `start ${start} without end covers everything up to now (${toIso(at.nowMs)}), ${toIsoDuration(at.nowMs - startMs)}, more than the maximum ${toIsoDuration(MAX_PLAYBACK_SPAN_MS)}; give an end`,
        undefined,
        'RangeTooLong',
      );
    }
    return { startMs, endMs: at.nowMs, kind: 'from-start' };
  }
  return { startMs: at.lastRecordedMs - RECENT_PLAYBACK_SPAN_MS, endMs: at.lastRecordedMs, kind: 'most-recent' };
}
