import type { InvocationContext } from '@azure/functions';
import { MANIFEST_JSON_CONTENT_TYPE, MANIFEST_PLAYLIST_CONTENT_TYPE, MANIFEST_PREFIX, MANIFEST_VERSION_MAX, archiveHourFolder, parseHourManifestBlobName } from '../../shared/contracts/manifest-naming';
import type { SegmentRecord } from '../../shared/contracts/device-events';
import type { ArchiveHourManifest } from '../../shared/contracts/manifest';
import { buildHourManifest, type HourSegment } from '../../shared/manifests/build-hour-manifest';
import { encodeHourSpans } from '../../shared/manifests/hour-spans-codec';
import { manifestSegments } from '../../shared/manifests/manifest-segments';
import { HOUR_MS, toIso } from '../../shared/time';
import type { HourRow } from '../adapters/table/table-manifest-hours';
import type { FunctionsDeps } from '../deps';
import { readHourManifest } from './read-hour-manifest';

export type HourManifestDeps = Pick<FunctionsDeps, 'segmentIndex' | 'gapIndex' | 'cameras' | 'manifestHours' | 'manifestBlobs' | 'segmentHasher' | 'segmentBlobs' | 'now'>;

/**
 * What writing one hour's manifest did:
 * - `written`: a new version was written and the hour marked clean;
 * - `unchanged`: the current version already lists the index's segments; the hour was marked clean;
 * - `removed`: the hour has no segment left (retention, erasure): its manifests and its row were deleted;
 * - `raced`: the row changed while this ran (a segment was indexed): it stays dirty for the next run.
 * An indexed segment whose blob is gone (deleted between its blob and its row, or lost) is left out of the manifest,
 * with a warning: the manifest lists what storage holds.
 */
export interface HourManifestResult {
  outcome: 'written' | 'unchanged' | 'removed' | 'raced';
  /** The hour's current manifest version after this (0 when none). */
  version: number;
  segments: number;
  /** Segment blobs read back and hashed (a new version reuses the hashes of segments the previous one listed). */
  hashed: number;
}

/**
 * (Re)writes one dirty archive hour's manifest from the segment index and the stored blobs (docs/contracts.md "Asset
 * manifests"):
 * 1. the index rows of the segments starting in the hour; none left → the hour's manifest blobs and then its row
 *    (`If-Match`) are deleted;
 * 2. the current version, when it lists exactly these segments, is kept and the hour marked clean;
 * 3. else every segment's SHA-256 is computed from its stored bytes (reused from the previous version for a segment
 *    it already listed: blobs are immutable; a segment without a blob is left out, and if that leaves the current
 *    version's list, it is kept as in step 2), the hour's gaps and the camera's stream info are read, and version
 *    max(row version, highest stored version) + 1 is written, playlist then JSON, each `If-None-Match: *`;
 * 4. the row is marked clean with the version and a copy of the segments' spans (shared/manifests/hour-spans-codec.ts,
 *    what playlists read) `If-Match` the ETag read before step 1: a segment indexed meanwhile
 *    changed it, the hour stays dirty and the next run writes the next version;
 * 5. the older versions are deleted.
 * A crash anywhere leaves the hour dirty, or clean with a version whose blobs exist; a version written but not
 * recorded is superseded and deleted by the next run. Readers that find a version gone scan the index.
 * @param row the hour's row as read (its ETag guards step 4)
 * @throws TransientError when storage fails (the hour stays dirty; the next run repeats it)
 */
