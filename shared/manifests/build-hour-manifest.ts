import type { GapCause } from '../contracts/device-events';
import { ARCHIVE_HOUR_MANIFEST, MANIFEST_FORMAT, type ArchiveHourManifest } from '../contracts/manifest';
import { hourManifestBlobName, hourStart, segmentUriInFolder } from '../contracts/manifest-naming';
import type { StreamInfo } from '../contracts/stream-info';
import { HOUR_MS, toIso } from '../time';
import { manifestContents } from './manifest-contents';

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
  const contents = manifestContents(segments, input.gaps, { startMs, endMs }, (segmentStartMs) => segmentUriInFolder(input.cameraId, segmentStartMs));
  const manifest: ArchiveHourManifest = {
    kind: ARCHIVE_HOUR_MANIFEST,
    format: MANIFEST_FORMAT,
    cameraId: input.cameraId,
    start: toIso(startMs),
    end: toIso(endMs),
    version: input.version,
    writtenAt: toIso(input.writtenAtMs),
    playlist: playlistName.slice(playlistName.lastIndexOf('/') + 1),
    segments: contents.segments,
    gaps: contents.gaps,
    stream: input.stream,
  };
  return { manifest, jsonName, playlistName, playlist: contents.playlist };
}
