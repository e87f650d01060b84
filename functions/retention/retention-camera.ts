import type { CameraRecord } from '../adapters/table/table-camera-store';
import type { SegmentSize } from '../../shared/ports/segment-index';
import { planRetention } from '../../shared/retention/plan-retention';
import { defaultRecordingPolicy, retentionRule, type RecordingPolicyDocument } from '../../shared/schemas/recording-policy';
import type { FunctionsDeps } from '../deps';
import { deleteSegmentsInSteps, finishJournalledStep, rewriteRollupDays } from './segment-deletion';

/**
 * Segments per step: one journal write, then their blobs (4 Blob Batch requests of 256 in parallel), then their index
 * rows. 1 024 starts fit one journal property (functions/adapters/table/table-retention-journal.ts).
 */
export const RETENTION_STEP_SEGMENTS = 1024;

export type CameraRetentionDeps = Pick<
  FunctionsDeps,
  'settings' | 'segmentIndex' | 'availability' | 'cameras' | 'policies' | 'holds' | 'segmentBlobs' | 'retentionJournal' | 'recordings' | 'previewCache' | 'manifestHours' | 'manifestRecordings' | 'signals'
>;

/** Test seams: a hook that throws simulates a crash at that point. */
export interface RetentionHooks {
  /** Called after a step's blobs are deleted and before its index rows are. */
  afterBlobDeletes?(cameraId: string, step: number): void | Promise<void>;
  /** Called after every index row is deleted and before the rollup days are rewritten (and the recording rows deleted). */
  beforeRollupRewrite?(cameraId: string): void | Promise<void>;
}

/** Segments and bytes deleted for one cause. */
export interface RetentionCount {
  segments: number;
  bytes: number;
}

/** What one camera's pass did. */
export interface CameraRetentionResult {
  cameraId: string;
  /** The policy applied, and whether it was the default (no stored policy). */
  policy: RecordingPolicyDocument;
  policyIsDefault: boolean;
  age: RetentionCount;
  size: RetentionCount;
  /** Segments that retention would have deleted but a hold protects. */
  held: number;
  /** Segments of an unfinished earlier pass (from the journal) whose deletion this pass finished. */
  resumed: number;
  /** Blob deletes that found no blob (404; deleted earlier). */
  missingBlobs: number;
  /** False when held segments keep the archive above its size cap. */
  sizeCapMet: boolean;
  /** EVR recording rows deleted (window ended at or before now − `retention.recordings`). */
  recordingsDeleted: number;
  /** Expired recording rows kept because they are held. */
  recordingsHeld: number;
}

/**
 * Applies one camera's retention: the age rules (`retention.archive`, and `retention.recordings` for segments
 * overlapping an EVR recording), the size cap (`retention.maximumSizeMiB`, oldest first) and its holds
 * (shared/retention/plan-retention.ts), then deletes blobs, index rows, fixes the availability rollup and the
 * camera's first recorded instant, and deletes the expired recording rows.
 *
 * Order, and why a crash anywhere is finished by the next pass:
 * 1. The journal row (`{prefix}Retention`) is read; what an earlier pass left pending is finished first: its blobs
 *    deleted again (404 = already gone) and its index rows deleted (missing = already gone).
 * 2. The plan is made from the index rows, the policy and the holds.
 * 3. Per step of ≤ {@link RETENTION_STEP_SEGMENTS} segments (functions/retention/segment-deletion.ts, which erasure on
 *    demand shares): the journal is written with the step's segment starts
 *    and every rollup day touched so far; THEN their archive hours are marked dirty (their manifests are rewritten
 *    by the manifest writer, docs/contracts.md "Asset manifests"); THEN the segments' cached preview images (one listing per UTC hour,
 *    functions/adapters/blob/blob-preview-cache.ts) and the blobs are deleted (Blob Batch); THEN the index rows (≤ 100-row
 *    transactions). A crash after the blob deletes leaves index rows pointing at deleted blobs, but those rows are in
 *    the journal, so the next pass deletes them in its step 1 even if the policy changed meanwhile: no row points at
 *    a deleted blob for longer than one run. Deleting rows first would instead leave blobs no index row names, which
 *    nothing would ever find again.
 * 4. Each journalled rollup day is recomputed from the index rows that remain (TableAvailabilityStore.rewriteDay, safe
 *    against a concurrent ingest); a day with nothing left loses its row.
 * 5. The camera's first recorded instant moves forward to the earliest remaining segment.
 * 6. The expired recording rows are deleted (RecordingStore.remove), after their segments: a crash before this
 *    leaves rows whose segments are gone, and the next pass plans them again (their age does not change; a row is
 *    kept only while a segment it overlaps stays), so no row points at deleted media for longer than one run.
 *    Deleting rows first would instead leave segments governed by the archive retention, not the recordings one.
 *    Then the camera's stored signals older than the longer of the two retentions are deleted (idempotent).
 * 7. The journal row is removed. A crash before this repeats 4 to 6, which are idempotent.
 * A hold created after a pass crashed does not stop the journalled step from finishing: its blobs may already be gone.
 *
 * @param camera the camera row (first/last recorded bound the index scan)
 * @param nowMs the pass's clock, epoch ms UTC
 * @throws TransientError (or the storage error) when storage fails; the journal makes a repeat safe
 */
