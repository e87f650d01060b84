import type { InvocationContext, Timer } from '@azure/functions';
import { KeepwatchError, toError } from '../../shared/errors';
import { redact } from '../../shared/redact';
import { toIso } from '../../shared/time';
import { registerTimer } from '../app';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { backfillHours, type BackfillDeps, type BackfillSummary } from './backfill-hours';
import { writeHourManifest, type HourManifestDeps, type HourManifestResult } from './write-hour-manifest';
import { writeRecordingManifest, type RecordingManifestDeps, type RecordingManifestOutcome } from './write-recording-manifest';

/** NCRONTAB schedule of the `manifests` timer: every 5 minutes, at second 30 (UTC). */
export const MANIFESTS_SCHEDULE = '30 */5 * * * *';

/** Most hours one run (re)writes; the rest wait for the next run (a timer invocation has a time limit). */
export const MANIFEST_HOURS_PER_RUN = 500;

/** What one `manifests` run did. */
export interface ManifestRunSummary {
  invocationId: string;
  /** Dirty hours found that had closed (ended more than `KEEPWATCH_MANIFEST_GRACE` ago). */
  dirty: number;
  /** Per outcome (functions/manifests/write-hour-manifest.ts). */
  outcomes: Record<HourManifestResult['outcome'], number>;
  /** EVR recordings marked dirty, and what became of each (functions/manifests/write-recording-manifest.ts). */
  recordings: { dirty: number; outcomes: Record<RecordingManifestOutcome, number> };
  /** The backfill of archives indexed before manifests (functions/manifests/backfill-hours.ts); absent when it failed as a whole. */
  backfill?: BackfillSummary;
  /** Hours (`hour`) and recordings (`recordingId`) whose writing failed, with the error; they stay dirty for the next run. */
  failed: Array<{ cameraId: string; hour?: string; recordingId?: string; code: string; message: string }>;
}

export type ManifestRunDeps = HourManifestDeps & RecordingManifestDeps & BackfillDeps & Pick<FunctionsDeps, 'settings'>;

/**
 * The `manifests` timer function ({@link MANIFESTS_SCHEDULE}): writes the asset manifest of every archive hour that
 * is dirty (segments indexed or deleted since its manifest, or none yet) and ended at least `KEEPWATCH_MANIFEST_GRACE`
 * ago (docs/contracts.md "Asset manifests"), oldest first, at most {@link MANIFEST_HOURS_PER_RUN} per run, one at a
 * time (each hashes up to an hour of segments). A late segment indexed into a closed hour marks it dirty again
 * (functions/ingest/ingest.ts), so the next run writes its next version. The open hour is never written. Then every
 * dirty EVR recording (a segment overlapping it was indexed: functions/evr/recording-available.ts) gets its manifest
 * once it is complete and its window closed `KEEPWATCH_MANIFEST_GRACE` ago. An hour or recording that fails is logged
 * and left dirty; the others proceed. First, the backfill of archives indexed before manifests
 * (functions/manifests/backfill-hours.ts) walks a bounded part of their index rows and creates the rows of the hours
 * holding segments, dirty, so this run or the next writes their manifests; a backfill failure is logged and the run
 * goes on.
 * @throws TransientError when the dirty hours cannot be listed
 */
export async function manifests(_timer: Timer | undefined, context: InvocationContext, deps: ManifestRunDeps = defaultDeps()): Promise<ManifestRunSummary> {
  let backfill: BackfillSummary | undefined;
  try {
    backfill = await backfillHours(deps, context);
  } catch (err) {
    const e = toError(err);
    context.error('manifests backfill not run; the next run repeats it', { error: redact(e.stack ?? e.message) });
  }
  const closedBeforeMs = deps.now() - deps.settings.manifestGraceMs;
  const dirty = (await deps.manifestHours.listDirty(closedBeforeMs)).sort((a, b) => a.hourStartMs - b.hourStartMs);
  const summary: ManifestRunSummary = {
    invocationId: context.invocationId,
    dirty: dirty.length,
    outcomes: { written: 0, unchanged: 0, removed: 0, raced: 0 },
    recordings: { dirty: 0, outcomes: { written: 0, unchanged: 0, waiting: 0, removed: 0, raced: 0 } },
    failed: [],
  };
  if (backfill) summary.backfill = backfill;
  for (const row of dirty.slice(0, MANIFEST_HOURS_PER_RUN)) {
    try {
      const r = await writeHourManifest(row, deps, context);
      summary.outcomes[r.outcome]++;
    } catch (err) {
      const e = toError(err);
      const code = err instanceof KeepwatchError ? err.code : 'InternalError';
      summary.failed.push({ cameraId: row.cameraId, hour: toIso(row.hourStartMs), code, message: redact(e.message) });
      context.error('manifest not written; the next run repeats it', { cameraId: row.cameraId, hour: toIso(row.hourStartMs), code, error: redact(e.stack ?? e.message) });
    }
  }
  const recordings = await deps.manifestRecordings.listDirty();
  summary.recordings.dirty = recordings.length;
  for (const row of recordings.slice(0, MANIFEST_HOURS_PER_RUN)) {
    try {
      summary.recordings.outcomes[await writeRecordingManifest(row, deps, context)]++;
    } catch (err) {
      const e = toError(err);
      const code = err instanceof KeepwatchError ? err.code : 'InternalError';
      summary.failed.push({ cameraId: row.cameraId, recordingId: row.recordingId, code, message: redact(e.message) });
      context.error('recording manifest not written; the next run repeats it', { cameraId: row.cameraId, recordingId: row.recordingId, code, error: redact(e.stack ?? e.message) });
    }
  }
  context.log('manifests run done', { ...summary });
  return summary;
}

registerTimer('manifests', {
  schedule: MANIFESTS_SCHEDULE,
  handler: async (timer, context) => {
    await manifests(timer, context);
  },
});
