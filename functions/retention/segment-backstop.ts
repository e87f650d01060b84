import { BACKSTOP_ELIGIBLE, BACKSTOP_HELD } from '../../shared/backstop-tag';
import type { SegmentRecord } from '../../shared/contracts/device-events';
import { overlaps, type TimeRange } from '../../shared/time-ranges';
import type { FunctionsDeps } from '../deps';

export type SegmentBackstopDeps = Pick<FunctionsDeps, 'segmentBlobTags' | 'holds' | 'segmentIndex'>;

/**
 * Keeps the storage lifecycle backstop (infra/modules/storage.bicep) off held segments (docs/security.md "Holds hold
 * in Azure too"). The backstop deletes only blobs tagged `keepwatch-backstop=eligible` (shared/backstop-tag.ts), once
 * older than the longest retention a policy may set plus a margin; this tags each indexed segment eligible, then
 * re-tags `held` those a hold of its camera covers.
 *
 * Called by ingest after the segments' index rows are written. With {@link protectHeldSegments} (called after a hold
 * row is written) no interleaving leaves a held segment eligible: either the hold's scan of the index sees the row,
 * or this function's read of the holds, made after the row was written and the blob tagged, sees the hold.
 * Idempotent: a redelivered batch tags the same way.
 * @throws TransientError when storage fails (ingest's batch is retried)
 */
export async function markSegmentsForBackstop(segments: readonly SegmentRecord[], deps: SegmentBackstopDeps): Promise<void> {
  if (segments.length === 0) return;
  await deps.segmentBlobTags.setBackstop([...new Set(segments.map((s) => s.blobName))], BACKSTOP_ELIGIBLE);
  const byCamera = new Map<string, SegmentRecord[]>();
  for (const s of segments) byCamera.set(s.cameraId, [...(byCamera.get(s.cameraId) ?? []), s]);
  for (const [cameraId, own] of byCamera) {
    const holds = await deps.holds.list(cameraId);
    if (holds.length === 0) continue;
    const held = own.filter((s) => holds.some((h) => overlaps({ startMs: s.startMs, endMs: s.startMs + s.durationMs }, h)));
    if (held.length > 0) await deps.segmentBlobTags.setBackstop([...new Set(held.map((s) => s.blobName))], BACKSTOP_HELD);
  }
}

/**
 * Re-tags `held` every stored segment of `cameraId` overlapping `range` (a hold just written), so the storage
 * lifecycle backstop never deletes them; see {@link markSegmentsForBackstop} for the ordering that makes this safe
 * against a concurrent ingest. One Set Blob Tags per segment (8,640 for a day of 10 s segments).
 * @returns the number of segment blobs now protected
 * @throws TransientError when storage fails; the hold row stays (retention honours it) and the caller answers 503
 */
export async function protectHeldSegments(cameraId: string, range: TimeRange, deps: SegmentBackstopDeps): Promise<number> {
  const spans = await deps.segmentIndex.listSegmentSpans(cameraId, range.startMs, range.endMs);
  const names = [...new Set(spans.map((s) => s.blobName))];
  const { missing } = await deps.segmentBlobTags.setBackstop(names, BACKSTOP_HELD);
  return names.length - missing;
}
