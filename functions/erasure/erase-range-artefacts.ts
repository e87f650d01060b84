import type { TimeRange } from '../../shared/time-ranges';
import type { FunctionsDeps } from '../deps';

export type RangeArtefactsDeps = Pick<FunctionsDeps, 'recordings' | 'manifestRecordings' | 'signals'>;

/**
 * Deletes or rewrites what describes the media of an erased range, once its segments (blobs, index rows, rollup) are
 * gone: THE one place where an erasure on demand touches per-range artefacts other than segments.
 * - EVR recording rows whose whole window lies inside `covered` are deleted (nothing of their media is left); a
 *   recording only partly inside keeps its row (its other media stays playable, with a gap).
 * - Asset manifests (docs/contracts.md "Asset manifests"): the hours' manifests were marked dirty by the segment
 *   deletion itself (functions/retention/segment-deletion.ts) before any blob went, so playback scans those hours and
 *   the `manifests` timer rewrites them without the erased segments, or deletes them with their last segment; here
 *   every recording overlapping `covered` is marked dirty before a row is deleted, so the timer rewrites a partly
 *   erased recording's manifest and deletes a wholly erased one's. Cached previews went with their segments
 *   (segment-deletion.ts).
 * - The signals stored with media time inside `covered` (`{prefix}Signals`, listed by `GET …/signals`) are deleted:
 *   they describe the erased media (boxes, labels) and a privacy request covers them too.
 * Idempotent: a resumed erasure calls it again.
 * @param covered the range that holds no media any more (epoch ms UTC, half-open)
 * @returns recording rows deleted by this call
 * @throws TransientError when storage fails (the erasure's journal makes a repeat safe)
 */
export async function eraseRangeArtefacts(cameraId: string, covered: TimeRange, deps: RangeArtefactsDeps): Promise<{ recordingsDeleted: number }> {
  const overlapping = await deps.recordings.list(cameraId, covered);
  if (overlapping.length > 0) await deps.manifestRecordings.markDirty(overlapping.map((r) => ({ cameraId, id: r.id })));
  await deps.signals.removeRange(cameraId, covered);
  const inside = overlapping.filter((r) => r.startMs >= covered.startMs && r.endMs <= covered.endMs);
  const recordingsDeleted = inside.length > 0 ? await deps.recordings.remove(cameraId, inside.map((r) => r.id)) : 0;
  return { recordingsDeleted };
}
