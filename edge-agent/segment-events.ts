import { CloudEvent } from 'cloudevents';
import { DIAGNOSTICS, GAP, SEGMENT_RECORDED, SEGMENT_UPLOADED, deviceSource } from '../shared/schemas/device-events';
import type { RecorderDiagnostic } from './recorder/ffmpeg-diagnostics';
import { randomUUID } from 'node:crypto';
import type { Gap } from './gaps/gap-tracker';
import { toIso } from '../shared/time';
import type { UploadedSegment } from './uploader/segment-uploader';
import type { RecordedSegment } from './recorder/camera-recorder';

/**
 * The `segment.uploaded` CloudEvent for an uploaded segment (issue 2 contract; data schema in
 * shared/schemas/device-events.ts). The id is derived from camera and start, so a republish after
 * a restart carries the same id and the cloud's idempotent handlers see one event.
 * @param nowMs event time, epoch ms
 */
export function segmentUploadedEvent(deviceId: string, seg: UploadedSegment, nowMs: number): CloudEvent<Record<string, unknown>> {
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: `segment-${seg.cameraId}-${seg.startMs}`,
    source: deviceSource(deviceId),
    type: SEGMENT_UPLOADED,
    subject: seg.cameraId,
    time: toIso(nowMs),
    datacontenttype: 'application/json',
    data: {
      cameraId: seg.cameraId,
      start: toIso(seg.startMs),
      durationMs: seg.durationMs,
      bytes: seg.bytes,
      blobName: seg.blobName,
      sha256: seg.sha256,
    },
  });
}

/**
 * The `gap` CloudEvent for a stretch of a camera's timeline without media (issue 4 §3; data schema
 * in shared/schemas/device-events.ts). The id is derived from camera and start, so a republish is
 * one event to the cloud's idempotent handlers.
 * @param nowMs event time, epoch ms
 */
export function gapEvent(deviceId: string, gap: Gap, nowMs: number): CloudEvent<Record<string, unknown>> {
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: `gap-${gap.cameraId}-${gap.startMs}`,
    source: deviceSource(deviceId),
    type: GAP,
    subject: gap.cameraId,
    time: toIso(nowMs),
    datacontenttype: 'application/json',
    data: { cameraId: gap.cameraId, start: toIso(gap.startMs), end: toIso(gap.endMs), cause: gap.cause },
  });
}

/**
 * The `diagnostics` CloudEvent for what a recording session told about its camera (issue 4 §4; data
 * schema in shared/schemas/device-events.ts).
 * @param nowMs event time, epoch ms
 */
export function diagnosticsEvent(deviceId: string, cameraId: string, d: RecorderDiagnostic, nowMs: number): CloudEvent<Record<string, unknown>> {
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: `diag-${cameraId}-${randomUUID()}`,
    source: deviceSource(deviceId),
    type: DIAGNOSTICS,
    subject: cameraId,
    time: toIso(nowMs),
    datacontenttype: 'application/json',
    data: { cameraId, ...d },
  });
}

/**
 * The `segment.recorded` CloudEvent of an EVR camera's complete segment (issue 3 §4; data schema
 * `{cameraId, start, durationMs, bytes}` in shared/schemas/device-events.ts): it tells the cloud's signal
 * gate how far the camera's media time has come. The id `recorded-{cameraId}-{startMs}` makes a republish
 * one event.
 * @param nowMs event time, epoch ms
 */
export function segmentRecordedEvent(deviceId: string, seg: RecordedSegment, nowMs: number): CloudEvent<Record<string, unknown>> {
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: `recorded-${seg.cameraId}-${seg.startMs}`,
    source: deviceSource(deviceId),
    type: SEGMENT_RECORDED,
    subject: seg.cameraId,
    time: toIso(nowMs),
    datacontenttype: 'application/json',
    data: { cameraId: seg.cameraId, start: toIso(seg.startMs), durationMs: seg.durationMs, bytes: seg.bytes },
  });
}
