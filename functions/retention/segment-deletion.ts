import { segmentBlobNamer } from '../../shared/contracts/blob-naming';
import { splitByUtcDay } from '../../shared/availability/split-by-utc-day';
import type { SegmentSpan } from '../../shared/ports/segment-index';
import { DAY_MS } from '../../shared/time';
import type { FunctionsDeps } from '../deps';

/**
 * The journalled deletion of stored segments that retention (functions/retention/retention-camera.ts) and erasure on
 * demand (functions/erasure/erase-range.ts) share: the journal is written before the blobs go, the blobs before the
 * index rows, and the availability rollup is recomputed from the rows that remain, so a crash anywhere is finished by
 * the next pass (the order and why: retention-camera.ts).
 */
export type SegmentDeletionDeps = Pick<FunctionsDeps, 'segmentIndex' | 'segmentBlobs' | 'availability' | 'previewCache' | 'manifestHours'>;

/** What {@link deleteSegmentsInSteps} is told to do around each step. */
export interface SegmentDeletionSteps<T extends SegmentSpan> {
  /** Segments per step (one journal write, then the step's blobs, then its index rows). */
  stepSegments: number;
  /**
   * Writes the journal before the step's blobs are deleted: the step's segments (whose blobs may be gone and rows
   * remain after a crash) and every rollup day touched so far (UTC day starts, epoch ms, sorted).
   */
  writeJournal(step: readonly T[], rollupDaysMs: number[]): Promise<void>;
  /** Test seam (retention's hooks): called after a step's blobs are deleted and before its index rows are. */
  afterBlobDeletes?(step: number): void | Promise<void>;
}

/**
 * Deletes `doomed` segments of one camera in journalled steps: per step, the journal; then their archive hours are
 * marked dirty (docs/contracts.md "Asset manifests": playback scans them until their manifests are rewritten); then
 * the segments' cached
 * preview images (functions/adapters/blob/blob-preview-cache.ts) and the blobs (Blob Batch, 404 = already gone); then
 * the index rows. Adds every UTC day each segment touches to `rollupDays` (the caller
 * rewrites them with {@link rewriteRollupDays} once every step is done).
 * @param doomed segments of `cameraId`, sorted by start
 * @returns blob deletes that found no blob (deleted earlier)
 * @throws TransientError (or the storage error) when storage fails; the journal makes a repeat safe
 */
export async function deleteSegmentsInSteps<T extends SegmentSpan>(
  cameraId: string,
  doomed: readonly T[],
  rollupDays: Set<number>,
  deps: SegmentDeletionDeps,
  steps: SegmentDeletionSteps<T>,
): Promise<{ missingBlobs: number }> {
  let missingBlobs = 0;
  for (let i = 0, step = 0; i < doomed.length; i += steps.stepSegments, step++) {
    const chunk = doomed.slice(i, i + steps.stepSegments);
    for (const s of chunk) for (const piece of splitByUtcDay({ startMs: s.startMs, endMs: s.startMs + s.durationMs })) rollupDays.add(piece.dayStartMs);
    await steps.writeJournal(chunk, [...rollupDays].sort((a, b) => a - b));
    // Before any blob goes: the hours' manifests would list deleted segments, so playback scans them until the
    // manifest writer has written their next version (or removed them with their last segment).
    await deps.manifestHours.markDirty(chunk.map((s) => ({ cameraId, startMs: s.startMs })));
    // Their cached previews first (shared/contracts/preview-blob-naming.ts): a crash between the two repeats both.
    await deps.previewCache.deleteForSegments(cameraId, chunk.map((s) => s.startMs));
    missingBlobs += (await deps.segmentBlobs.deleteBlobs(chunk.map((s) => s.blobName))).missing;
    await steps.afterBlobDeletes?.(step);
    await deps.segmentIndex.deleteSegments(cameraId, chunk.map((s) => s.startMs));
  }
  return { missingBlobs };
}

/**
 * Finishes the step a crashed pass journalled: marks their archive hours dirty again, deletes the cached previews and the blobs of the segments starting at
 * `pendingStartsMs` again (404 = already gone) and their index rows (missing = already gone). Idempotent.
 * @returns blob deletes that found no blob
 * @throws TransientError when storage fails
 */
export async function finishJournalledStep(cameraId: string, pendingStartsMs: readonly number[], deps: SegmentDeletionDeps): Promise<{ missingBlobs: number }> {
  if (pendingStartsMs.length === 0) return { missingBlobs: 0 };
  await deps.manifestHours.markDirty(pendingStartsMs.map((startMs) => ({ cameraId, startMs })));
  await deps.previewCache.deleteForSegments(cameraId, pendingStartsMs);
  const { missing } = await deps.segmentBlobs.deleteBlobs(pendingStartsMs.map(segmentBlobNamer(cameraId)));
  await deps.segmentIndex.deleteSegments(cameraId, pendingStartsMs);
  return { missingBlobs: missing };
}

/**
 * Recomputes each availability rollup day of `cameraId` from the index rows that remain
 * (TableAvailabilityStore.rewriteDay, safe against a concurrent ingest); a day with nothing left loses its row.
 * @param daysMs UTC day starts, epoch ms, any order
 * @throws TransientError when storage fails; idempotent
 */
export async function rewriteRollupDays(cameraId: string, daysMs: Iterable<number>, deps: SegmentDeletionDeps): Promise<void> {
  for (const dayStartMs of [...daysMs].sort((a, b) => a - b)) {
    await deps.availability.rewriteDay(cameraId, dayStartMs, async () =>
      (await deps.segmentIndex.listSegmentSpans(cameraId, dayStartMs, dayStartMs + DAY_MS)).map((s) => ({ startMs: s.startMs, endMs: s.startMs + s.durationMs })),
    );
  }
}
