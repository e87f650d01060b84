import { CloudEvent } from 'cloudevents';
import { DIAGNOSTICS, GAP, SEGMENT_RECORDED, SEGMENT_UPLOADED, deviceSource } from '../shared/contracts/device-events';
import { SIGNAL, type SignalData } from '../shared/contracts/signals';
import type { MotionSignal } from './motion/motion-aggregator';
import type { InferenceSignal } from './extension/inference-signals';
import type { RecorderDiagnostic } from './recorder/ffmpeg-diagnostics';
import { randomUUID } from 'node:crypto';
import type { Gap } from './gaps/gap-tracker';
import { toIso } from '../shared/time';
import type { RecordedSegment, UploadedSegment } from './segments/recorded-segment';

type DeviceCloudEvent = CloudEvent<Record<string, unknown>>;

/** A device CloudEvent (docs/contracts.md "Events on the wire"): source `/devices/{deviceId}`, subject the camera, JSON data. */
function deviceEvent(deviceId: string, id: string, type: string, cameraId: string, data: Record<string, unknown>, nowMs: number): DeviceCloudEvent {
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id,
    source: deviceSource(deviceId),
    type,
    subject: cameraId,
    time: toIso(nowMs),
    datacontenttype: 'application/json',
    data,
  });
}

/**
 * The `segment.uploaded` CloudEvent for an uploaded segment (docs/contracts.md "Events on the wire"; data schema in
 * shared/contracts/device-events.ts). The id is derived from camera and start, so a republish after
 * a restart carries the same id and the cloud's idempotent handlers see one event.
 * @param nowMs event time, epoch ms
 */
export function segmentUploadedEvent(deviceId: string, seg: UploadedSegment, nowMs: number): DeviceCloudEvent {
  const data = { cameraId: seg.cameraId, start: toIso(seg.startMs), durationMs: seg.durationMs, bytes: seg.bytes, blobName: seg.blobName, sha256: seg.sha256 };
  return deviceEvent(deviceId, `segment-${seg.cameraId}-${seg.startMs}`, SEGMENT_UPLOADED, seg.cameraId, data, nowMs);
}

/**
 * The `gap` CloudEvent for a stretch of a camera's timeline without media (docs/contracts.md "Other device events";
 * data schema in shared/contracts/device-events.ts). The id is derived from camera and start, so a republish is
 * one event to the cloud's idempotent handlers.
 * @param nowMs event time, epoch ms
 */
export function gapEvent(deviceId: string, gap: Gap, nowMs: number): DeviceCloudEvent {
  return deviceEvent(deviceId, `gap-${gap.cameraId}-${gap.startMs}`, GAP, gap.cameraId, { cameraId: gap.cameraId, start: toIso(gap.startMs), end: toIso(gap.endMs), cause: gap.cause }, nowMs);
}

/**
 * The `diagnostics` CloudEvent for what a recording session told about its camera (docs/contracts.md "Other device
 * events"; data schema in shared/contracts/device-events.ts).
 * @param nowMs event time, epoch ms
 */
export function diagnosticsEvent(deviceId: string, cameraId: string, d: RecorderDiagnostic, nowMs: number): DeviceCloudEvent {
  return deviceEvent(deviceId, `diag-${cameraId}-${randomUUID()}`, DIAGNOSTICS, cameraId, { cameraId, ...d }, nowMs);
}

/**
 * The `segment.recorded` CloudEvent of an EVR camera's complete segment (docs/contracts.md "EVR on the agent"; data
 * schema `{cameraId, start, durationMs, bytes}` in shared/contracts/device-events.ts): it tells the cloud's signal
 * gate how far the camera's media time has come. The id `recorded-{cameraId}-{startMs}` makes a republish
 * one event.
 * @param signalsThroughMs for a camera with motion detection or an HTTP extension: media time before which the agent
 *   will publish no more signals (epoch ms); sent as `signalsThrough` so the gate's clock waits for them
 * @param nowMs event time, epoch ms
 */
export function segmentRecordedEvent(deviceId: string, seg: RecordedSegment, nowMs: number, signalsThroughMs?: number): DeviceCloudEvent {
  const data: Record<string, unknown> = { cameraId: seg.cameraId, start: toIso(seg.startMs), durationMs: seg.durationMs, bytes: seg.bytes };
  if (signalsThroughMs !== undefined) data.signalsThrough = toIso(signalsThroughMs);
  return deviceEvent(deviceId, `recorded-${seg.cameraId}-${seg.startMs}`, SEGMENT_RECORDED, seg.cameraId, data, nowMs);
}

/** Most boxes a motion signal carries (signalDataSchema allows 32): the largest first of the window's frames. */
const MOTION_BOXES_MAX = 32;

function signalEvent(deviceId: string, id: string, data: SignalData, nowMs: number): DeviceCloudEvent {
  return deviceEvent(deviceId, id, SIGNAL, data.cameraId, { ...data }, nowMs);
}

/**
 * The `signal` CloudEvent of a motion signal (data schema `signalDataSchema` in shared/contracts/signals.ts):
 * id `motion-{cameraId}-{atMs}` (a republish is the same signal to the gate), data `{cameraId, type: 'motion', time
 * (first frame with motion, UTC), end (last one), boxes (≤ 32, AVA l,t,w,h)}`.
 * @param nowMs event time, epoch ms
 */
export function motionSignalEvent(deviceId: string, cameraId: string, s: MotionSignal, nowMs: number): CloudEvent<Record<string, unknown>> {
  const boxes = s.boxes.slice(0, MOTION_BOXES_MAX).map(({ l, t, w, h }) => ({ l, t, w, h }));
  return signalEvent(deviceId, `motion-${cameraId}-${s.atMs}`, { cameraId, type: 'motion', time: toIso(s.atMs), end: toIso(s.lastMs), ...(boxes.length ? { boxes } : {}) }, nowMs);
}

/**
 * The `signal` CloudEvent of one inference of an HTTP extension reply: id
 * `inference-{cameraId}-{atMs}-{index}`, data `{cameraId, type: 'inference', time (the sample's media time, UTC),
 * label?, confidence?, boxes?, properties?}`.
 * @param nowMs event time, epoch ms
 */
export function inferenceSignalEvent(deviceId: string, cameraId: string, atMs: number, s: InferenceSignal, nowMs: number): CloudEvent<Record<string, unknown>> {
  const data: SignalData = { cameraId, type: 'inference', time: toIso(atMs) };
  if (s.label !== undefined) data.label = s.label;
  if (s.confidence !== undefined) data.confidence = s.confidence;
  if (s.boxes?.length) data.boxes = s.boxes;
  if (s.properties !== undefined) data.properties = s.properties;
  return signalEvent(deviceId, `inference-${cameraId}-${atMs}-${s.index}`, data, nowMs);
}
