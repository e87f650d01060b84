import { DAY_MS } from '../time';

/** The calendar precisions of AVA's availableMedia (docs/reference/ava-behaviour.md "Playback"). */
export type CalendarPrecision = 'year' | 'month' | 'day';

/**
 * Epoch ms of 00:00:00.000 UTC on `year`-`month`-`day`. Unlike `Date.UTC`, years 0..99 are not mapped to 1900..1999.
 * @param month 1..12 (out-of-range values roll over, as `Date.UTC` does)
 */
export function utcMidnightMs(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(2000, month - 1, day));
  d.setUTCFullYear(year + (d.getUTCFullYear() - 2000));
  return d.getTime();
}

/**
 * The calendar bucket (UTC year, month or day) holding instant `ms`, as a consecutive integer: the year itself,
 * `year * 12 + (month - 1)`, or whole days since the epoch. Consecutive buckets have consecutive indexes, so
 * "adjacent" is `b === a + 1`.
 */
export function bucketIndex(precision: CalendarPrecision, ms: number): number {
  if (precision === 'day') return Math.floor(ms / DAY_MS);
  const d = new Date(ms);
  return precision === 'year' ? d.getUTCFullYear() : d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** Epoch ms of the first instant of bucket `index` (inverse of {@link bucketIndex}). */
export function bucketStartMs(precision: CalendarPrecision, index: number): number {
  if (precision === 'day') return index * DAY_MS;
  if (precision === 'year') return utcMidnightMs(index, 1, 1);
  return utcMidnightMs(Math.floor(index / 12), (index % 12) + 1, 1);
}

/**
 * The label AVA prints for a bucket: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (UTC).
 * Source: AVA availableMedia output formats, docs/reference/ava-behaviour.md "Playback".
 */
export function bucketLabel(precision: CalendarPrecision, index: number): string {
  const d = new Date(bucketStartMs(precision, index));
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  if (precision === 'year') return year;
  const month = `${year}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return precision === 'month' ? month : `${month}-${String(d.getUTCDate()).padStart(2, '0')}`;
}
