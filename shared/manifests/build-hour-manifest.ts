import type { GapCause } from '../contracts/device-events';
import { ARCHIVE_HOUR_MANIFEST, MANIFEST_FORMAT, type ArchiveHourManifest } from '../contracts/manifest';
import { hourManifestBlobName, hourStart, segmentUriInFolder } from '../contracts/manifest-naming';
import type { StreamInfo } from '../contracts/stream-info';
import { playableSegments } from '../hls/playable-segments';
import { renderPlaylist } from '../hls/render-playlist';
import { HOUR_MS, toIso } from '../time';

/** One stored segment as the manifest writer found it: its index row, with the SHA-256 of the stored bytes. */
export interface HourSegment {
  /** Start, epoch ms UTC; inside the hour. */
  startMs: number;
  durationMs: number;
  /** Stored size, bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 of the stored blob's bytes. */
  sha256: string;
  deviceId: string;
  eventId: string;
}

/** What {@link buildHourManifest} needs. */
export interface HourManifestInput {
  cameraId: string;
  /** Any instant of the hour, epoch ms UTC. */
  hourStartMs: number;
  /** The version to write, 1..9999. */
  version: number;
  writtenAtMs: number;
  /** The hour's segments (starts in the hour), any order. */
  segments: readonly HourSegment[];
  /** Gaps overlapping the hour, any order; clipped to it here. */
  gaps: ReadonlyArray<{ startMs: number; endMs: number; cause: GapCause }>;
  stream: StreamInfo | null;
}

/** The two files of one manifest version: the JSON manifest and its HLS media playlist. */
export interface HourManifestFiles {
  manifest: ArchiveHourManifest;
  /** Blob names of both, in the hour's folder. */
  jsonName: string;
  playlistName: string;
  /** The HLS media playlist (RFC 8216 VOD) with relative segment URIs. */
  playlist: string;
}

/**
 * Builds an archive hour's manifest version (docs/contracts.md "Asset manifests"): the JSON lists every segment of
 * the hour by start (what the index holds, so the index can be rebuilt from it), the playlist the playable ones
 * (shared/hls/playable-segments.ts: overlapping ones left out), with `./{start}.ts` URIs and
 * `#EXT-X-PROGRAM-DATE-TIME` per segment, as the signed playlist renders them (shared/hls/render-playlist.ts).
 * @throws RangeError when a segment does not start inside the hour or the version is out of range
 */
export function buildHourManifest(input: HourManifestInput): HourManifestFiles {
  const startMs = hourStart(input.hourStartMs);
  const endMs = startMs + HOUR_MS;
  const segments = [...input.segments].sort((a, b) => a.startMs - b.startMs || a.durationMs - b.durationMs);
  for (const s of segments) {
    if (s.startMs < startMs || s.startMs >= endMs) throw new RangeError(`segment at ${toIso(s.startMs)} does not start in the hour ${toIso(startMs)}`);
  }
  const jsonName = hourManifestBlobName(input.cameraId, startMs, input.version, 'json');
  const playlistName = hourManifestBlobName(input.cameraId, startMs, input.version, 'm3u8');
  const gaps = input.gaps
    .map((g) => ({ startMs: Math.max(g.startMs, startMs), endMs: Math.min(g.endMs, endMs), cause: g.cause }))
    .filter((g) => g.endMs > g.startMs)
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || (a.cause < b.cause ? -1 : a.cause > b.cause ? 1 : 0));
  const manifest: ArchiveHourManifest = {
    kind: ARCHIVE_HOUR_MANIFEST,
    format: MANIFEST_FORMAT,
    cameraId: input.cameraId,
    start: toIso(startMs),
    end: toIso(endMs),
    version: input.version,
    writtenAt: toIso(input.writtenAtMs),
    playlist: playlistName.slice(playlistName.lastIndexOf('/') + 1),
    segments: segments.map((s) => ({
      uri: segmentUriInFolder(input.cameraId, s.startMs),
      start: toIso(s.startMs),
      durationMs: s.durationMs,
      bytes: s.bytes,
      sha256: s.sha256,
      deviceId: s.deviceId,
      eventId: s.eventId,
    })),
    gaps: gaps.map((g) => ({ start: toIso(g.startMs), end: toIso(g.endMs), cause: g.cause })),
    stream: input.stream,
  };
  const playable = playableSegments(segments).segments.map((s) => ({ startMs: s.startMs, durationMs: s.durationMs, url: segmentUriInFolder(input.cameraId, s.startMs) }));
  return { manifest, jsonName, playlistName, playlist: renderPlaylist(playable) };
}
