import { z } from 'zod';
import { segmentBlobName } from './blob-naming';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { DAY_MS, HOUR_MS, parseIsoDateTime } from '../time';
import { parseWith } from '../validation/format-issues';
import { PIPELINE_STATE, pipelineStateDataSchema, type PipelineStateRecord } from './pipeline-state';
import { isoDateTimeSchema } from '../validation/iso-date-time';
import { SIGNAL, signalFromDeviceEvent, type SignalRecord } from './signals';
import { streamInfoSchema } from './stream-info';

/**
 * Device events, a wire contract (docs/contracts.md "Events on the wire"): the CloudEvents an agent publishes on
 * `keepwatch/{deviceId}/events/{cameraId}` (shared/contracts/topics.ts) — `segment.uploaded`, `segment.recorded`,
 * `gap`, `diagnostics`, `pipeline.state` and `signal` — and {@link parseDeviceEvent}, which the cloud's ingest checks
 * each one with. The agent builds its events from these types and constants.
 */

/** CloudEvents `type` of the event the uploader publishes once a segment's blob exists. */
export const SEGMENT_UPLOADED = 'segment.uploaded';

/**
 * CloudEvents `type` of the event an agent in EVR mode publishes for every complete segment in its cache:
 * the cloud's signal gate runs on media time, and these events move its clock; id `recorded-{cameraId}-{startMs}`.
 */
export const SEGMENT_RECORDED = 'segment.recorded';

/** CloudEvents `type` of the event the agent publishes for a stretch of time it could not record or keep. */
export const GAP = 'gap';

/**
 * Why a stretch of a camera's timeline has no media (docs/contracts.md "Other device events"):
 * - `camera-unavailable`: the recording session ended unasked (camera down, network, RTSP error) until it recorded again;
 * - `ffmpeg-stall`: the watchdog restarted a session that received nothing;
 * - `eviction`: the cache cap evicted the segment before it could be uploaded;
 * - `agent-restart`: the agent died (crash, SIGKILL, power loss) and the segment being written was lost, until it recorded again;
 * - `agent-stopped`: the agent was stopped, until it recorded again;
 * - `expired-offline`: the segment was recorded but the cloud refused it for good, its start being older than the
 *   cloud's offline horizon (upload-urls 400 `TimeOutOfRange`, `KEEPWATCH_OFFLINE_HORIZON`): the agent was offline, or
 *   its cache held the segment, longer than that; it left the cache unuploaded.
 */
export const GAP_CAUSES = ['camera-unavailable', 'ffmpeg-stall', 'eviction', 'agent-restart', 'agent-stopped', 'expired-offline'] as const;
export type GapCause = (typeof GAP_CAUSES)[number];

/** CloudEvents `type` of the agent's diagnostics about a camera (AVA's diagnostics events, docs/reference/ava-behaviour.md "Events"). */
export const DIAGNOSTICS = 'diagnostics';

/** Kinds of diagnostics (edge-agent/recorder/ffmpeg-diagnostics.ts). */
export const DIAGNOSTIC_KINDS = ['session-established', 'authorization-error', 'protocol-error', 'unsupported-format', 'data-dropped', 'storage-error'] as const;

/**
 * Why a camera's recording session ended or never started (edge-agent/recorder/session-failure.ts), the `cause` of a
 * diagnostics event of kind `authorization-error`, `protocol-error`, `unsupported-format` or `storage-error`:
 * - `dns`: the camera's host name does not resolve;
 * - `connection-refused`: nothing listens on the camera's address and port;
 * - `timeout`: no answer to the connection, or no packet for the watchdog's timeout;
 * - `unauthorized`: RTSP 401/403, the username or password is wrong (or missing);
 * - `not-found`: RTSP 404, no stream at the URL's path;
 * - `unsupported-codec`: the stream has no H.264/H.265 video (MJPEG, audio only): not recorded;
 * - `timestamps`: ffmpeg's muxer refused the stream's timestamps (`first pts and dts value must be set`, …);
 * - `stream-ended`: the camera closed the stream or the connection;
 * - `storage`: the cache could not be written (disk full, read-only);
 * - `unknown`: anything else (the message has ffmpeg's words).
 */
export const SESSION_FAILURE_CAUSES = ['dns', 'connection-refused', 'timeout', 'unauthorized', 'not-found', 'unsupported-codec', 'timestamps', 'stream-ended', 'storage', 'unknown'] as const;
export type SessionFailureCause = (typeof SESSION_FAILURE_CAUSES)[number];

