import { z } from 'zod';
import { ValidationError } from '../errors';
import { DAY_MS, parseIsoDateTime, toIso, toIsoDuration } from '../time';
import type { TimeRange } from '../time-ranges';
import { parseWith } from '../validation/format-issues';

/**
 * Longest range one erasure on demand may name: 31 days (≈ 268 000 segments of 10 s). An erasure answers when it is
 * done (a day of 10 s segments is 34 Blob Batch requests and 87 table transactions); a longer one is split by the
 * caller, and one that outlives its HTTP request is finished by its journal (functions/erasure/erase-range.ts).
 */
export const ERASURE_MAX_RANGE_MS = 31 * DAY_MS;

/**
 * The query of `DELETE /api/cameras/{cameraId}/media`: `start` and `end`, ISO 8601 date-times with a zone, each
 * exactly once; no other parameter (an erasure deletes what it is told and nothing a typo would add). The functions
 * key travels in its header or as `code`, which is allowed.
 */
export const mediaErasureQuerySchema = z.strictObject({
  start: z.string().min(1).meta({ format: 'date-time', description: 'range start; ISO 8601 date-time with a zone' }),
  end: z.string().min(1).meta({ format: 'date-time', description: 'range end (exclusive); ISO 8601 date-time with a zone' }),
  code: z.string().optional().meta({ description: 'the function key, when not sent as x-functions-key' }),
});

/**
 * Validates the erasure query.
 * @param query the request's query parameters (name → every value given)
 * @returns the requested half-open range, epoch ms UTC
 * @throws ValidationError `DuplicateParameter` (a name given twice), `InvalidErasureQuery` (a missing or unknown
 *   parameter, named), `InvalidDateTime`, `InvalidRange` (end ≤ start), `RangeTooLong` (over {@link ERASURE_MAX_RANGE_MS})
 */
export function parseMediaErasureQuery(query: ReadonlyMap<string, readonly string[]>): TimeRange {
  const single: Record<string, string> = {};
  for (const [name, values] of query) {
    if (values.length > 1) throw new ValidationError(`query parameter '${name}' is given more than once`, undefined, 'DuplicateParameter');
    single[name] = values[0] ?? '';
  }
  const q = parseWith(mediaErasureQuerySchema, single, 'erasure query', 'InvalidErasureQuery');
  const startMs = parseIsoDateTime(q.start, "query parameter 'start'");
  const endMs = parseIsoDateTime(q.end, "query parameter 'end'");
  if (endMs <= startMs) throw new ValidationError(`end ${toIso(endMs)} must be after start ${toIso(startMs)}`, undefined, 'InvalidRange');
  if (endMs - startMs > ERASURE_MAX_RANGE_MS) {
    throw new ValidationError(
      `erasure range spans ${toIsoDuration(endMs - startMs)}, more than the maximum ${toIsoDuration(ERASURE_MAX_RANGE_MS)}; erase it in several requests`,
      undefined,
      'RangeTooLong',
    );
  }
  return { startMs, endMs };
}
