import { z } from 'zod';
import { ValidationError } from '../errors';
import { parseIsoDateTime } from '../time';
import { parseWith } from '../validation/format-issues';

/** Longest `reason` of a hold, characters. */
export const HOLD_REASON_MAX_CHARS = 256;

/**
 * Body of `POST /api/cameras/{cameraId}/holds`: a time range of the camera's archive that retention must not delete
 * (a legal or incident hold), `{ start, end, reason? }`, ISO 8601 date-times with a time zone. Unknown keys are a 400.
 */
export const holdBodySchema = z.strictObject({
  start: z.string().meta({ format: 'date-time' }),
  end: z.string().meta({ format: 'date-time' }),
  reason: z.string().max(HOLD_REASON_MAX_CHARS).optional(),
});

/** A validated hold request, epoch ms UTC, half-open [startMs, endMs). */
export interface HoldRequest {
  startMs: number;
  endMs: number;
  reason?: string;
}

/**
 * Validates a hold body.
 * @throws ValidationError `InvalidHold` for a wrong shape or unknown key; `InvalidDateTime` naming `start`/`end`;
 *   `InvalidRange` when end ≤ start
 */
export function parseHoldBody(input: unknown): HoldRequest {
  const body = parseWith(holdBodySchema, input, 'hold', 'InvalidHold');
  const startMs = parseIsoDateTime(body.start, "hold 'start'");
  const endMs = parseIsoDateTime(body.end, "hold 'end'");
  if (endMs <= startMs) throw new ValidationError(`hold 'end' ${body.end} must be after 'start' ${body.start}`, undefined, 'InvalidRange');
  return body.reason === undefined ? { startMs, endMs } : { startMs, endMs, reason: body.reason };
}
