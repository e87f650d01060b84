import type { InvocationContext } from '@azure/functions';
import type { GapRecord, SegmentRecord } from '../../shared/contracts/device-events';
import { ARCHIVE_SESSION_LOOKBACK_MS, archiveSessionEvents } from '../../shared/evr/archive-sessions';
import { defaultRecordingPolicy } from '../../shared/schemas/recording-policy';
import type { FunctionsDeps } from '../deps';

export type ArchiveLifecycleDeps = Pick<FunctionsDeps, 'settings' | 'policies' | 'availability' | 'integrationEvents' | 'now'>;

/**
 * The archive lifecycle events of an ingest batch's CVR cameras (AVA's CVR video sink: `recording.started`,
 * `recording.available`, `recording.stopped` with `kind: "archive"`; rule in shared/evr/archive-sessions.ts,
 * docs/events.md "Archive lifecycle"): per camera with segments or gaps in the batch whose policy is CVR (the default),
 * one read of its stored ranges around them (after the batch's segments were merged into the availability rollup),
 * then one publish. EVR cameras are skipped: their recordings have their own events. Idempotent: ids are stable, so a
 * replayed batch publishes the same events again (at least once; consumers dedupe by id).
 * @returns how many events were published
 * @throws TransientError when storage or the integration-event sink fails (the batch is retried)
 */
export async function publishArchiveLifecycle(segments: readonly SegmentRecord[], gaps: readonly GapRecord[], context: InvocationContext, deps: ArchiveLifecycleDeps): Promise<number> {
  const cameras = new Map<string, { deviceId: string; segments: SegmentRecord[]; gaps: GapRecord[] }>();
  const of = (cameraId: string, deviceId: string) => {
    const c = cameras.get(cameraId) ?? { deviceId, segments: [], gaps: [] };
    cameras.set(cameraId, c);
    return c;
  };
  for (const s of segments) of(s.cameraId, s.deviceId).segments.push(s);
  for (const g of gaps) of(g.cameraId, g.deviceId).gaps.push(g);
  const events = [];
  for (const [cameraId, c] of cameras) {
    const policy = (await deps.policies.get(cameraId))?.document ?? defaultRecordingPolicy(deps.settings.retentionDefault);
    if ((policy.mode ?? 'cvr') !== 'cvr') continue;
    const fromMs = Math.min(...c.segments.map((s) => s.startMs), ...c.gaps.map((g) => g.startMs)) - ARCHIVE_SESSION_LOOKBACK_MS;
    const toMs = Math.max(...c.segments.map((s) => s.startMs + s.durationMs), ...c.gaps.map((g) => g.startMs + 1));
    const ranges = await deps.availability.listRanges(cameraId, fromMs, toMs);
    events.push(...archiveSessionEvents({ cameraId, deviceId: c.deviceId, segments: c.segments, gaps: c.gaps, ranges, nowMs: deps.now() }));
  }
  if (!events.length) return 0;
  await deps.integrationEvents.publish(events);
  for (const e of events) context.log('archive lifecycle event', { cameraId: e.subject, type: e.type, id: e.id });
  return events.length;
}