/** The diagnostics kinds that may carry a {@link SessionFailureCause}. */
const CAUSE_KINDS: ReadonlySet<string> = new Set(['authorization-error', 'protocol-error', 'unsupported-format', 'storage-error']);

/** Longest gap one event may report (ms): an agent switched off for a year is still one gap. */
export const MAX_GAP_MS = 366 * DAY_MS;

/** CloudEvents `source` of a device's events: `/devices/{deviceId}`. */
export function deviceSource(deviceId: string): string {
  return `/devices/${deviceId}`;
}

const isoDateTime = isoDateTimeSchema;

/**
 * A CloudEvent 1.0 in JSON structured mode (https://github.com/cloudevents/spec, v1.0.2).
 * Extension attributes are allowed (the spec permits them); the required attributes are checked.
 */
export const cloudEventSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(128),
  source: z.string().min(1).max(256),
  type: z.string().min(1).max(128),
  time: isoDateTime,
  subject: z.string().max(256).optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown(),
});
export type CloudEventEnvelope = z.output<typeof cloudEventSchema>;

/**
 * `data` of `segment.uploaded`: camera, UTC start (ISO with ms), duration (ms), size
 * (bytes), blob name and SHA-256 of the bytes. Duration may exceed segmentLength when the camera's
 * keyframe interval is longer (segments start on keyframes); 1 h is the hard ceiling.
 */
