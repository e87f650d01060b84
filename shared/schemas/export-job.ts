import { z } from 'zod';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { DAY_MS, parseIsoDateTime, toIsoDuration } from '../time';
import { parseWith } from '../validation/format-issues';

/** Longest range one evidence export job may cover: 24 h (the longest playback range, AVA's limit). */
export const EXPORT_JOB_MAX_RANGE_MS = DAY_MS;

/**
 * Body of `POST /api/exports`: an evidence export of a camera's range `{ cameraId, start, end }` (ISO 8601 date-times
 * with a zone) or of one EVR recording `{ cameraId, recordingId }` (its window). Unknown keys are a 400.
 */
export const exportJobBodySchema = z.strictObject({
  cameraId: z.string().regex(ID_PATTERN),
  start: z.string().meta({ format: 'date-time', description: 'range start (with end; not with recordingId)' }).optional(),
  end: z.string().meta({ format: 'date-time', description: 'range end, exclusive (with start)' }).optional(),
  recordingId: z.string().regex(/^[0-9]{13}-[0-9a-f]{12}$/).meta({ description: 'an EVR recording of the camera: its window (instead of start and end)' }).optional(),
});

/** A validated export request: a range (epoch ms UTC, half-open) or a recording id. */
export type ExportJobRequest = { cameraId: string; startMs: number; endMs: number } | { cameraId: string; recordingId: string };

/**
 * Validates an export request.
 * @throws ValidationError `InvalidExport` (wrong shape, unknown key, neither or both of range and recording),
 *   `InvalidDateTime`, `InvalidRange` (end ≤ start), `RangeTooLong` (over 24 h)
 */
export function parseExportJobBody(input: unknown): ExportJobRequest {
  const body = parseWith(exportJobBodySchema, input, 'export', 'InvalidExport');
  const hasRange = body.start !== undefined || body.end !== undefined;
  if (body.recordingId !== undefined) {
    if (hasRange) throw new ValidationError("export: give either 'start' and 'end', or 'recordingId', not both", undefined, 'InvalidExport');
    return { cameraId: body.cameraId, recordingId: body.recordingId };
  }
  if (body.start === undefined || body.end === undefined) throw new ValidationError("export: 'start' and 'end' (or 'recordingId') are required", undefined, 'InvalidExport');
  const startMs = parseIsoDateTime(body.start, "export 'start'");
  const endMs = parseIsoDateTime(body.end, "export 'end'");
  if (endMs <= startMs) throw new ValidationError(`export 'end' ${body.end} must be after 'start' ${body.start}`, undefined, 'InvalidRange');
  if (endMs - startMs > EXPORT_JOB_MAX_RANGE_MS) {
    throw new ValidationError(`export range spans ${toIsoDuration(endMs - startMs)}, more than the maximum ${toIsoDuration(EXPORT_JOB_MAX_RANGE_MS)}`, undefined, 'RangeTooLong');
  }
  return { cameraId: body.cameraId, startMs, endMs };
}
