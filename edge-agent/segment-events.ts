import { CloudEvent } from 'cloudevents';
import { SEGMENT_UPLOADED, deviceSource } from '../shared/schemas/device-events';
import { toIso } from '../shared/time';
import type { UploadedSegment } from './uploader/segment-uploader';

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