export async function writeHourManifest(row: HourRow, deps: HourManifestDeps, context: InvocationContext): Promise<HourManifestResult> {
  const { cameraId, hourStartMs } = row;
  const records = await deps.segmentIndex.listSegmentRecords(cameraId, hourStartMs, hourStartMs + HOUR_MS);
  const stored = (await deps.manifestBlobs.list(`${archiveHourFolder(cameraId, hourStartMs)}${MANIFEST_PREFIX}`)).filter((n) => parseHourManifestBlobName(n));
  if (records.length === 0) {
    if (stored.length > 0) await deps.segmentBlobs.deleteBlobs(stored);
    const removed = await deps.manifestHours.remove(row);
    return { outcome: removed ? 'removed' : 'raced', version: 0, segments: 0, hashed: 0 };
  }
  const current = row.version >= 1 ? await readHourManifest(cameraId, hourStartMs, row.version, deps) : undefined;
  const known = new Map((current ? manifestSegments(current) : []).map((s) => [s.startMs, s]));
  if (current && known.size === records.length && records.every((r) => sameSegment(known.get(r.startMs), r))) {
    const marked = await deps.manifestHours.markWritten(row, row.version, records.length, encodeHourSpans(hourStartMs, records));
    return { outcome: marked ? 'unchanged' : 'raced', version: row.version, segments: records.length, hashed: 0 };
  }

  const toHash = records.filter((r) => !sameSegment(known.get(r.startMs), r));
  const hashes = await deps.segmentHasher.hashAll(toHash.map((r) => r.blobName));
  const hashByStart = new Map<number, string>();
  for (const [i, r] of toHash.entries()) {
    const h = hashes[i];
    if (!h) {
      // Indexed, then deleted (a retention step between its blob and row deletes, or a blob lost): the manifest lists
      // what storage holds; the row, if it stays, is the index's to fix.
      context.warn('indexed segment has no blob; left out of the manifest', { cameraId, hour: toIso(hourStartMs), blobName: r.blobName });
      continue;
    }
    if (h.sha256 !== r.sha256 || h.bytes !== r.bytes) {
      // The stored bytes win (the manifest is evidence); the index row keeps what ingest accepted.
      context.warn('stored segment differs from its index row', { cameraId, blobName: r.blobName, indexedSha256: r.sha256, storedSha256: h.sha256, indexedBytes: r.bytes, storedBytes: h.bytes });
    }
    hashByStart.set(r.startMs, h.sha256);
  }
  const segments: HourSegment[] = records
    .filter((r) => hashByStart.has(r.startMs) || sameSegment(known.get(r.startMs), r))
    .map((r) => ({ startMs: r.startMs, durationMs: r.durationMs, bytes: r.bytes, sha256: hashByStart.get(r.startMs) ?? known.get(r.startMs)!.sha256, deviceId: r.deviceId, eventId: r.eventId }));
  if (current && segments.length === known.size && segments.every((seg) => known.get(seg.startMs)?.sha256 === seg.sha256)) {
    // Only segments without blobs differed: the current version already lists what storage holds.
    const marked = await deps.manifestHours.markWritten(row, row.version, segments.length, encodeHourSpans(hourStartMs, segments));
    return { outcome: marked ? 'unchanged' : 'raced', version: row.version, segments: segments.length, hashed: toHash.length };
  }
  if (segments.length === 0) {
    if (stored.length > 0) await deps.segmentBlobs.deleteBlobs(stored);
    const removed = await deps.manifestHours.remove(row);
    return { outcome: removed ? 'removed' : 'raced', version: 0, segments: 0, hashed: toHash.length };
  }
  const [gaps, camera] = await Promise.all([deps.gapIndex.listGaps(cameraId, hourStartMs, hourStartMs + HOUR_MS), deps.cameras.getCamera(cameraId)]);
  const highest = Math.max(row.version, ...stored.map((n) => parseHourManifestBlobName(n)!.version));
  const version = highest + 1;
  if (version > MANIFEST_VERSION_MAX) throw new RangeError(`archive hour ${cameraId} ${toIso(hourStartMs)} has reached manifest version ${MANIFEST_VERSION_MAX}`);
  const files = buildHourManifest({ cameraId, hourStartMs, version, writtenAtMs: deps.now(), segments, gaps, stream: camera?.stream?.stream ?? null });
  // The playlist first: a JSON manifest (what playback and the rebuild read) never names a playlist that is not stored.
  const wrotePlaylist = await deps.manifestBlobs.create(files.playlistName, files.playlist, MANIFEST_PLAYLIST_CONTENT_TYPE);
  const wroteJson = await deps.manifestBlobs.create(files.jsonName, manifestText(files.manifest), MANIFEST_JSON_CONTENT_TYPE);
  if (wrotePlaylist === 'exists' || wroteJson === 'exists') return { outcome: 'raced', version: row.version, segments: segments.length, hashed: toHash.length };
  if (!(await deps.manifestHours.markWritten(row, version, segments.length, encodeHourSpans(hourStartMs, segments)))) return { outcome: 'raced', version: row.version, segments: segments.length, hashed: toHash.length };
  const older = stored.filter((n) => parseHourManifestBlobName(n)!.version < version);
  if (older.length > 0) await deps.segmentBlobs.deleteBlobs(older);
  return { outcome: 'written', version, segments: segments.length, hashed: toHash.length };
}

/** The JSON manifest as stored: one segment per line, so that people can read and diff it. */
function manifestText(manifest: ArchiveHourManifest): string {
  const { segments, ...head } = manifest;
  const top = JSON.stringify({ ...head, segments: [] });
  const lines = segments.map((s) => ` ${JSON.stringify(s)}`).join(',\n');
  return `${top.replace('"segments":[]', segments.length ? `"segments":[\n${lines}\n]` : '"segments":[]')}\n`;
}

/** True when the manifest's segment is the index row's (same start, duration, size and provenance). */
function sameSegment(listed: HourSegment | undefined, r: SegmentRecord): boolean {
  return listed !== undefined && listed.startMs === r.startMs && listed.durationMs === r.durationMs && listed.bytes === r.bytes && listed.deviceId === r.deviceId && listed.eventId === r.eventId;
}
