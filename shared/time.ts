import { ValidationError } from './errors';

/** One second, minute, hour, day in ms. */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO 8601 date-time with a designator (`Z` or `±hh:mm`), e.g. `2026-11-21T10:00:00.000Z`.
 * @returns epoch ms (UTC)
 * @throws ValidationError naming `what` when the text is not such a date-time or not a real date
 */
export function parseIsoDateTime(text: unknown, what: string): number {
  if (typeof text !== 'string' || !ISO_UTC.test(text)) {
    throw new ValidationError(
      `${what} ${JSON.stringify(text)} is not an ISO 8601 date-time with a time zone (e.g. 2026-11-21T10:00:00Z)`,
      undefined,
      'InvalidDateTime',
    );
  }
  const ms = Date.parse(text);
  const m = ISO_UTC.exec(text)!;
  // Date.parse rolls 2026-02-31 over to March; refuse dates that do not exist.
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (Number.isNaN(ms) || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d || Number(m[4]) > 23) {
    throw new ValidationError(`${what} ${JSON.stringify(text)} is not a valid date-time`, undefined, 'InvalidDateTime');
  }
  return ms;
}

/** Two-digit strings `00`..`99`, and three-digit `000`..`999`, for {@link toIso}'s time of day. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** The UTC day {@link toIso} formatted last: its start (epoch ms) and its `yyyy-MM-ddT` prefix. */
let isoDayStartMs = Number.NaN;
let isoDayPrefix = '';

/**
 * Formats epoch ms as ISO 8601 UTC with milliseconds: `2026-11-21T10:00:00.000Z`, exactly as `Date#toISOString`.
 * Playlists format one time per segment (8,640 for 24 h, and as many blob names), so the date part of the last day
 * formatted is kept and the time of day is built from lookup tables: about 10× faster than `toISOString`, which it
 * still uses for a new day and for anything but whole milliseconds in years 1970–9999.
 * @throws RangeError for a time `Date` cannot represent (as `toISOString`)
 */
export function toIso(ms: number): string {
  let ofDay = ms - isoDayStartMs;
  if (!(ofDay >= 0 && ofDay < DAY_MS) || !Number.isInteger(ms)) {
    const iso = new Date(ms).toISOString();
    if (!Number.isInteger(ms) || ms < 0 || iso.length !== 24) return iso;
    isoDayStartMs = ms - (ms % DAY_MS);
    isoDayPrefix = iso.slice(0, 11);
    ofDay = ms - isoDayStartMs;
  }
  const s = Math.floor(ofDay / 1000);
  return `${isoDayPrefix}${TWO_DIGITS[Math.floor(s / 3600)]}:${TWO_DIGITS[Math.floor(s / 60) % 60]}:${TWO_DIGITS[s % 60]}.${THREE_DIGITS[ofDay % 1000]}Z`;
}

const ISO_DURATION = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/**
 * Parses an ISO 8601 duration with days, hours, minutes and (fractional) seconds, as AVA writes them
 * (`PT30S`, `PT5M`, `-PT5S`, `P7D`). Years, months and weeks are refused: their length in ms is not fixed.
 * @returns the duration in ms (negative for a leading `-`)
 * @throws ValidationError naming `what` for any other text
 */
export function parseIsoDuration(text: unknown, what: string): number {
  const m = typeof text === 'string' ? ISO_DURATION.exec(text) : null;
  if (!m || text === 'P' || text === 'PT' || (typeof text === 'string' && text.endsWith('T'))) {
    throw new ValidationError(
      `${what} ${JSON.stringify(text)} is not an ISO 8601 duration such as PT10S, PT5M or P7D`,
      undefined,
      'InvalidDuration',
    );
  }
  const [, sign, d, h, min, s] = m;
  const ms =
    Number(d ?? 0) * DAY_MS + Number(h ?? 0) * HOUR_MS + Number(min ?? 0) * MINUTE_MS + Math.round(Number(s ?? 0) * SECOND_MS);
  return sign ? -ms : ms;
}

/** Formats ms as a short ISO 8601 duration (`PT10S`, `PT1M30S`, `PT0.5S`, `P1DT2H`); for messages and config echoes. */
export function toIsoDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const d = Math.floor(rest / DAY_MS);
  rest -= d * DAY_MS;
  const h = Math.floor(rest / HOUR_MS);
  rest -= h * HOUR_MS;
  const m = Math.floor(rest / MINUTE_MS);
  rest -= m * MINUTE_MS;
  const s = rest / SECOND_MS;
  let out = `${sign}P${d ? `${d}D` : ''}`;
  if (h || m || s || !d) out += `T${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
  return out;
}

/** `yyyy-MM-dd` of the UTC day containing `ms`. */
export function utcDay(ms: number): string {
  return toIso(ms).slice(0, 10);
}

/** Epoch ms of 00:00:00.000 UTC of the day containing `ms`. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
