import type { GapCause } from '../contracts/device-events';
import { MANIFEST_FORMAT, RECORDING_MANIFEST, type RecordingManifest } from '../contracts/manifest';
import { recordingManifestBlobName, segmentUriFromRecording } from '../contracts/manifest-naming';
import type { StreamInfo } from '../contracts/stream-info';
import type { RecordingRecord } from '../ports/recording-store';
import { toIso } from '../time';
import type { HourSegment } from './build-hour-manifest';
import { manifestContents } from './manifest-contents';

/** What {@link buildRecordingManifest} needs. */
export interface RecordingManifestInput {
  recording: Pick<RecordingRecord, 'id' | 'cameraId' | 'gateRecordingId' | 'startMs' | 'endMs' | 'signals' | 'signalCount'>;
  /** The version to write, 1..9999. */
  version: number;
  writtenAtMs: number;
  /** Stored segments overlapping the window (with the SHA-256 of their stored bytes), any order. */
  segments: readonly HourSegment[];
  /** Gaps overlapping the window, any order; clipped to it here. */
  gaps: ReadonlyArray<{ startMs: number; endMs: number; cause: GapCause }>;
  stream: StreamInfo | null;
}

/** The two files of one recording manifest version. */
export interface RecordingManifestFiles {
  manifest: RecordingManifest;
  jsonName: string;
  playlistName: string;
  /** HLS VOD media playlist with `../../{yyyy}/{MM}/{dd}/{HH}/{start}.ts` URIs. */
  playlist: string;
}

/**
 * Builds an EVR recording's manifest version (docs/contracts.md "Asset manifests"): the recording, its signals, the
 * segments overlapping its window (all in the JSON, the playable ones in the playlist), its gaps and the stream.
 * @throws RangeError when a segment does not overlap the window or the version is out of range
 */
export function buildRecordingManifest(input: RecordingManifestInput): RecordingManifestFiles {
  const r = input.recording;
  const segments = [...input.segments].sort((a, b) => a.startMs - b.startMs || a.durationMs - b.durationMs);
  for (const s of segments) {
    if (s.startMs >= r.endMs || s.startMs + s.durationMs <= r.startMs) throw new RangeError(`segment at ${toIso(s.startMs)} does not overlap recording ${r.id}`);
  }
  const jsonName = recordingManifestBlobName(r.cameraId, r.id, input.version, 'json');
  const playlistName = recordingManifestBlobName(r.cameraId, r.id, input.version, 'm3u8');
  const contents = manifestContents(segments, input.gaps, r, (segmentStartMs) => segmentUriFromRecording(r.cameraId, segmentStartMs));
  const manifest: RecordingManifest = {
    kind: RECORDING_MANIFEST,
    format: MANIFEST_FORMAT,
    cameraId: r.cameraId,
    recording: {
      id: r.id,
      gateRecordingId: r.gateRecordingId,
      start: toIso(r.startMs),
      end: toIso(r.endMs),
      signals: r.signals.map((s) => ({ id: s.id, type: s.type, at: toIso(s.atMs), ...(s.label === undefined ? {} : { label: s.label }) })),
      signalCount: r.signalCount,
    },
    version: input.version,
    writtenAt: toIso(input.writtenAtMs),
    playlist: playlistName.slice(playlistName.lastIndexOf('/') + 1),
    segments: contents.segments,
    gaps: contents.gaps,
    stream: input.stream,
  };
  return { manifest, jsonName, playlistName, playlist: contents.playlist };
}
