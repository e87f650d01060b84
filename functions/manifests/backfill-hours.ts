import type { InvocationContext } from '@azure/functions';
import { hourStart } from '../../shared/contracts/manifest-naming';
import { KeepwatchError, toError } from '../../shared/errors';
import { redact } from '../../shared/redact';
import { HOUR_MS } from '../../shared/time';
import type { FunctionsDeps } from '../deps';

/** Most index rows the backfill walks in one `manifests` run, over all cameras (about 11 days of 10 s segments). */
export const BACKFILL_ROWS_PER_RUN = 100_000;

export type BackfillDeps = Pick<FunctionsDeps, 'segmentIndex' | 'manifestHours' | 'cameras' | 'now'>;

/** What one backfill pass did. */
export interface BackfillSummary {
  /** Cameras whose marker was below "everything tracked" (sinceHourMs > 0, or none) at the start of the pass. */
  pending: number;
  /** Index rows walked, and hour rows created (dirty) for hours that held segments and had no row. */
  rowsWalked: number;
  hoursCreated: number;
  /** Cameras whose backfill finished in this pass (their marker is now sinceHourMs 0). */
  finished: string[];
  /** Cameras whose pass failed (they continue next run). */
  failed: Array<{ cameraId: string; code: string; message: string }>;
}

/**
 * The manifests backfill of archives indexed before asset manifests existed (docs/contracts.md "Asset manifests",
 * "Archives indexed before manifests"), a step of the `manifests` timer. For every camera (camera rows, and markers
 * whose camera row is gone) whose tracking marker is missing or not yet 0:
 * 1. a missing marker is created (create-only) with `sinceHourMs` = the hour after now, as ingest does;
 * 2. its index rows starting in [cursor, sinceHourMs) are walked in order, at most {@link BACKFILL_ROWS_PER_RUN} over
 *    all cameras per run; every hour holding one and having no row gets a dirty row (the manifest writer then writes
 *    its manifest: the hour becomes fast to play);
 * 3. the marker is moved on `If-Match`: the cursor past the last row walked, or, when the walk reached
 *    `sinceHourMs`, `sinceHourMs` 0: from then on an hour without a row holds no segment.
 * Until then playlists scan the hours without a row before `sinceHourMs` in the index (shared/manifests/playlist-hours.ts),
 * so nothing recorded before the upgrade goes missing meanwhile. A crash repeats at most one run's walk (hour rows are
 * created only where none exists, so a repeat changes nothing).
 * @param rowsPerRun index rows to walk at most (whole pages), over all cameras
 * @throws TransientError when the cameras or markers cannot be listed
 */
export async function backfillHours(deps: BackfillDeps, log: Pick<InvocationContext, 'log' | 'error'>, rowsPerRun = BACKFILL_ROWS_PER_RUN): Promise<BackfillSummary> {
  const [cameras, markers] = await Promise.all([deps.cameras.listCameras(), deps.manifestHours.listMarkers()]);
  const ids = [...new Set([...cameras.map((c) => c.cameraId), ...markers.keys()])].sort();
  const pending = ids.filter((id) => (markers.get(id)?.sinceHourMs ?? 1) !== 0);
  const summary: BackfillSummary = { pending: pending.length, rowsWalked: 0, hoursCreated: 0, finished: [], failed: [] };
  for (const cameraId of pending) {
    const budget = rowsPerRun - summary.rowsWalked;
    if (budget <= 0) break;
    try {
      const marker = markers.get(cameraId) ?? (await deps.manifestHours.createMarker(cameraId, hourStart(deps.now()) + HOUR_MS));
      if (marker.sinceHourMs === 0) continue;
      const walk = await deps.segmentIndex.listSegmentStarts(cameraId, marker.cursorMs, marker.sinceHourMs, budget);
      summary.rowsWalked += walk.startsMs.length;
      const hours = [...new Set(walk.startsMs.map(hourStart))];
      if (hours.length > 0) {
        const existing = new Set((await deps.manifestHours.listHours(cameraId, hours[0], hours[hours.length - 1] + HOUR_MS)).map((h) => h.hourStartMs));
        const missing = hours.filter((h) => !existing.has(h));
        await deps.manifestHours.markDirty(missing.map((startMs) => ({ cameraId, startMs })));
        summary.hoursCreated += missing.length;
      }
      const done = walk.complete;
      const next = done ? { sinceHourMs: 0, cursorMs: 0 } : { sinceHourMs: marker.sinceHourMs, cursorMs: walk.startsMs[walk.startsMs.length - 1] + 1 };
      if ((await deps.manifestHours.updateMarker(marker, next)) && done) summary.finished.push(cameraId);
    } catch (err) {
      const e = toError(err);
      const code = err instanceof KeepwatchError ? err.code : 'InternalError';
      summary.failed.push({ cameraId, code, message: redact(e.message) });
      log.error('manifests backfill of a camera failed; the next run repeats it', { cameraId, code, error: redact(e.stack ?? e.message) });
    }
  }
  if (summary.pending > 0) log.log('manifests backfill', { ...summary });
  return summary;
}
