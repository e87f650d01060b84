import { ValidationError } from '../errors';
import { HOUR_MS, parseIsoDateTime, toIsoDuration } from '../time';
import { bucketIndex, bucketStartMs, utcMidnightMs, type CalendarPrecision } from './calendar-buckets';

/** `precision` values of AVA's availableMedia, coarsest first. */
export const AVAILABLE_MEDIA_PRECISIONS = ['year', 'month', 'day', 'full'] as const;
export type AvailableMediaPrecision = (typeof AVAILABLE_MEDIA_PRECISIONS)[number];

/**
 * Span limits per precision, as AVA words them: "at most 12 months apart", "at most 31 days apart", "at most 25 hours
 * apart", i.e. the difference between startTime and endTime (2019-01 .. 2020-01 is 12 months apart and allowed).
 * Source: docs/reference/ava-behaviour.md "Playback", availableMedia (MicrosoftDocs playback-recordings-how-to).
 * Year has no limit in AVA and none on the request here; `years` caps the window after it is clipped to the recorded
 * span ({@link resolveAvailableMediaWindow}): 10 years apart (11 calendar years) covers the longest retention,
 * P3650D, and keeps a forged recorded span (a segment dated 9999: docs/security.md) from costing one read per year.
 */
export const AVAILABLE_MEDIA_MAX_SPAN = { years: 10, months: 12, days: 31, fullMs: 25 * HOUR_MS } as const;

/** Input format per precision, for messages. */
const FORMATS: Record<AvailableMediaPrecision, string> = {
  year: 'YYYY (e.g. 2026)',
  month: 'YYYY-MM (e.g. 2026-11)',
  day: 'YYYY-MM-DD (e.g. 2026-11-21)',
  full: 'an ISO 8601 date-time, UTC (e.g. 2026-11-21T10:00:00.000Z)',
};

const PATTERNS: Record<CalendarPrecision, RegExp> = {
  year: /^(\d{4})$/,
  month: /^(\d{4})-(\d{2})$/,
  day: /^(\d{4})-(\d{2})-(\d{2})$/,
};

/** `hh:mm:ss[.fff]` with an optional zone; without a zone the time is UTC (AVA's own examples omit the `Z`). */
const FULL_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A validated availableMedia request. The window is half-open [startMs, endMs), epoch ms UTC: for year, month and
 * day it runs from the first instant of the start bucket to the end of the (inclusive) end bucket; for full it is
 * [startTime, endTime]. For year, `startMs`/`endMs` are `undefined` when the parameter was omitted (AVA: "first/last
 * year in the recording"; see {@link resolveAvailableMediaWindow}).
 */
export interface AvailableMediaQuery {
  precision: AvailableMediaPrecision;
  startMs?: number;
  endMs?: number;
}

/**
 * Parses the query string of `GET /api/cameras/{cameraId}/availableMedia` with AVA's rules.
 * Parameter names are matched case-insensitively (AVA's own widget sends `starttime`), as is the precision value.
 * @param entries the query's `[name, value]` pairs, repeated names included (`URLSearchParams.entries()`)
 * @returns the precision and the window in epoch ms UTC
 * @throws ValidationError naming the parameter: `MissingParameter` (precision; startTime/endTime for month, day,
 *   full), `InvalidPrecision`, `DuplicateParameter` (a name given twice), `InvalidDateTime` (wrong format for the
 *   precision, or no such date), `InvalidRange` (start after end; for full, start not before end), `RangeTooLong`
 *   (over {@link AVAILABLE_MEDIA_MAX_SPAN})
 * Source: AVA availableMedia, docs/reference/ava-behaviour.md "Playback".
 */
export function parseAvailableMediaQuery(entries: Iterable<[string, string]>): AvailableMediaQuery {
  const values = new Map<string, string>();
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    if (name !== 'precision' && name !== 'starttime' && name !== 'endtime') continue;
    if (values.has(name)) {
      throw new ValidationError(`query parameter '${canonical(name)}' is given more than once`, undefined, 'DuplicateParameter');
    }
    values.set(name, value);
  }

  const precisionText = values.get('precision');
  if (precisionText === undefined || precisionText === '') {
    throw new ValidationError(`query parameter 'precision' is required: one of ${AVAILABLE_MEDIA_PRECISIONS.join(', ')}`, undefined, 'MissingParameter');
  }
  const precision = AVAILABLE_MEDIA_PRECISIONS.find((p) => p === precisionText.toLowerCase());
  if (!precision) {
    throw new ValidationError(
      `query parameter 'precision' ${JSON.stringify(shorten(precisionText))} is invalid: use one of ${AVAILABLE_MEDIA_PRECISIONS.join(', ')}`,
      undefined,
      'InvalidPrecision',
    );
  }

  const startText = nonEmpty(values.get('starttime'));
  const endText = nonEmpty(values.get('endtime'));
  if (precision !== 'year') {
    for (const [name, text] of [['startTime', startText], ['endTime', endText]] as const) {
      if (text === undefined) {
        throw new ValidationError(`query parameter '${name}' is required for precision=${precision}: ${FORMATS[precision]}`, undefined, 'MissingParameter');
      }
    }
  }

  if (precision === 'full') {
    const startMs = parseFull(startText!, 'startTime');
    const endMs = parseFull(endText!, 'endTime');
    if (startMs >= endMs) {
      throw new ValidationError(`startTime ${startText} must be before endTime ${endText} for precision=full`, undefined, 'InvalidRange');
    }
    if (endMs - startMs > AVAILABLE_MEDIA_MAX_SPAN.fullMs) {
      throw new ValidationError(
        `startTime ${startText} and endTime ${endText} are ${toIsoDuration(endMs - startMs)} apart, more than the maximum of 25 hours (${toIsoDuration(AVAILABLE_MEDIA_MAX_SPAN.fullMs)}) for precision=full`,
        undefined,
        'RangeTooLong',
      );
    }
    return { precision, startMs, endMs };
  }

  const start = startText === undefined ? undefined : parseCalendar(precision, startText, 'startTime');
  const end = endText === undefined ? undefined : parseCalendar(precision, endText, 'endTime');
  if (start !== undefined && end !== undefined) {
    if (start > end) {
      throw new ValidationError(`startTime ${startText} is after endTime ${endText}`, undefined, 'InvalidRange');
    }
    const apart = bucketIndex(precision, end) - bucketIndex(precision, start);
    const max = precision === 'month' ? AVAILABLE_MEDIA_MAX_SPAN.months : precision === 'day' ? AVAILABLE_MEDIA_MAX_SPAN.days : Infinity;
    if (apart > max) {
      throw new ValidationError(
        `startTime ${startText} and endTime ${endText} are ${apart} ${precision}s apart, more than the maximum ${max} for precision=${precision}`,
        undefined,
        'RangeTooLong',
      );
    }
  }
  return {
    precision,
    startMs: start,
    endMs: end === undefined ? undefined : bucketStartMs(precision, bucketIndex(precision, end) + 1),
  };
}