export const segmentUploadedDataSchema = z.strictObject({
  cameraId: z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -'),
  start: isoDateTime,
  durationMs: z.number().int().min(1).max(HOUR_MS),
  bytes: z.number().int().min(1).max(2 ** 40),
  blobName: z.string().min(1).max(1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
});

/**
 * `data` of `segment.recorded`: camera, UTC start (ISO with ms), duration (ms), size (bytes); the segment is in the
 * agent's cache, not (yet) in Blob. `signalsThrough` (cameras with motion detection or an HTTP extension): the media
 * time before which the agent will publish no more signals of this camera — the start of an open motion aggregation
 * window, the sample an inference request is still out for — so the cloud's gate clock does not pass a signal that
 * is still on its way (functions/evr/evr-batch.ts).
 */
export const segmentRecordedDataSchema = z.strictObject({
  cameraId: z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -'),
  start: isoDateTime,
  durationMs: z.number().int().min(1).max(HOUR_MS),
  bytes: z.number().int().min(1).max(2 ** 40),
  signalsThrough: isoDateTime.optional(),
});

/** One segment an agent recorded (EVR: in its cache), epoch ms UTC. */
export interface RecordedSegmentRecord {
  deviceId: string;
  cameraId: string;
  startMs: number;
  durationMs: number;
  bytes: number;
  /** Media time before which the agent will publish no more signals of the camera (epoch ms), when it said. */
  signalsThroughMs?: number;
  eventId: string;
}

/** `data` of a `gap` event: camera, UTC start and end (ISO with ms; end > start, ≤ 366 days), cause. */
export const gapDataSchema = z.strictObject({
  cameraId: z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -'),
  start: isoDateTime,
  end: isoDateTime,
  cause: z.enum(GAP_CAUSES),
});

/**
 * `data` of a `diagnostics` event: the camera, the kind, and either the session's streams (`video`, `audio`:
 * ffmpeg's descriptions, ≤ 512 characters; `stream`: what they say, parsed, shared/contracts/stream-info.ts, only with
 * kind `session-established`, the camera's stream info) or a `message` (≤ 512 characters, credentials removed by the agent) and,
 * when a session ended or did not start, its `cause` ({@link SESSION_FAILURE_CAUSES}; agents before it sent none).
 */
export const diagnosticsDataSchema = z
  .strictObject({
    cameraId: z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -'),
    kind: z.enum(DIAGNOSTIC_KINDS),
    message: z.string().max(512).optional(),
    video: z.string().max(512).optional(),
    audio: z.array(z.string().max(512)).max(8).optional(),
    stream: streamInfoSchema.optional(),
    cause: z.enum(SESSION_FAILURE_CAUSES).optional(),
  })
  .refine((d) => d.stream === undefined || d.kind === 'session-established', { path: ['stream'], message: 'stream is only sent with kind session-established' })
  .refine((d) => d.cause === undefined || CAUSE_KINDS.has(d.kind), { path: ['cause'], message: `cause is only sent with kind ${[...CAUSE_KINDS].join(', ')}` });
export type DiagnosticsData = z.output<typeof diagnosticsDataSchema>;

/** One gap as the index keeps it (epoch ms UTC, [startMs, endMs)). */
export interface GapRecord {
  deviceId: string;
  cameraId: string;
  startMs: number;
  endMs: number;
  cause: GapCause;
  eventId: string;
}

/** One stored segment as the index knows it (times in epoch ms UTC). */
export interface SegmentRecord {
  deviceId: string;
  cameraId: string;
  startMs: number;
  durationMs: number;
  bytes: number;
  blobName: string;
  sha256: string;
  /** CloudEvent id that reported it (idempotency: same event twice, same row). */
  eventId: string;
}

/** A validated device event. */
export type DeviceEvent =
  | { kind: 'segment.uploaded'; event: CloudEventEnvelope; segment: SegmentRecord }
  | { kind: 'gap'; event: CloudEventEnvelope; gap: GapRecord }
  | { kind: 'diagnostics'; event: CloudEventEnvelope; deviceId: string; diagnostics: DiagnosticsData }
  | { kind: 'segment.recorded'; event: CloudEventEnvelope; recorded: RecordedSegmentRecord }
  | { kind: 'signal'; event: CloudEventEnvelope; signal: SignalRecord }
  | { kind: 'pipeline.state'; event: CloudEventEnvelope; report: PipelineStateRecord };

/**
 * The device an event comes from and the cameras it speaks for, to check them against the device's provisioned
 * cameras (docs/devices.md). `deviceId` undefined: an untrusted signal with no device (HTTP-shaped), nothing to check.
 */
export function eventCameras(e: DeviceEvent): { deviceId?: string; cameraIds: string[] } {
  switch (e.kind) {
    case 'segment.uploaded':
      return { deviceId: e.segment.deviceId, cameraIds: [e.segment.cameraId] };
    case 'gap':
      return { deviceId: e.gap.deviceId, cameraIds: [e.gap.cameraId] };
    case 'diagnostics':
      return { deviceId: e.deviceId, cameraIds: [e.diagnostics.cameraId] };
    case 'segment.recorded':
      return { deviceId: e.recorded.deviceId, cameraIds: [e.recorded.cameraId] };
    case 'signal':
      return { deviceId: e.signal.deviceId, cameraIds: [e.signal.cameraId] };
    case 'pipeline.state':
      return { deviceId: e.report.deviceId, cameraIds: [...e.report.cameraIds] };
  }
}

/**
 * Validates one device CloudEvent.
 * @param trustedDeviceId the device id the broker vouched for (from the MQTT topic the device was
 *   allowed to publish on); the event's `source` must name the same device, and `data.cameraId`
 *   must equal `trustedCameraId` when one is given
 * @throws ValidationError with every reason; codes: `InvalidCloudEvent` (bad envelope), `DeviceMismatch`,
 *   `UnknownEventType`, `InvalidEventData`, `InvalidSignal`, `CameraMismatch` (for `pipeline.state`: the topic's camera
 *   is not one of `data.cameraIds`), `InvalidBlobName` (not the segment's canonical name)
 */
export function parseDeviceEvent(raw: unknown, trustedDeviceId: string, trustedCameraId?: string): DeviceEvent {
  const event = parseWith(cloudEventSchema, raw, 'CloudEvent', 'InvalidCloudEvent');
  if (event.source !== deviceSource(trustedDeviceId)) {
    throw new ValidationError(`CloudEvent ${event.id}: source ${JSON.stringify(event.source)} does not match the publishing device '${trustedDeviceId}'`, undefined, 'DeviceMismatch');
  }
  if (event.type === GAP) return parseGapEvent(event, trustedDeviceId, trustedCameraId);
  if (event.type === DIAGNOSTICS) {
    const diagnostics = parseWith(diagnosticsDataSchema, event.data, `CloudEvent ${event.id} (${DIAGNOSTICS}) data`, 'InvalidEventData');
    if (trustedCameraId !== undefined && diagnostics.cameraId !== trustedCameraId) {
      throw new ValidationError(`CloudEvent ${event.id}: cameraId '${diagnostics.cameraId}' does not match the topic's camera '${trustedCameraId}'`, undefined, 'CameraMismatch');
    }
    return { kind: DIAGNOSTICS, event, deviceId: trustedDeviceId, diagnostics };
  }
  if (event.type === SEGMENT_RECORDED) {
    const d = parseWith(segmentRecordedDataSchema, event.data, `CloudEvent ${event.id} (${SEGMENT_RECORDED}) data`, 'InvalidEventData');
    checkCamera(event.id, d.cameraId, trustedCameraId);
    const recorded: RecordedSegmentRecord = { deviceId: trustedDeviceId, cameraId: d.cameraId, startMs: parseIsoDateTime(d.start, 'start'), durationMs: d.durationMs, bytes: d.bytes, eventId: event.id };
    if (d.signalsThrough !== undefined) recorded.signalsThroughMs = parseIsoDateTime(d.signalsThrough, 'signalsThrough');
    return { kind: SEGMENT_RECORDED, event, recorded };
  }
  if (event.type === SIGNAL) {
    const signal = signalFromDeviceEvent(event.id, event.data, trustedDeviceId);
    checkCamera(event.id, signal.cameraId, trustedCameraId);
    return { kind: SIGNAL, event, signal };
  }
  if (event.type === PIPELINE_STATE) {
    const d = parseWith(pipelineStateDataSchema, event.data, `CloudEvent ${event.id} (${PIPELINE_STATE}) data`, 'InvalidEventData');
    if (trustedCameraId !== undefined && !d.cameraIds.includes(trustedCameraId)) {
      throw new ValidationError(`CloudEvent ${event.id}: the topic's camera '${trustedCameraId}' is not one of the pipeline's cameras ${d.cameraIds.join(', ')}`, undefined, 'CameraMismatch');
    }
    return { kind: PIPELINE_STATE, event, report: { ...d, deviceId: trustedDeviceId, eventId: event.id } };
  }
  if (event.type !== SEGMENT_UPLOADED) {
    throw new ValidationError(`CloudEvent ${event.id}: unknown type ${JSON.stringify(event.type)}`, undefined, 'UnknownEventType');
  }
  const data = parseWith(segmentUploadedDataSchema, event.data, `CloudEvent ${event.id} (${SEGMENT_UPLOADED}) data`, 'InvalidEventData');
  if (trustedCameraId !== undefined && data.cameraId !== trustedCameraId) {
    throw new ValidationError(`CloudEvent ${event.id}: cameraId '${data.cameraId}' does not match the topic's camera '${trustedCameraId}'`, undefined, 'CameraMismatch');
  }
  const startMs = parseIsoDateTime(data.start, 'start');
  const expected = segmentBlobName(data.cameraId, startMs);
  if (data.blobName !== expected) {
    throw new ValidationError(`CloudEvent ${event.id}: blobName ${JSON.stringify(data.blobName)} is not the segment's name '${expected}'`, undefined, 'InvalidBlobName');
  }
  return {
    kind: SEGMENT_UPLOADED,
    event,
    segment: {
      deviceId: trustedDeviceId,
      cameraId: data.cameraId,
      startMs,
      durationMs: data.durationMs,
      bytes: data.bytes,
      blobName: data.blobName,
      sha256: data.sha256,
      eventId: event.id,
    },
  };
}

function checkCamera(eventId: string, cameraId: string, trustedCameraId: string | undefined): void {
  if (trustedCameraId !== undefined && cameraId !== trustedCameraId) {
    throw new ValidationError(`CloudEvent ${eventId}: cameraId '${cameraId}' does not match the topic's camera '${trustedCameraId}'`, undefined, 'CameraMismatch');
  }
}

function parseGapEvent(event: CloudEventEnvelope, deviceId: string, trustedCameraId: string | undefined): DeviceEvent {
  const data = parseWith(gapDataSchema, event.data, `CloudEvent ${event.id} (${GAP}) data`, 'InvalidEventData');
  if (trustedCameraId !== undefined && data.cameraId !== trustedCameraId) {
    throw new ValidationError(`CloudEvent ${event.id}: cameraId '${data.cameraId}' does not match the topic's camera '${trustedCameraId}'`, undefined, 'CameraMismatch');
  }
  const startMs = parseIsoDateTime(data.start, 'start');
  const endMs = parseIsoDateTime(data.end, 'end');
  if (endMs <= startMs || endMs - startMs > MAX_GAP_MS) {
    throw new ValidationError(`CloudEvent ${event.id}: gap ${data.start} .. ${data.end} must end after it starts and last at most 366 days`, undefined, 'InvalidEventData');
  }
  return { kind: GAP, event, gap: { deviceId, cameraId: data.cameraId, startMs, endMs, cause: data.cause, eventId: event.id } };
}
