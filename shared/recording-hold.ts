import type { Hold } from './ports/hold-store';
import type { RecordingRecord } from './ports/recording-store';
import { toIso } from './time';

/** Prefix of the hold ids that hold a recording (`rec-{recordingId}`); other holds are UUIDs, so they never collide. */
export const RECORDING_HOLD_PREFIX = 'rec-';

/**
 * The id of the hold that holds recording `recordingId`: `rec-{recordingId}` (30 characters for a
 * RECORDING_ID_PATTERN id, inside the hold id rule `[a-z0-9-]{1,64}` of shared/ports/hold-store.ts). Deterministic,
 * so holding a recording twice finds the first hold instead of making a second one.
 */
export function recordingHoldId(recordingId: string): string {
  return `${RECORDING_HOLD_PREFIX}${recordingId}`;
}

/**
 * The hold that keeps a recording's segments from retention: its window [startMs, endMs) as it is now (epoch ms UTC),
 * reason `recording {id}`. A recording still being extended grows past it; holding it again after it completes
 * widens the hold (functions/recordings/recording-hold-create.ts).
 * @param nowMs the hold's createdAtMs, epoch ms UTC
 */
export function recordingHold(recording: RecordingRecord, nowMs: number): Hold {
  return {
    id: recordingHoldId(recording.id),
    cameraId: recording.cameraId,
    startMs: recording.startMs,
    endMs: recording.endMs,
    reason: `recording ${recording.id} (${toIso(recording.startMs)} .. ${toIso(recording.endMs)})`,
    createdAtMs: nowMs,
  };
}
