import type { InvocationContext } from '@azure/functions';
import { ValidationError } from '../../shared/errors';
import type { CameraStreamRecord } from '../adapters/table/table-camera-store';
import type { DeadLetter } from '../adapters/table/table-dead-letter-store';
import type { IntegrationEvent } from '../../shared/ports/integration-events';
import { eventCameras, type GapRecord, type RecordedSegmentRecord, type SegmentRecord } from '../../shared/contracts/device-events';
import type { SignalRecord } from '../../shared/contracts/signals';
import { hourStart } from '../../shared/contracts/manifest-naming';
import { HOUR_MS, parseIsoDateTime } from '../../shared/time';
import { registerEventHub } from '../app';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { evrBatch, type EvrBatchSummary } from '../evr/evr-batch';
import { publishArchiveLifecycle } from './archive-lifecycle';
import { decodeIngestMessage, rawPayload, type DecodedMessage } from './ingest-decode';
import { checkDeviceClaims } from './ingest-device-claims';
import { markSegmentsForBackstop } from '../retention/segment-backstop';
import { applyPipelineStateReports } from '../pipelines/apply-state-reports';
import { resendPendingPipelineCommands } from '../pipelines/resend-pending';
import type { PipelineStateRecord } from '../../shared/contracts/pipeline-state';
import { cameraGapEvent } from './camera-gap-event';
import { applyStatusReports, type StatusReport } from '../health/apply-status-reports';

/** What {@link ingest} did with one batch. */
export interface IngestSummary {
  accepted: number;
  deadLettered: number;
  /** Device status messages, routed like events but not indexed. */
  ignored: number;
  /** What the EVR policy did with the batch's signals and segments. */
  evr: EvrBatchSummary;
  /** `pipeline.state` reports that moved a live pipeline's state. */
  pipelineStates: number;
  /** Pending pipeline commands sent again to devices whose `online` status the batch carried (pipelines/resend-pending.ts). */
  pipelineCommandsResent: number;
  /** Health events (`camera.offline`, `device.online`, …) the batch's device status messages called for (functions/health/). */
  healthEvents: number;
  invocationId: string;
}

export type IngestDeps = Pick<
  FunctionsDeps,
  'settings' | 'segmentIndex' | 'availability' | 'cameras' | 'deadLetters' | 'gapIndex' | 'integrationEvents' | 'policies' | 'gates' | 'recordings' | 'deviceCommands' | 'pipelines' | 'devices' | 'importTopology' | 'segmentBlobStat' | 'segmentBlobTags' | 'holds' | 'health' | 'manifestHours' | 'manifestRecordings' | 'signals' | 'now'
>;

/**
 * The `ingest` function: a batch of device events from Event Hubs (cardinality many) → segment index rows,
 * availability rollup, camera rows and the dirty marks of their archive hours' manifests (`segment.uploaded`), gap
 * rows and `camera.gap` integration events (`gap`, same id),
 * `camera.diagnostics` integration events
 * (`diagnostics`, same id, so consumers dedupe redeliveries) and the camera's stream info (`session-established`
 * diagnostics with `stream`: the newest event time wins); invalid events → dead-letter rows with the reason.
 * Signals (`signal` events and external signals) with the media-time progress of `segment.recorded` and
 * `segment.uploaded` go to the EVR policy (functions/evr/evr-batch.ts) after the index is written, so that
 * `recording.available` finds the segments' recordings. `pipeline.state` reports move live pipelines' states
 * (functions/pipelines/apply-state-reports.ts; duplicates and reordering change nothing). A device's `online` status
 * sends its pending pipeline commands again (functions/pipelines/resend-pending.ts). Device status messages move the
 * device's and its cameras' health and publish the health events they call for (functions/health/apply-status-reports.ts).
 *
 * Messages are decoded one by one (functions/ingest/ingest-decode.ts), then their claims checked against the cloud's clock and
 * the stored blobs (functions/ingest/ingest-device-claims.ts: times within the offline horizon, a segment's size, type and
 * SHA-256 as stored); a bad one never stops the rest. Every write is
 * idempotent (same rows for the same events, in any order), so when storage fails transiently the handler throws and
 * the trigger's retry policy replays the whole batch safely. Event Hubs checkpoints after the invocation whether or
 * not it threw (Azure Functions docs, "Azure Functions reliable event processing"), so the retry policy is what
 * protects a batch from being skipped.
 *
 * @param messages the batch: objects, JSON strings, or Buffers of JSON (see decodeIngestMessage)
 * @param context its `triggerMetadata` arrays (`enqueuedTimeUtcArray`, `sequenceNumberArray`, `offsetArray`,
 *   `partitionContext`) locate dead-lettered messages when present
 * @throws TransientError (or the storage error) when a write fails; nothing is half-done that a replay would not redo
 */
