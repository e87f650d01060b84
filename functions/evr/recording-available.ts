import type { InvocationContext } from '@azure/functions';
import { RECORDING_AVAILABLE, recordingEvent } from '../../shared/evr/recording-plan';
import type { IntegrationEvent } from '../../shared/ports/integration-events';
import type { SegmentRecord } from '../../shared/schemas/device-events';
import type { FunctionsDeps } from '../deps';

export type RecordingAvailableDeps = Pick<FunctionsDeps, 'recordings' | 'integrationEvents' | 'now'>;

/**
 * `recording.available` (AVA RecordingAvailable, azure-lva-ava.md §3): for each indexed segment, the camera's
 * recordings overlapping it are marked available (RecordingStore.markAvailable, true once), and each one marked by
 * this call gets its event, id `recording-available-{apiId}` (a replay publishes nothing: markAvailable is false).
 * If publishing fails after marking, the event is lost for that recording: the batch replay finds it already marked.
 * To keep that window small the events go out right after the marks, before anything else.
 * @param segments the batch's `segment.uploaded` segments (any order, any cameras)
 * @returns how many recordings became available
 * @throws TransientError when storage fails
 */
export async function markRecordingsAvailable(segments: readonly SegmentRecord[], context: InvocationContext, deps: RecordingAvailableDeps): Promise<number> {
  const events: IntegrationEvent[] = [];
  const nowMs = deps.now();
  for (const seg of segments) {
    const found = await deps.recordings.list(seg.cameraId, { startMs: seg.startMs, endMs: seg.startMs + seg.durationMs });
    for (const r of found) {
      if (r.availableAtMs !== undefined) continue;
      if (await deps.recordings.markAvailable(r.cameraId, r.id, nowMs)) {
        events.push(recordingEvent(RECORDING_AVAILABLE, r, nowMs));
        context.log('recording available', { cameraId: r.cameraId, recordingId: r.id, segmentStartMs: seg.startMs });
      }
    }
  }
  await deps.integrationEvents.publish(events);
  return events.length;
}
