import type { InvocationContext } from '@azure/functions';
import { RECORDING_AVAILABLE, recordingEvent } from '../../shared/evr/recording-plan';
import type { RecordingRecord } from '../../shared/ports/recording-store';
import type { SegmentRecord } from '../../shared/contracts/device-events';
import type { FunctionsDeps } from '../deps';

export type RecordingAvailableDeps = Pick<FunctionsDeps, 'recordings' | 'integrationEvents' | 'manifestRecordings' | 'now'>;

/**
 * `recording.available` (AVA RecordingAvailable, docs/reference/ava-behaviour.md "Events"): for each indexed segment,
 * the camera's recordings overlapping it that are not yet available get their event, id `recording-available-{apiId}`,
 * and are then marked available (RecordingStore.markAvailable, true once). Publish first, mark second: if publishing
 * fails, nothing is marked and the host's replay of the batch publishes again; if marking fails after publishing, the
 * replay publishes the same event id again (at least once, never lost; consumers deduplicate CloudEvents by id). A
 * replay after both succeeded publishes nothing. Every recording a segment overlaps — available already or not — is
 * marked dirty for its asset manifest first (a late segment re-opens a written one; docs/contracts.md "Asset manifests").
 * @param segments the batch's `segment.uploaded` segments (any order, any cameras)
 * @returns how many recordings became available
 * @throws TransientError when storage or the integration-event sink fails (the batch is retried)
 */
export async function markRecordingsAvailable(segments: readonly SegmentRecord[], context: InvocationContext, deps: RecordingAvailableDeps): Promise<number> {
  const nowMs = deps.now();
  const pending = new Map<string, RecordingRecord>();
  const touched = new Map<string, RecordingRecord>();
  for (const seg of segments) {
    const found = await deps.recordings.list(seg.cameraId, { startMs: seg.startMs, endMs: seg.startMs + seg.durationMs });
    for (const r of found) {
      touched.set(`${r.cameraId}/${r.id}`, r);
      if (r.availableAtMs === undefined) pending.set(`${r.cameraId}/${r.id}`, r);
    }
  }
  // Their asset manifests are (re)written by the manifests timer once they are complete (functions/manifests/).
  await deps.manifestRecordings.markDirty([...touched.values()]);
  if (pending.size === 0) return 0;
  await deps.integrationEvents.publish([...pending.values()].map((r) => recordingEvent(RECORDING_AVAILABLE, r, nowMs)));
  let marked = 0;
  for (const r of pending.values()) {
    if (await deps.recordings.markAvailable(r.cameraId, r.id, nowMs)) {
      marked++;
      context.log('recording available', { cameraId: r.cameraId, recordingId: r.id });
    }
  }
  return marked;
}
