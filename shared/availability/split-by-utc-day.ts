import { DAY_MS, startOfUtcDay } from '../time';
import type { TimeRange } from '../time-ranges';

/**
 * Cuts a span at UTC midnights, so each piece belongs to one day's availability row: a segment from 23:59:55 to
 * 00:00:05 becomes two pieces of 5 s.
 * @param span half-open [startMs, endMs), epoch ms UTC; an empty span gives no pieces
 * @returns pieces in order, each with the epoch ms of its day's 00:00:00.000 UTC
 */
export function splitByUtcDay(span: TimeRange): Array<{ dayStartMs: number; range: TimeRange }> {
  const out: Array<{ dayStartMs: number; range: TimeRange }> = [];
  for (let day = startOfUtcDay(span.startMs); day < span.endMs; day += DAY_MS) {
    const startMs = Math.max(span.startMs, day);
    const endMs = Math.min(span.endMs, day + DAY_MS);
    if (endMs > startMs) out.push({ dayStartMs: day, range: { startMs, endMs } });
  }
  return out;
}
