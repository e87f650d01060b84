import type { GapCause } from '../contracts/device-events';
import type { ArchiveHourManifest } from '../contracts/manifest';
import { playableSegments } from '../hls/playable-segments';
import { renderPlaylist } from '../hls/render-playlist';
import { toIso } from '../time';
import type { HourSegment } from './build-hour-manifest';

/**
 * What an hour's and a recording's manifest list alike (docs/contracts.md "Asset manifests"): every segment (sorted by
 * start, as given) with its relative URI, size and SHA-256; the gaps clipped to the window `[startMs, endMs)` (epoch ms
 * UTC), sorted by start, end, cause; and the HLS VOD media playlist of the playable segments with the same URIs.
 * @param segments sorted by start
 * @param uriOf a segment's URI relative to the manifest's folder
 */
export function manifestContents(
  segments: readonly HourSegment[],
  gaps: ReadonlyArray<{ startMs: number; endMs: number; cause: GapCause }>,
  window: { startMs: number; endMs: number },
  uriOf: (segmentStartMs: number) => string,
): Pick<ArchiveHourManifest, 'segments' | 'gaps'> & { playlist: string } {
  const clipped = gaps
    .map((g) => ({ startMs: Math.max(g.startMs, window.startMs), endMs: Math.min(g.endMs, window.endMs), cause: g.cause }))
    .filter((g) => g.endMs > g.startMs)
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || (a.cause < b.cause ? -1 : a.cause > b.cause ? 1 : 0));
  const playable = playableSegments(segments).segments.map((s) => ({ startMs: s.startMs, durationMs: s.durationMs, url: uriOf(s.startMs) }));
  return {
    segments: segments.map((s) => ({
      uri: uriOf(s.startMs),
      start: toIso(s.startMs),
      durationMs: s.durationMs,
      bytes: s.bytes,
      sha256: s.sha256,
      deviceId: s.deviceId,
      eventId: s.eventId,
    })),
    gaps: clipped.map((g) => ({ start: toIso(g.startMs), end: toIso(g.endMs), cause: g.cause })),
    playlist: renderPlaylist(playable),
  };
}
