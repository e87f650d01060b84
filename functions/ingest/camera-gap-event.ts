import { CAMERA_GAP } from '../../shared/contracts/camera-health';
import type { GapRecord } from '../../shared/contracts/device-events';
import type { IntegrationEvent } from '../../shared/ports/integration-events';
import { toIso } from '../../shared/time';

/** CloudEvents `source` of the events ingest forwards (`camera.diagnostics`, `camera.gap`). */
export const INGEST_SOURCE = '/keepwatch/ingest';

/**
 * The `camera.gap` integration event of an accepted `gap` device event (docs/events.md "camera.gap"): the device
 * event's id and time (consumers dedupe redeliveries on the id), subject the camera, `data` the gap as indexed with its
 * device: `{ deviceId, cameraId, start, end, cause }`, ISO 8601 UTC with ms, [start, end).
 * @param id the device event's id
 * @param time the device event's time
 */
export function cameraGapEvent(id: string, time: string, gap: GapRecord): IntegrationEvent {
  return {
    specversion: '1.0',
    id,
    source: INGEST_SOURCE,
    type: CAMERA_GAP,
    time,
    subject: gap.cameraId,
    datacontenttype: 'application/json',
    data: { deviceId: gap.deviceId, cameraId: gap.cameraId, start: toIso(gap.startMs), end: toIso(gap.endMs), cause: gap.cause },
  };
}
