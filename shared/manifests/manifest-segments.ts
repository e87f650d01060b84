import type { ArchiveHourManifest } from '../contracts/manifest';
import type { HourSegment } from './build-hour-manifest';

/**
 * The segments of a parsed archive hour manifest (shared/contracts/manifest.ts) with epoch ms starts, in the
 * manifest's order (by start): what playback and the index rebuild read of it.
 */
export function manifestSegments(manifest: Pick<ArchiveHourManifest, 'segments'>): HourSegment[] {
  return manifest.segments.map((s) => ({ startMs: Date.parse(s.start), durationMs: s.durationMs, bytes: s.bytes, sha256: s.sha256, deviceId: s.deviceId, eventId: s.eventId }));
}
