import { z } from 'zod';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { HOUR_MS, MINUTE_MS, parseIsoDateTime, toIso } from '../time';
import { cloudEventSchema } from './device-events';
import { parseWith } from '../validation/format-issues';

/**
 * The cloud's command to an agent in EVR mode: upload the cached segments that overlap a recording window
 * (docs/contracts.md "EVR in the cloud", "EVR on the agent"). Sent by the EVR policy (functions/evr/) for every gate
 * decision `opened`, `extended` and `closed` (shared/evr/signal-gate.ts), as a CloudEvent, JSON structured mode, QoS 1,
 * on `keepwatch/{deviceId}/commands/{cameraId}` (shared/contracts/topics.ts `cameraCommandsTopic`):
 *
 * ```json
 * {
 *   "specversion": "1.0", "id": "window-1795276431626-3f2a9c0d1b4e-2", "source": "/keepwatch/evr-policy",
 *   "type": "command.upload-window", "subject": "door", "time": "2026-11-21T10:00:03.000Z",
 *   "datacontenttype": "application/json",
 *   "data": { "cameraId": "door", "recordingId": "1795276431626-3f2a9c0d1b4e", "start": "2026-11-21T09:59:55.000Z",
 *             "end": "2026-11-21T10:00:10.000Z", "final": false, "sequence": 2 }
 * }
 * ```
 * - `recordingId`: the recording's API id (functions' `recordingApiId`); one window per recording;
 * - `[start, end)`: the whole window as it stands now (not a delta), UTC ms; later commands for the same recording
 *   only move `end` later; `final: true` once the gate closed it (no later command changes it);
 * - `sequence`: 0 for the opening, +1 per extension, and one more for the final command; the agent keeps the command
 *   with the highest sequence per recording, so redelivered or reordered commands change nothing.
 * The agent uploads every cached segment overlapping [start, end) (half-open), including ones recorded later.
 */
export const UPLOAD_WINDOW_COMMAND = 'command.upload-window';

/** CloudEvents `source` of commands from the EVR policy. */
export const EVR_POLICY_SOURCE = '/keepwatch/evr-policy';

/** A recording's API id: `{13-digit start ms}-{12 hex}` (sorts by start; shared/evr/recording-id.ts makes it). */
export const RECORDING_ID_PATTERN = /^\d{13}-[0-9a-f]{12}$/;

/** Longest window one command may carry: the gate's maximum activation (1 h) plus its largest pre-roll (1 min). */
export const UPLOAD_WINDOW_MAX_MS = HOUR_MS + MINUTE_MS;

export const uploadWindowDataSchema = z.strictObject({
  cameraId: z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -'),
  recordingId: z.string().regex(RECORDING_ID_PATTERN, 'expected a recording id {13 digits}-{12 hex digits}'),
  start: z.string(),
  end: z.string(),
  final: z.boolean(),
  sequence: z.number().int().min(0).max(1_000_000),
});

/** One upload window as the agent keeps it (epoch ms UTC, [startMs, endMs)). */
export interface UploadWindow {
  cameraId: string;
  recordingId: string;
  startMs: number;
  endMs: number;
  final: boolean;
  sequence: number;
}

/** The CloudEvent id of a window command: `window-{recordingId}-{sequence}`. */
export function uploadWindowCommandId(w: Pick<UploadWindow, 'recordingId' | 'sequence'>): string {
  return `window-${w.recordingId}-${w.sequence}`;
}

/**
 * The command CloudEvent for a window (what the EVR policy publishes).
 * @param nowMs event time, epoch ms
 */
export function uploadWindowCommand(w: UploadWindow, nowMs: number): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: uploadWindowCommandId(w),
    source: EVR_POLICY_SOURCE,
    type: UPLOAD_WINDOW_COMMAND,
    subject: w.cameraId,
    time: toIso(nowMs),
    datacontenttype: 'application/json',
    data: { cameraId: w.cameraId, recordingId: w.recordingId, start: toIso(w.startMs), end: toIso(w.endMs), final: w.final, sequence: w.sequence },
  };
}

/**
 * Validates a command CloudEvent as the agent receives it.
 * @param topicCameraId the camera of the topic it came on; `data.cameraId` must match
 * @throws ValidationError `InvalidCommand` naming every issue (envelope, type, data, end ≤ start, window > 61 min,
 *   camera mismatch)
 */
export function parseUploadWindowCommand(raw: unknown, topicCameraId: string): UploadWindow {
  const e = parseWith(cloudEventSchema, raw, 'command', 'InvalidCommand');
  if (e.type !== UPLOAD_WINDOW_COMMAND) throw new ValidationError(`command ${e.id}: unknown type ${JSON.stringify(e.type)}`, undefined, 'InvalidCommand');
  const d = parseWith(uploadWindowDataSchema, e.data, `command ${e.id} data`, 'InvalidCommand');
  if (d.cameraId !== topicCameraId) throw new ValidationError(`command ${e.id}: cameraId '${d.cameraId}' does not match the topic's camera '${topicCameraId}'`, undefined, 'InvalidCommand');
  let startMs: number;
  let endMs: number;
  try {
    startMs = parseIsoDateTime(d.start, 'start');
    endMs = parseIsoDateTime(d.end, 'end');
  } catch (err) {
    throw new ValidationError(`command ${e.id}: ${(err as Error).message}`, undefined, 'InvalidCommand');
  }
  if (endMs <= startMs || endMs - startMs > UPLOAD_WINDOW_MAX_MS) {
    throw new ValidationError(`command ${e.id}: window ${d.start} .. ${d.end} must end after it starts and last at most 61 min`, undefined, 'InvalidCommand');
  }
  return { cameraId: d.cameraId, recordingId: d.recordingId, startMs, endMs, final: d.final, sequence: d.sequence };
}