export async function applyCameraRetention(
  camera: CameraRecord,
  deps: CameraRetentionDeps,
  nowMs: number,
  hooks: RetentionHooks = {},
  stepSegments = RETENTION_STEP_SEGMENTS,
): Promise<CameraRetentionResult> {
  const { cameraId } = camera;
  const journal = await deps.retentionJournal.read(cameraId);
  const rollupDays = new Set<number>(journal?.rollupDaysMs ?? []);
  const resumed = journal?.pendingStartsMs.length ?? 0;
  let { missingBlobs } = await finishJournalledStep(cameraId, journal?.pendingStartsMs ?? [], deps);

  const stored = await deps.policies.get(cameraId);
  const policy = stored?.document ?? defaultRecordingPolicy(deps.settings.retentionDefault);
  const rule = retentionRule(policy);
  const holds = await deps.holds.list(cameraId);
  // A segment may expire only when it ends at or before now − the shorter retention (the recordings one applies only
  // to segments overlapping a recording), and a recording row only when it ends at or before now − recordings: the
  // rows overlapping anything before now − the shorter retention are all the plan needs.
  const minRetentionMs = Math.min(rule.archiveMs, rule.recordingsMs);
  const recordings = await deps.recordings.list(cameraId, { startMs: 0, endMs: nowMs - minRetentionMs });
  const ageHorizonMs = recordings.length > 0 ? nowMs - minRetentionMs : nowMs - rule.archiveMs;
  const scanFromMs = camera.firstRecordedMs;
  // Without a size cap only segments that may be expired are read; with one, the whole archive (its bytes count).
  const scanToMs = rule.maximumSizeBytes === undefined ? Math.min(ageHorizonMs, camera.lastRecordedMs + 1) : camera.lastRecordedMs + 1;
  const segments = scanToMs > scanFromMs ? await deps.segmentIndex.listSegmentSizes(cameraId, scanFromMs, scanToMs) : [];
  const plan = planRetention(segments, holds, rule, nowMs, recordings);

  const doomed = [...plan.byAge, ...plan.bySize].sort((a, b) => a.startMs - b.startMs);
  missingBlobs += (
    await deleteSegmentsInSteps(cameraId, doomed, rollupDays, deps, {
      stepSegments,
      writeJournal: (chunk, rollupDaysMs) => deps.retentionJournal.write(cameraId, { pendingStartsMs: chunk.map((s) => s.startMs), rollupDaysMs }),
      afterBlobDeletes: (step) => hooks.afterBlobDeletes?.(cameraId, step),
    })
  ).missingBlobs;

  await hooks.beforeRollupRewrite?.(cameraId);
  await rewriteRollupDays(cameraId, rollupDays, deps);

  if (doomed.length > 0 || resumed > 0) {
    await deps.cameras.advanceFirstRecorded(cameraId, await earliestRemaining(deps, camera, segments, new Set(doomed), scanToMs));
  }
  // Their asset manifests go with them: marked dirty first, the manifests timer deletes a gone recording's manifests.
  if (plan.recordingsExpired.length > 0) await deps.manifestRecordings.markDirty(plan.recordingsExpired);
  const recordingsDeleted = plan.recordingsExpired.length > 0 ? await deps.recordings.remove(cameraId, plan.recordingsExpired.map((r) => r.id)) : 0;
  // Stored signals (GET /cameras/{id}/signals) live as long as the longer retention: a signal older than both opened no
  // recording that is still kept.
  await deps.signals.removeBefore(cameraId, nowMs - Math.max(rule.archiveMs, rule.recordingsMs));
  if (journal || doomed.length > 0) await deps.retentionJournal.clear(cameraId);

  const count = (list: readonly SegmentSize[]): RetentionCount => ({ segments: list.length, bytes: list.reduce((sum, s) => sum + s.bytes, 0) });
  return {
    cameraId,
    policy,
    policyIsDefault: !stored,
    age: count(plan.byAge),
    size: count(plan.bySize),
    held: plan.held,
    resumed,
    missingBlobs,
    sizeCapMet: plan.sizeCapMet,
    recordingsDeleted,
    recordingsHeld: plan.recordingsHeld,
  };
}

/**
 * Start of the earliest segment left: the first scanned one not deleted, else the first stored range after the scan
 * (from the rollup, already rewritten), else the end of the archive (nothing left: first = last).
 */
async function earliestRemaining(
  deps: CameraRetentionDeps,
  camera: CameraRecord,
  scanned: readonly SegmentSize[],
  deleted: ReadonlySet<SegmentSize>,
  scanToMs: number,
): Promise<number> {
  const kept = scanned.find((s) => !deleted.has(s));
  if (kept) return kept.startMs;
  if (scanToMs > camera.lastRecordedMs) return camera.lastRecordedMs;
  const after = await deps.availability.listRanges(camera.cameraId, scanToMs, camera.lastRecordedMs + 1);
  return after[0]?.startMs ?? camera.lastRecordedMs;
}
