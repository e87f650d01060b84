import * as deviceEvents from '../../shared/contracts/device-events';
import * as signals from '../../shared/contracts/signals';
import { segmentBlobName } from '../../shared/contracts/blob-naming';
import { toIso } from '../../shared/time';

/**
 * Every device event type the schemas define: the exported upper-case string constants of
 * shared/contracts/device-events.ts (`SEGMENT_UPLOADED`, `GAP` ...) and signals.ts (`SIGNAL`). A type added there later
 * is picked up without editing the harnesses.
 */
export function deviceEventTypes(): string[] {
  const constants = { ...deviceEvents, SIGNAL: signals.SIGNAL } as Record<string, unknown>;
  return [...new Set(Object.entries(constants).filter(([k, v]) => /^[A-Z][A-Z_]*$/.test(k) && typeof v === 'string' && /^[a-z][a-z.]*$/.test(v)).map(([, v]) => v as string))].sort();
}

/**
 * A valid `data` of `type` for `cameraId` at `startMs` (epoch ms UTC), for the types this file knows; for a type it
 * does not know (added later), `{ cameraId }`, which is enough for hostile-id probes: the id check must refuse it
 * whatever else the data holds.
 */
export function sampleEventData(type: string, cameraId: string, startMs: number): Record<string, unknown> {
  switch (type) {
    case deviceEvents.SEGMENT_UPLOADED:
      return { cameraId, start: toIso(startMs), durationMs: 10_000, bytes: 1000, blobName: blobNameOf(cameraId, startMs), sha256: 'a'.repeat(64) };
    case deviceEvents.SEGMENT_RECORDED:
      return { cameraId, start: toIso(startMs), durationMs: 10_000, bytes: 1000 };
    case deviceEvents.GAP:
      return { cameraId, start: toIso(startMs), end: toIso(startMs + 20_000), cause: 'camera-unavailable' };
    case deviceEvents.DIAGNOSTICS:
      return { cameraId, kind: 'data-dropped', message: 'probe' };
    case signals.SIGNAL:
      return { cameraId, type: 'motion', time: toIso(startMs) };
    default:
      return { cameraId };
  }
}

/** The canonical blob name, or for an invalid camera id the same layout with the id pasted in (a forged name). */
function blobNameOf(cameraId: string, startMs: number): string {
  const name = segmentBlobName('x', startMs);
  return `${cameraId}${name.slice(1)}`;
}

/** True when {@link sampleEventData} knows a valid sample of `type`. */
export function hasSample(type: string): boolean {
  return [deviceEvents.SEGMENT_UPLOADED, deviceEvents.SEGMENT_RECORDED, deviceEvents.GAP, deviceEvents.DIAGNOSTICS, signals.SIGNAL].includes(type);
}

/** A device CloudEvent of `type` from `deviceId` (source `/devices/{deviceId}`, not validated here). */
export function deviceCloudEvent(o: { id: string; type: string; deviceId: string; data: Record<string, unknown>; time?: string }): Record<string, unknown> {
  return { specversion: '1.0', id: o.id, source: `/devices/${o.deviceId}`, type: o.type, time: o.time ?? '2026-11-21T10:00:10.000Z', datacontenttype: 'application/json', data: o.data };
}