export async function ingest(messages: unknown[], context: InvocationContext, deps: IngestDeps = defaultDeps()): Promise<IngestSummary> {
  const batch = Array.isArray(messages) ? messages : [messages];
  const meta = batchMetadata(context.triggerMetadata);
  const segments: SegmentRecord[] = [];
  const gaps: GapRecord[] = [];
  const diagnostics = new Map<string, IntegrationEvent>(); // by id: a redelivered event is forwarded once per batch
  const letters: DeadLetter[] = [];
  const signals: SignalRecord[] = [];
  const recorded: RecordedSegmentRecord[] = [];
  const pipelineReports: PipelineStateRecord[] = [];
  const streams: CameraStreamRecord[] = [];
  const gapEvents = new Map<string, IntegrationEvent>(); // by id, like diagnostics
  const statuses: StatusReport[] = [];
  const rejectedAtMs = deps.now();
  let ignored = 0;
  const online = new Set<string>();
  const decodedAll = batch.map((message) => decodeIngestMessage(message));
  const provisioned = await provisionedCameras(decodedAll, deps);
  // Times within the offline horizon, and each segment.uploaded as its stored blob says (functions/ingest/ingest-device-claims.ts).
  const checked = await checkDeviceClaims(decodedAll.map((d) => cameraOwnership(d, provisioned)), deps);
  batch.forEach((message, i) => {
    const decoded = checked[i];
    if (decoded.ok === 'ignored') {
      ignored++;
      if (decoded.online) online.add(decoded.deviceId);
      if (decoded.status && decoded.receivedMs !== undefined) statuses.push({ deviceId: decoded.deviceId, status: decoded.status, receivedMs: decoded.receivedMs });
      return;
    }
    if (decoded.ok) {
      const e = decoded.event;
      if (e.kind === 'gap') {
        gaps.push(e.gap);
        gapEvents.set(e.event.id, cameraGapEvent(e.event.id, e.event.time, e.gap));
      }
      else if (e.kind === 'diagnostics') {
        diagnostics.set(e.event.id, { specversion: '1.0', id: e.event.id, source: '/keepwatch/ingest', type: 'camera.diagnostics', time: e.event.time, subject: e.diagnostics.cameraId, datacontenttype: 'application/json', data: { deviceId: e.deviceId, ...e.diagnostics } });
        const { cameraId, kind, stream } = e.diagnostics;
        if (kind === 'session-established' && stream) streams.push({ cameraId, deviceId: e.deviceId, stream, sinceMs: parseIsoDateTime(e.event.time, 'time'), eventId: e.event.id });
      } else if (e.kind === 'segment.uploaded') segments.push(e.segment);
      else if (e.kind === 'signal') signals.push(e.signal);
      else if (e.kind === 'segment.recorded') recorded.push(e.recorded);
      else if (e.kind === 'pipeline.state') pipelineReports.push(e.report);
      return;
    }
    const { ok: _ok, ...reason } = decoded;
    context.warn('device event dead-lettered', { ...meta.at(i), reasonCode: reason.reasonCode, deviceId: reason.deviceId, cameraId: reason.cameraId, eventId: reason.eventId });
    letters.push({ ...reason, ...rawPayload(message), ...meta.at(i), invocationId: context.invocationId, rejectedAtMs });
  });

  await Promise.all([deps.segmentIndex.upsertSegments(segments), deps.gapIndex.upsertGaps(gaps)]);
  // After the index rows: the lifecycle backstop's tag, eligible unless a hold covers the segment (functions/retention/segment-backstop.ts).
  await markSegmentsForBackstop(segments, deps);
  // Both writes run to the end before any error is rethrown, so a replay is never needed for one that had
  // already failed unseen.
  // The hours' manifests go stale with these segments (after their index rows, so the manifest writer that sees the
  // hour dirty finds them: functions/adapters/table/table-manifest-hours.ts).
  const [rollup, cameras, cameraStreams, hours] = await Promise.allSettled([
    deps.availability.mergeSegments(segments),
    deps.cameras.recordSegments(segments),
    deps.cameras.recordStreams(streams),
    // Then the camera's tracking marker (create-only): from the hour after now on, no row = no segment; the hours
    // before it are scanned until the backfill walked them (functions/manifests/backfill-hours.ts).
    deps.manifestHours.markDirty(segments).then(() => deps.manifestHours.track(segments.map((s) => s.cameraId), hourStart(deps.now()) + HOUR_MS)),
  ]);
  if (rollup.status === 'rejected') {
    // A day with more ranges than a row holds cannot be fixed by a replay: the index rows are stored, but
    // playback, which reads the rollup, will not find that day's newest media. Someone must look.
    if (rollup.reason instanceof ValidationError) context.error('availability rollup not updated', { code: rollup.reason.code, message: rollup.reason.message });
    else throw rollup.reason;
  }
  if (cameras.status === 'rejected') throw cameras.reason;
  if (cameraStreams.status === 'rejected') throw cameraStreams.reason;
  if (hours.status === 'rejected') throw hours.reason;
  await deps.integrationEvents.publish([...diagnostics.values(), ...gapEvents.values()]);
  // After the rollup: a CVR camera's archive sessions (recording.started/available/stopped, kind archive).
  await publishArchiveLifecycle(segments, gaps, context, deps);
  // Device status → device and camera health, with its camera.offline/online and device.offline/online events.
  const healthEvents = statuses.length ? await applyStatusReports(statuses, deps, context) : 0;
  await deps.deadLetters.write(letters);
  const evr = await evrBatch({ signals, recorded, uploaded: segments }, context, deps);
  // After the segments are indexed: an `inactive` report follows its cameras' last segment.uploaded events.
  const pipelineStates = await applyPipelineStateReports(pipelineReports, deps.pipelines, deps.now(), context);
  const pipelineCommandsResent = online.size ? await resendPendingPipelineCommands([...online].sort(), context, deps) : 0;

  const summary = { accepted: segments.length + gaps.length + diagnostics.size + signals.length + recorded.length + pipelineReports.length, evr, pipelineStates, pipelineCommandsResent, healthEvents, deadLettered: letters.length, ignored, invocationId: context.invocationId };
  context.log('ingest batch done', summary);
  return summary;
}

