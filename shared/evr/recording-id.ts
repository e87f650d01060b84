import { createHash } from 'node:crypto';

/**
 * A recording's API id: `{13-digit startMs}-{first 12 hex of sha256(cameraId + "\n" + gateRecordingId)}`
 * (shared/contracts/upload-window.ts `RECORDING_ID_PATTERN`), so ids sort by start within a camera and the same gate
 * recording always gets the same id (redelivered batches, replays).
 * The start must be the one the gate fixed when it opened the recording (`opened.startMs`): shared/evr/signal-gate.ts
 * never moves an activation's `startMs` after that (extensions only move `endMs`), so the id is stable.
 * @param cameraId camera id
 * @param gateRecordingId the gate's recording id (the id of the opening signal)
 * @param startMs window start, epoch ms UTC, 0 ≤ startMs < 10^13
 * @throws RangeError when startMs is not a non-negative integer below 10^13
 */
export function recordingApiId(cameraId: string, gateRecordingId: string, startMs: number): string {
  if (!Number.isSafeInteger(startMs) || startMs < 0 || startMs >= 1e13) throw new RangeError(`recording start ${startMs} is not an epoch ms of 13 digits or fewer`);
  const hash = createHash('sha256').update(`${cameraId}\n${gateRecordingId}`).digest('hex').slice(0, 12);
  return `${String(startMs).padStart(13, '0')}-${hash}`;
}
