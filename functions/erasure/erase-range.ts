import { MEDIA_ERASED, MEDIA_ERASURE_SOURCE, mediaErasedEventId, type MediaErasedData } from '../../shared/contracts/media-erasure';
import { planErasure } from '../../shared/erasure/plan-erasure';
import { ConflictError } from '../../shared/errors';
import type { IntegrationEvent } from '../../shared/ports/integration-events';
import { toIso } from '../../shared/time';
import type { TimeRange } from '../../shared/time-ranges';
import type { ErasureProgress } from '../adapters/table/table-retention-journal';
import type { FunctionsDeps } from '../deps';
import { deleteSegmentsInSteps, finishJournalledStep, rewriteRollupDays } from '../retention/segment-deletion';
import { eraseRangeArtefacts } from './erase-range-artefacts';

/** Segments per journalled step of an erasure (as retention's: one journal property holds 1 024 starts). */
export const ERASURE_STEP_SEGMENTS = 1024;

export type ErasureDeps = Pick<
  FunctionsDeps,
  'segmentIndex' | 'segmentBlobs' | 'availability' | 'previewCache' | 'manifestHours' | 'manifestRecordings' | 'signals' | 'cameras' | 'holds' | 'recordings' | 'erasureJournal' | 'integrationEvents' | 'now'
>;

/** What an erasure did, over all its runs (a resumed one answers the totals). Times epoch ms UTC, half-open. */
export interface ErasureResult {
  erasureId: string;
  cameraId: string;
  requested: TimeRange;
  /** The requested range widened to the whole segments deleted: no media is left in it. */
  covered: TimeRange;
  segments: number;
  /** Stored bytes of the deleted segments (the index's sizes). */
  bytes: number;
  recordingsDeleted: number;
  requestedAtMs: number;
  /** True when this call finished an erasure an earlier run had started. */
  resumed: boolean;
}

/** Options of {@link eraseRange}. */
export interface EraseRangeOptions {
  /** Segments per journalled step (default {@link ERASURE_STEP_SEGMENTS}). */
  stepSegments?: number;
}

/**
 * Erases `range` of one camera's archive on demand (a privacy request, a mistaken recording): every segment overlapping
 * it is deleted whole (blob, index row; media is never cut, so the covered range may reach up to one segment beyond
 * each end), the availability rollup of the touched days is recomputed, the per-range artefacts go
 * (functions/erasure/erase-range-artefacts.ts: recording rows wholly inside, manifests), the camera's first recorded
 * instant moves forward when the oldest media went, and a `media.erased` integration event is published.
 *
 * Journalled and resumable like retention, on the same journal table and deletion steps (functions/retention/
 * segment-deletion.ts), in the camera's own `erasure` row: the row is written (with the requested range and the
 * totals so far) before anything is deleted and removed after the event is published. An erasure that stopped midway
 * (process killed, storage failing) is finished by the next erasure of the camera (this function finishes a pending
 * one first, whatever its range) or by the next retention run (functions/retention/retention.ts): its journalled step
 * is finished, the index is scanned again for what is left of its range, and the same event id is published (at
 * least once). Holds are checked when an erasure is accepted; one accepted before a hold was made still finishes.
 * An erasure is accepted by creating its journal row (Insert): one never overwrites another's, so a second erasure of
 * the camera that starts while the first one's row exists either finishes the first (it finds the row first; both then
 * repeat idempotent deletes) or is refused with 409 `ErasureInProgress` (the row appeared after it looked).
 *
 * @param range requested half-open range, epoch ms UTC, end > start
 * @param erasureId the new erasure's id (UUID); a resumed erasure keeps its own
 * @throws ConflictError `RangeHeld` (409, nothing changed) when a hold overlaps the covered range, naming the holds;
 *   `ErasureInProgress` (409, nothing changed) when another erasure of the camera was accepted meanwhile
 * @throws TransientError when storage fails; the journal makes a repeat safe
 */
export async function eraseRange(cameraId: string, range: TimeRange, erasureId: string, deps: ErasureDeps, options: EraseRangeOptions = {}): Promise<ErasureResult> {
  const pending = await resumePendingErasure(cameraId, deps, options);
  if (pending && pending.erasureId !== erasureId && pending.requested.startMs === range.startMs && pending.requested.endMs === range.endMs) {
    return pending; // the same range asked again while (or after) its erasure stopped midway: that erasure's totals
  }
  const plan = planErasure(range, await deps.segmentIndex.listSegmentSizes(cameraId, range.startMs, range.endMs), await deps.holds.list(cameraId));
  if (plan.conflicts.length > 0) {
    const named = plan.conflicts.slice(0, 5).map((h) => `'${h.id}' (${toIso(h.startMs)}..${toIso(h.endMs)})`).join(', ');
    throw new ConflictError(
      `camera '${cameraId}': the range ${toIso(plan.covered.startMs)}..${toIso(plan.covered.endMs)} (whole segments) is under hold ${named}${plan.conflicts.length > 5 ? ` and ${plan.conflicts.length - 5} more` : ''}; delete the hold first`,
      'RangeHeld',
    );
  }
  const progress: ErasureProgress = {
    erasureId,
    requestedStartMs: range.startMs,
    requestedEndMs: range.endMs,
    requestedAtMs: deps.now(),
    coveredStartMs: plan.covered.startMs,
    coveredEndMs: plan.covered.endMs,
    segments: 0,
    bytes: 0,
  };
  if (!(await deps.erasureJournal.create(cameraId, { pendingStartsMs: [], rollupDaysMs: [], erasure: progress }))) {
    throw new ConflictError(`camera '${cameraId}': another erasure started just now and is running; retry when it is done`, 'ErasureInProgress');
  }
  return runErasure(cameraId, progress, new Set(), deps, options, false);
}

