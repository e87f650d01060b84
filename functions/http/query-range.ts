import type { HttpRequest } from '@azure/functions';
import { ValidationError } from '../../shared/errors';
import { parseIsoDateTime, toIso, toIsoDuration } from '../../shared/time';

/**
 * The required `start` and `end` query parameters of a listing route (gaps, recordings): ISO 8601 date-times with a
 * time zone, end after start, at most `maxMs` apart.
 * @returns [startMs, endMs], epoch ms UTC
 * @throws ValidationError `MissingParameter`, `InvalidDateTime`, `InvalidRange` (end ≤ start), `RangeTooLong`
 */
export function requiredRangeQuery(request: HttpRequest, maxMs: number): [number, number] {
  const [startMs, endMs] = (['start', 'end'] as const).map((name) => {
    const v = request.query.get(name);
    if (!v) throw new ValidationError(`query parameter '${name}' is required: an ISO 8601 date-time with a time zone, e.g. 2026-11-21T10:00:00Z`, undefined, 'MissingParameter');
    return parseIsoDateTime(v, `query parameter '${name}'`);
  });
  if (endMs <= startMs) throw new ValidationError(`end ${toIso(endMs)} must be after start ${toIso(startMs)}`, undefined, 'InvalidRange');
  if (endMs - startMs > maxMs) {
    throw new ValidationError(`range spans ${toIsoDuration(endMs - startMs)}, more than the maximum ${toIsoDuration(maxMs)}`, undefined, 'RangeTooLong');
  }
  return [startMs, endMs];
}