/**
 * The window to answer a year query over: omitted bounds become the first/last year recorded (AVA), and the window
 * is clipped to the recorded span (nothing outside it can hold media, so no row is read for those years).
 * Month, day and full windows are returned clipped the same way. A year window still more than
 * {@link AVAILABLE_MEDIA_MAX_SPAN}.years apart (only a recorded span longer than any retention gives one) is cut to
 * that many years: those ending with its last year, or starting with `startTime` when only `startTime` was given.
 * @param recorded [first segment start, last segment end), epoch ms UTC (the camera row)
 * @returns the window, or `undefined` when it holds no recorded instant (e.g. `startTime` after the last year
 *   recorded with `endTime` omitted): the answer is an empty list
 */
export function resolveAvailableMediaWindow(query: AvailableMediaQuery, recorded: { startMs: number; endMs: number }): { startMs: number; endMs: number } | undefined {
  let startMs = Math.max(query.startMs ?? -Infinity, recorded.startMs);
  let endMs = Math.min(query.endMs ?? Infinity, recorded.endMs);
  if (endMs <= startMs) return undefined;
  const { years } = AVAILABLE_MEDIA_MAX_SPAN;
  if (query.precision === 'year' && bucketIndex('year', endMs - 1) - bucketIndex('year', startMs) > years) {
    if (query.startMs !== undefined && query.endMs === undefined) endMs = bucketStartMs('year', bucketIndex('year', startMs) + years + 1);
    else startMs = bucketStartMs('year', bucketIndex('year', endMs - 1) - years);
  }
  return { startMs, endMs };
}

function parseCalendar(precision: CalendarPrecision, text: string, name: 'startTime' | 'endTime'): number {
  const m = PATTERNS[precision].exec(text);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2] ?? 1), Number(m[3] ?? 1)] : [0, 0, 0];
  const ms = m ? utcMidnightMs(y, mo, d) : NaN;
  // utcMidnightMs rolls 2026-02-30 over to March; a date that does not exist is refused.
  const probe = new Date(ms);
  if (!m || mo < 1 || mo > 12 || probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) {
    throw new ValidationError(
      `query parameter '${name}' ${JSON.stringify(shorten(text))} is not ${FORMATS[precision]}, the format of precision=${precision}`,
      undefined,
      'InvalidDateTime',
    );
  }
  return ms;
}

function parseFull(text: string, name: 'startTime' | 'endTime'): number {
  if (!FULL_PATTERN.test(text)) {
    throw new ValidationError(
      `query parameter '${name}' ${JSON.stringify(shorten(text))} is not ${FORMATS.full}, the format of precision=full`,
      undefined,
      'InvalidDateTime',
    );
  }
  return parseIsoDateTime(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`, `query parameter '${name}'`);
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function canonical(lowerName: string): string {
  return lowerName === 'starttime' ? 'startTime' : lowerName === 'endtime' ? 'endTime' : lowerName;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
