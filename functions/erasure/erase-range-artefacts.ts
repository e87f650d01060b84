import type { TimeRange } from '../../shared/time-ranges';
import type { FunctionsDeps } from '../deps';

export type RangeArtefactsDeps = Pick<FunctionsDeps, 'recordings'>;

/**
 * Deletes or rewrites what describes the media of an erased range, once its segments (blobs, index rows, rollup) are
 * gone: THE one place where an erasure on demand touches per-range artefacts other than segments.
 * - EVR recording rows whose whole window lies inside `covered` are deleted (nothing of their media is left); a
 *   recording only partly inside keeps its row (its other media stays playable, with a gap).
 * - Asset manifests (the immutable HLS + JSON manifest beside the media per closed hour and per EVR recording) and
 *   any cached preview of the range belong here too: a manifest whose hour or recording lies wholly inside `covered`
 *   is deleted; one that overlaps it is rewritten without the erased segments (the only rewrite besides retention's).
 * Idempotent: a resumed erasure calls it again.
 * @param covered the range that holds no media any more (epoch ms UTC, half-open)
 * @returns recording rows deleted by this call
 * @throws TransientError when storage fails (the erasure's journal makes a repeat safe)
 */
export async function eraseRangeArtefacts(cameraId: string, covered: TimeRange, deps: RangeArtefactsDeps): Promise<{ recordingsDeleted: number }> {
  const inside = (await deps.recordings.list(cameraId, covered)).filter((r) => r.startMs >= covered.startMs && r.endMs <= covered.endMs);
  const recordingsDeleted = inside.length > 0 ? await deps.recordings.remove(cameraId, inside.map((r) => r.id)) : 0;
  return { recordingsDeleted };
}