/**
 * Finishes the camera's erasure that stopped midway, if any (called first by {@link eraseRange} and by each retention
 * run, per camera).
 * @returns its result, or `undefined` when none was pending
 * @throws TransientError when storage fails
 */
export async function resumePendingErasure(cameraId: string, deps: ErasureDeps, options: EraseRangeOptions = {}): Promise<ErasureResult | undefined> {
  const journal = await deps.erasureJournal.read(cameraId);
  if (!journal?.erasure) {
    if (journal) await deps.erasureJournal.clear(cameraId); // a row without progress cannot be ours to finish
    return undefined;
  }
  await finishJournalledStep(cameraId, journal.pendingStartsMs, deps);
  return runErasure(cameraId, journal.erasure, new Set(journal.rollupDaysMs), deps, options, true);
}

/** The deletion steps, rollup, artefacts, first-recorded bound, event and journal removal of one accepted erasure. */
async function runErasure(
  cameraId: string,
  progress: ErasureProgress,
  rollupDays: Set<number>,
  deps: ErasureDeps,
  options: EraseRangeOptions,
  resumed: boolean,
): Promise<ErasureResult> {
  // Whatever of the range is still indexed (on a resume, the journalled step is already gone, so nothing counts twice).
  const left = await deps.segmentIndex.listSegmentSizes(cameraId, progress.requestedStartMs, progress.requestedEndMs);
  await deleteSegmentsInSteps(cameraId, left, rollupDays, deps, {
    stepSegments: options.stepSegments ?? ERASURE_STEP_SEGMENTS,
    writeJournal: async (chunk, rollupDaysMs) => {
      progress.segments += chunk.length;
      progress.bytes += chunk.reduce((sum, s) => sum + s.bytes, 0);
      progress.coveredStartMs = Math.min(progress.coveredStartMs, chunk[0].startMs);
      progress.coveredEndMs = Math.max(progress.coveredEndMs, ...chunk.map((s) => s.startMs + s.durationMs));
      await deps.erasureJournal.write(cameraId, { pendingStartsMs: chunk.map((s) => s.startMs), rollupDaysMs, erasure: progress });
    },
  });
  await rewriteRollupDays(cameraId, rollupDays, deps);
  const covered = { startMs: progress.coveredStartMs, endMs: progress.coveredEndMs };
  const { recordingsDeleted } = await eraseRangeArtefacts(cameraId, covered, deps);
  progress.recordingsDeleted = (progress.recordingsDeleted ?? 0) + recordingsDeleted;
  await deps.erasureJournal.write(cameraId, { pendingStartsMs: [], rollupDaysMs: [...rollupDays], erasure: progress });
  await advanceFirstRecorded(cameraId, covered, deps);

  const result: ErasureResult = {
    erasureId: progress.erasureId,
    cameraId,
    requested: { startMs: progress.requestedStartMs, endMs: progress.requestedEndMs },
    covered,
    segments: progress.segments,
    bytes: progress.bytes,
    recordingsDeleted: progress.recordingsDeleted,
    requestedAtMs: progress.requestedAtMs,
    resumed,
  };
  await deps.integrationEvents.publish([mediaErasedEvent(result, deps.now())]);
  await deps.erasureJournal.clear(cameraId);
  return result;
}

/** When the erased range reached the camera's first recorded instant, moves it to the earliest media left. */
async function advanceFirstRecorded(cameraId: string, covered: TimeRange, deps: ErasureDeps): Promise<void> {
  const camera = await deps.cameras.getCamera(cameraId);
  if (!camera || covered.startMs > camera.firstRecordedMs) return;
  const after = await deps.availability.listRanges(cameraId, covered.endMs, camera.lastRecordedMs + 1);
  await deps.cameras.advanceFirstRecorded(cameraId, after[0]?.startMs ?? camera.lastRecordedMs);
}

/** What an erasure did, as the `media.erased` event's `data` and the DELETE's answer both say it (ISO 8601 UTC). */
export function mediaErasedData(r: ErasureResult): MediaErasedData {
  return {
    erasureId: r.erasureId,
    cameraId: r.cameraId,
    requested: { start: toIso(r.requested.startMs), end: toIso(r.requested.endMs) },
    covered: { start: toIso(r.covered.startMs), end: toIso(r.covered.endMs) },
    segments: r.segments,
    bytes: r.bytes,
    recordingsDeleted: r.recordingsDeleted,
    requestedAt: toIso(r.requestedAtMs),
  };
}

/** The `media.erased` CloudEvent of an erasure (shared/contracts/media-erasure.ts; docs/events.md). */
export function mediaErasedEvent(r: ErasureResult, timeMs: number): IntegrationEvent {
  const data = mediaErasedData(r);
  return {
    specversion: '1.0',
    id: mediaErasedEventId(r.erasureId),
    source: MEDIA_ERASURE_SOURCE,
    type: MEDIA_ERASED,
    time: toIso(timeMs),
    subject: r.cameraId,
    datacontenttype: 'application/json',
    data: { ...data },
  };
}
