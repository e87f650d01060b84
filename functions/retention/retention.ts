import type { InvocationContext, Timer } from '@azure/functions';
import { KeepwatchError, toError } from '../../shared/errors';
import type { IntegrationEvent } from '../../shared/ports/integration-events';
import { redact } from '../../shared/redact';
import { toIso } from '../../shared/time';
import { registerTimer } from '../app';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { applyCameraRetention, type CameraRetentionDeps, type RetentionCount, type RetentionHooks } from './retention-camera';
import { retentionSchedule } from '../settings';
import { resumePendingErasure, type ErasureDeps } from '../erasure/erase-range';

/** CloudEvents `type` and `source` of the summary event. */
export const RETENTION_COMPLETED = 'retention.completed';
export const RETENTION_SOURCE = '/keepwatch/retention';

/** What one retention run did, over every camera. Logged (`retention run done`) and published as the event's data. */
export interface RetentionSummary {
  invocationId: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  /** Cameras processed (all of kwCameras). */
  cameras: number;
  segmentsDeleted: number;
  bytesDeleted: number;
  /** Per cause: `age` = older than the archive retention, `size` = beyond the size cap. */
  byCause: { age: RetentionCount; size: RetentionCount };
  /** Segments kept only because a hold covers them. */
  held: number;
  /** EVR recording rows deleted (window ended at or before now − the camera's `retention.recordings`). */
  recordingsDeleted: number;
  /** Segments of earlier unfinished runs finished by this one. */
  resumed: number;
  /** Cameras whose held segments keep them over their size cap. */
  sizeCapUnmet: string[];
  /** Cameras whose pass failed (the next run finishes them), with the error code and message. */
  failed: Array<{ cameraId: string; code: string; message: string }>;
  /** Wall-clock duration of the run, ms. */
  durationMs: number;
}

export type RetentionDeps = CameraRetentionDeps & ErasureDeps & Pick<FunctionsDeps, 'integrationEvents' | 'now'>;

/**
 * The `retention` timer function (schedule `KEEPWATCH_RETENTION_SCHEDULE`, default hourly at :05): applies every
 * camera's retention policy (functions/retention/retention-camera.ts: age of segments and of EVR recording rows, size cap,
 * holds; crash-safe order in its docstring),
 * one camera at a time, then logs the summary and publishes it as a `retention.completed` CloudEvent
 * (IntegrationEvents; a Table locally, the integration Event Hub in Azure).
 *
 * Before a camera's pass, an erasure on demand of that camera that stopped midway is finished (its `media.erased`
 * event published), so no erasure stays half done for longer than one run while storage works; if it fails again it
 * is listed in `failed` (message `pending erasure: …`) and the camera's retention still runs.
 *
 * A camera whose pass fails is logged at error level and listed in `failed`; the other cameras still run, and the
 * next run finishes the failed one from its journal. Every step is idempotent, so overlapping runs would only repeat
 * work; the Functions host runs a timer as a singleton anyway.
 * @param options.hooks test seams (simulated crashes); options.stepSegments segments per journalled step
 * @throws TransientError when the camera list or the event cannot be read or written
 */
export async function retention(
  _timer: Timer | undefined,
  context: InvocationContext,
  deps: RetentionDeps = defaultDeps(),
  options: { hooks?: RetentionHooks; stepSegments?: number } = {},
): Promise<RetentionSummary> {
  const startedMs = Date.now();
  const nowMs = deps.now();
  const summary: RetentionSummary = {
    invocationId: context.invocationId,
    startedAt: toIso(nowMs),
    cameras: 0,
    segmentsDeleted: 0,
    bytesDeleted: 0,
    byCause: { age: { segments: 0, bytes: 0 }, size: { segments: 0, bytes: 0 } },
    held: 0,
    recordingsDeleted: 0,
    resumed: 0,
    sizeCapUnmet: [],
    failed: [],
    durationMs: 0,
  };
  for (const camera of await deps.cameras.listCameras()) {
    summary.cameras++;
    try {
      // An erasure on demand that stopped midway is finished first (functions/erasure/erase-range.ts); one that fails
      // again is reported and does not keep the camera's retention from running.
      const erased = await resumePendingErasure(camera.cameraId, deps);
      if (erased) context.log('retention finished a pending erasure', { cameraId: camera.cameraId, erasureId: erased.erasureId, segments: erased.segments });
    } catch (err) {
      const e = toError(err);
      const code = err instanceof KeepwatchError ? err.code : 'InternalError';
      summary.failed.push({ cameraId: camera.cameraId, code, message: `pending erasure: ${redact(e.message)}` });
      context.error('pending erasure failed; the next run or erasure finishes it', { cameraId: camera.cameraId, code, error: redact(e.stack ?? e.message) });
    }
    try {
      const r = await applyCameraRetention(camera, deps, nowMs, options.hooks, options.stepSegments);
      for (const cause of ['age', 'size'] as const) {
        summary.byCause[cause].segments += r[cause].segments;
        summary.byCause[cause].bytes += r[cause].bytes;
      }
      summary.held += r.held;
      summary.recordingsDeleted += r.recordingsDeleted;
      summary.resumed += r.resumed;
      if (!r.sizeCapMet) {
        summary.sizeCapUnmet.push(camera.cameraId);
        context.warn('retention size cap not met: held segments exceed it', { cameraId: camera.cameraId, maximumSizeMiB: r.policy.retention.maximumSizeMiB });
      }
      if (r.age.segments + r.size.segments + r.resumed + r.recordingsDeleted > 0) {
        context.log('retention camera done', {
          cameraId: camera.cameraId, age: r.age, size: r.size, held: r.held, resumed: r.resumed, missingBlobs: r.missingBlobs,
          recordingsDeleted: r.recordingsDeleted, recordingsHeld: r.recordingsHeld,
        });
      }
    } catch (err) {
      const e = toError(err);
      const code = err instanceof KeepwatchError ? err.code : 'InternalError';
      summary.failed.push({ cameraId: camera.cameraId, code, message: redact(e.message) });
      context.error('retention camera failed; the next run finishes it', { cameraId: camera.cameraId, code, error: redact(e.stack ?? e.message) });
    }
  }
  summary.segmentsDeleted = summary.byCause.age.segments + summary.byCause.size.segments;
  summary.bytesDeleted = summary.byCause.age.bytes + summary.byCause.size.bytes;
  summary.durationMs = Date.now() - startedMs;
  context.log('retention run done', { ...summary });
  const event: IntegrationEvent = {
    specversion: '1.0',
    id: `retention-${context.invocationId}`,
    source: RETENTION_SOURCE,
    type: RETENTION_COMPLETED,
    time: toIso(nowMs),
    subject: 'retention',
    datacontenttype: 'application/json',
    data: { ...summary },
  };
  await deps.integrationEvents.publish([event]);
  return summary;
}

registerTimer('retention', {
  schedule: retentionSchedule(),
  handler: async (timer, context) => {
    await retention(timer, context);
  },
});
