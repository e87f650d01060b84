import type { InvocationContext } from '@azure/functions';
import { recordingManifestSchema, type RecordingManifest } from '../../shared/contracts/manifest';
import { MANIFEST_JSON_CONTENT_TYPE, MANIFEST_PLAYLIST_CONTENT_TYPE, MANIFEST_VERSION_MAX, parseRecordingManifestVersion, recordingManifestBlobName } from '../../shared/contracts/manifest-naming';
import { buildRecordingManifest } from '../../shared/manifests/build-recording-manifest';
import type { HourSegment } from '../../shared/manifests/build-hour-manifest';
import { manifestSegments } from '../../shared/manifests/manifest-segments';
import { toIso } from '../../shared/time';
import type { RecordingManifestRow } from '../adapters/table/table-manifest-recordings';
import { MAX_SEGMENT_MS } from '../adapters/table/table-segment-index';
import type { FunctionsDeps } from '../deps';

export type RecordingManifestDeps = Pick<FunctionsDeps, 'settings' | 'recordings' | 'segmentIndex' | 'gapIndex' | 'cameras' | 'manifestRecordings' | 'manifestBlobs' | 'segmentHasher' | 'segmentBlobs' | 'now'>;

/**
 * What writing one recording's manifest did: `written`, `unchanged` (marked clean), `waiting` (not complete yet, or
 * its window closed less than `KEEPWATCH_MANIFEST_GRACE` ago: it stays dirty), `removed` (the recording is gone, or
 * has no stored segment: its manifests and row deleted), `raced` (the row changed meanwhile: stays dirty). An indexed
 * segment whose blob is gone is left out, with a warning.
 */
export type RecordingManifestOutcome = 'written' | 'unchanged' | 'waiting' | 'removed' | 'raced';

/**
 * (Re)writes one dirty EVR recording's manifest (docs/contracts.md "Asset manifests"), the way an hour's is written
 * (functions/manifests/write-hour-manifest.ts): only once the recording is `complete` and its window ended at least
 * `KEEPWATCH_MANIFEST_GRACE` ago (its segments are uploaded after the window), from the index rows of the segments
 * overlapping the window and their stored bytes' SHA-256; version max(row, stored) + 1, playlist then JSON, each
 * `If-None-Match: *`; the row marked clean `If-Match` the ETag read; older versions deleted.
 * @throws TransientError when storage fails (the recording stays dirty; the next run repeats it)
 */
export async function writeRecordingManifest(row: RecordingManifestRow, deps: RecordingManifestDeps, context: InvocationContext): Promise<RecordingManifestOutcome> {
  const { cameraId, recordingId } = row;
  const folder = recordingManifestBlobName(cameraId, recordingId, 1, 'json').replace(/manifest-v0001\.json$/, '');
  const stored = (await deps.manifestBlobs.list(`${folder}manifest-v`)).filter((n) => parseRecordingManifestVersion(n) !== undefined);
  const recording = await deps.recordings.get(cameraId, recordingId);
  const records = recording
    ? (await deps.segmentIndex.listSegmentRecords(cameraId, Math.max(0, recording.startMs - MAX_SEGMENT_MS), recording.endMs)).filter((s) => s.startMs + s.durationMs > recording.startMs)
    : [];
  if (!recording || (recording.state === 'complete' && records.length === 0)) {
    if (stored.length > 0) await deps.segmentBlobs.deleteBlobs(stored);
    return (await deps.manifestRecordings.remove(row)) ? 'removed' : 'raced';
  }
  if (recording.state !== 'complete' || recording.endMs + deps.settings.manifestGraceMs > deps.now()) return 'waiting';

  const current = row.version >= 1 ? await readRecordingManifest(cameraId, recordingId, row.version, deps) : undefined;
  const known = new Map((current ? manifestSegments(current) : []).map((s) => [s.startMs, s]));
  const same = (s: HourSegment | undefined, r: (typeof records)[number]) => s !== undefined && s.durationMs === r.durationMs && s.bytes === r.bytes && s.deviceId === r.deviceId && s.eventId === r.eventId;
  if (current && known.size === records.length && records.every((r) => same(known.get(r.startMs), r))) {
    return (await deps.manifestRecordings.markWritten(row, row.version)) ? 'unchanged' : 'raced';
  }
  const toHash = records.filter((r) => !same(known.get(r.startMs), r));
  const hashes = await deps.segmentHasher.hashAll(toHash.map((r) => r.blobName));
  const hashByStart = new Map<number, string>();
  for (const [i, r] of toHash.entries()) {
    const h = hashes[i];
    if (h) hashByStart.set(r.startMs, h.sha256);
    else context.warn('indexed segment has no blob; left out of the recording manifest', { cameraId, recordingId, blobName: r.blobName });
  }
  const segments: HourSegment[] = records
    .filter((r) => hashByStart.has(r.startMs) || same(known.get(r.startMs), r))
    .map((r) => ({ startMs: r.startMs, durationMs: r.durationMs, bytes: r.bytes, sha256: hashByStart.get(r.startMs) ?? known.get(r.startMs)!.sha256, deviceId: r.deviceId, eventId: r.eventId }));
  if (current && segments.length === known.size && segments.every((seg) => known.get(seg.startMs)?.sha256 === seg.sha256)) {
    return (await deps.manifestRecordings.markWritten(row, row.version)) ? 'unchanged' : 'raced';
  }
  if (segments.length === 0) return 'waiting';
  const [gaps, camera] = await Promise.all([deps.gapIndex.listGaps(cameraId, recording.startMs, recording.endMs), deps.cameras.getCamera(cameraId)]);
  const version = Math.max(row.version, ...stored.map((n) => parseRecordingManifestVersion(n)!)) + 1;
  if (version > MANIFEST_VERSION_MAX) throw new RangeError(`recording ${cameraId}/${recordingId} has reached manifest version ${MANIFEST_VERSION_MAX}`);
  const files = buildRecordingManifest({ recording, version, writtenAtMs: deps.now(), segments, gaps, stream: camera?.stream?.stream ?? null });
  const wrotePlaylist = await deps.manifestBlobs.create(files.playlistName, files.playlist, MANIFEST_PLAYLIST_CONTENT_TYPE);
  const wroteJson = await deps.manifestBlobs.create(files.jsonName, `${JSON.stringify(files.manifest)}\n`, MANIFEST_JSON_CONTENT_TYPE);
  if (wrotePlaylist === 'exists' || wroteJson === 'exists' || !(await deps.manifestRecordings.markWritten(row, version))) return 'raced';
  const older = stored.filter((n) => parseRecordingManifestVersion(n)! < version);
  if (older.length > 0) await deps.segmentBlobs.deleteBlobs(older);
  context.log('recording manifest written', { cameraId, recordingId, version, segments: segments.length, at: toIso(deps.now()) });
  return 'written';
}

/** One version of a recording's JSON manifest, or `undefined` when gone or not a manifest of that recording. */
async function readRecordingManifest(cameraId: string, recordingId: string, version: number, deps: Pick<FunctionsDeps, 'manifestBlobs'>): Promise<RecordingManifest | undefined> {
  const text = await deps.manifestBlobs.read(recordingManifestBlobName(cameraId, recordingId, version, 'json'));
  if (text === undefined) return undefined;
  try {
    const m = recordingManifestSchema.parse(JSON.parse(text));
    return m.cameraId === cameraId && m.recording.id === recordingId && m.version === version ? m : undefined;
  } catch {
    return undefined;
  }
}
