import { NotFoundError, ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import type { RecordingRecord } from '../../shared/ports/recording-store';
import { RECORDING_ID_PATTERN } from '../../shared/contracts/upload-window';
import type { FunctionsDeps } from '../deps';

/**
 * The recording a `/api/cameras/{cameraId}/recordings/{recordingId}...` route names, from its path parameters.
 * @throws ValidationError `InvalidCameraId`; `InvalidRecordingId` when the id is not `{13-digit startMs}-{12 hex}`
 *   (RECORDING_ID_PATTERN, shared/contracts/upload-window.ts); NotFoundError `RecordingNotFound`; TransientError
 */
export async function lookUpRecording(deps: Pick<FunctionsDeps, 'recordings'>, params: Record<string, string | undefined>): Promise<RecordingRecord> {
  const cameraId = assertId('camera', params.cameraId ?? '');
  const recordingId = params.recordingId ?? '';
  if (!RECORDING_ID_PATTERN.test(recordingId)) {
    const shown = JSON.stringify(recordingId.length > 40 ? `${recordingId.slice(0, 40)}…` : recordingId);
    throw new ValidationError(`recording id ${shown} is invalid: expected {13-digit start ms}-{12 hex digits}, e.g. 1795255200000-0a1b2c3d4e5f`, undefined, 'InvalidRecordingId');
  }
  const recording = await deps.recordings.get(cameraId, recordingId);
  if (!recording) throw new NotFoundError(`camera '${cameraId}' has no recording '${recordingId}'`, 'RecordingNotFound');
  return recording;
}

/**
 * Stored bytes of a recording: the sum of the segment index rows overlapping its window (segments count whole, as
 * playback includes them whole). One range read of the index per recording.
 * @throws TransientError when storage fails
 */
export async function recordingBytes(deps: Pick<FunctionsDeps, 'segmentIndex'>, r: RecordingRecord): Promise<number> {
  const sizes = await deps.segmentIndex.listSegmentSizes(r.cameraId, r.startMs, r.endMs);
  return sizes.reduce((sum, s) => sum + s.bytes, 0);
}