/**
 * The provisioned cameras of every device the batch's events name (one store read per device); a device that was
 * never provisioned (it uploads with a connection string or container SAS) is absent: its events are not checked.
 * @throws TransientError when the device store is unreachable (the batch is retried)
 */
async function provisionedCameras(decoded: readonly DecodedMessage[], deps: Pick<IngestDeps, 'devices'>): Promise<Map<string, Set<string>>> {
  const ids = new Set<string>();
  for (const d of decoded) if (d.ok === true) ids.add(eventCameras(d.event).deviceId ?? '');
  ids.delete('');
  const out = new Map<string, Set<string>>();
  await Promise.all(
    [...ids].map(async (id) => {
      const device = await deps.devices.get(id);
      if (device) out.set(id, new Set(device.disabled ? [] : device.cameras));
    }),
  );
  return out;
}

/**
 * A provisioned device speaks only for its own cameras (docs/security.md: a stolen device publishes its own events,
 * nothing else): an event naming another camera becomes a dead letter `CameraNotOwned`. A disabled device owns none.
 */
function cameraOwnership(decoded: DecodedMessage, provisioned: ReadonlyMap<string, ReadonlySet<string>>): DecodedMessage {
  if (decoded.ok !== true) return decoded;
  const { deviceId, cameraIds } = eventCameras(decoded.event);
  const own = deviceId === undefined ? undefined : provisioned.get(deviceId);
  const foreign = own ? cameraIds.find((c) => !own.has(c)) : undefined;
  if (foreign === undefined) return decoded;
  return { ok: false, reasonCode: 'CameraNotOwned', reasonMessage: `device '${deviceId}' is not provisioned for camera '${foreign}'`, deviceId, cameraId: foreign, eventId: decoded.event.event.id };
}

interface MessageMetadata {
  enqueuedTimeUtc?: string;
  sequenceNumber?: string;
  offset?: string;
  partitionId?: string;
}

/**
 * Reads the host's cardinality-many trigger metadata (keys camel-cased by @azure/functions): per-message arrays and
 * one `partitionContext`. Missing or odd values are left out; they only locate dead letters.
 */
function batchMetadata(trigger: Record<string, unknown> | undefined): { at(i: number): MessageMetadata } {
  const arr = (key: string): unknown[] | undefined => (Array.isArray(trigger?.[key]) ? (trigger![key] as unknown[]) : undefined);
  const enqueued = arr('enqueuedTimeUtcArray');
  const sequence = arr('sequenceNumberArray');
  const offsets = arr('offsetArray');
  const system = arr('systemPropertiesArray');
  const partitionId = text((trigger?.partitionContext as { partitionId?: unknown } | undefined)?.partitionId);
  return {
    at(i) {
      const sys = (system?.[i] ?? {}) as Record<string, unknown>;
      const m: MessageMetadata = {
        enqueuedTimeUtc: text(enqueued?.[i] ?? sys.enqueuedTimeUtc),
        sequenceNumber: text(sequence?.[i] ?? sys.sequenceNumber),
        offset: text(offsets?.[i] ?? sys.offset),
        partitionId,
      };
      for (const k of Object.keys(m) as Array<keyof MessageMetadata>) if (m[k] === undefined) delete m[k];
      return m;
    },
  };
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

registerEventHub('ingest', {
  eventHubName: '%KEEPWATCH_DEVICE_EVENTS_HUB%',
  connection: 'KEEPWATCH_EVENTHUB',
  consumerGroup: '%KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP%',
  cardinality: 'many',
  // Replays the batch after a transient failure: 1 s, 2 s, 4 s ... capped at 30 s, 5 times, then the host moves on.
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 5, minimumInterval: 1000, maximumInterval: 30_000 },
  handler: async (messages, context) => {
    await ingest(messages as unknown[], context);
  },
});
