import type { InvocationContext } from '@azure/functions';
import { parseSegmentBlobName, segmentBlobName } from '../../shared/contracts/blob-naming';
import type { SegmentRecord } from '../../shared/contracts/device-events';
import { hourStart, parseHourManifestBlobName } from '../../shared/contracts/manifest-naming';
import { assertId, isValidId } from '../../shared/ids';
import { encodeHourSpans } from '../../shared/manifests/hour-spans-codec';
import { manifestSegments } from '../../shared/manifests/manifest-segments';
import { DAY_MS, HOUR_MS, startOfUtcDay, toIso } from '../../shared/time';
import type { ArchiveBlob, BlobArchiveListing } from '../adapters/blob/blob-archive-listing';
import type { FunctionsDeps } from '../deps';
import { readHourManifest } from './read-hour-manifest';

export type RebuildIndexDeps = Pick<FunctionsDeps, 'segmentIndex' | 'availability' | 'cameras' | 'manifestHours' | 'manifestBlobs' | 'devices'> & { archiveListing: BlobArchiveListing };

/** What {@link rebuildIndex} wrote. */
export interface RebuildIndexSummary {
  cameraId: string;
  /** The range rebuilt, ISO 8601 UTC; absent = the whole archive. */
  from?: string;
  to?: string;
  /** Segment rows written: from manifests, and from blobs no manifest lists. */
  segments: { fromManifests: number; fromBlobs: number };
  /** Archive hours whose manifest was found (their rows written clean), and hours left dirty (blobs their manifest does not list, or no manifest). */
  hours: { withManifest: number; dirty: number };
  /** Segment blobs that could not be indexed (no `durationms` metadata), by name. */
  skipped: string[];
}

/**
 * Rebuilds a camera's segment index, availability rollup, camera row and manifest hours from what Blob holds alone
 * (`keepwatch-admin rebuild-index`, docs/contracts.md "Asset manifests"):
 * - each archive hour with a manifest: the rows of its newest version, as ingest wrote them (device, event id, size,
 *   duration; `sha256` is the one the manifest computed from the stored bytes, which for an honest agent is the one it
 *   claimed); the hour's row is written clean with that version;
 * - each segment blob no manifest lists (the open hour, a late segment): a row from its name (camera, start), its size
 *   (storage's) and the uploader's metadata (`durationms`, `sha256`); device = the one the newest manifest names for
 *   the camera, else the provisioned device owning the camera, else `unknown`; event id `rebuilt-{cameraId}-{startMs}`;
 *   its hour is marked dirty (keeping its manifest version) so the manifest writer lists it;
 * - then the rollup and the camera row are merged from those segments as ingest merges them;
 * - without a range, the camera's tracking marker is set to "every hour tracked" (`sinceHourMs` 0): every hour
 *   holding a segment blob now has its row. With a range the marker is left as it is.
 * Not rebuilt: the camera's stream info row (the next `session-established` event writes it), gap rows, recordings.
 * Every write is an upsert or a merge: on intact tables it changes nothing but the event id of segments no manifest
 * lists yet.
 * @param range optional [fromMs, toMs): only segments starting in it (and the hours holding them)
 * @throws ValidationError for an invalid camera id; TransientError when storage fails (run it again)
 */
export async function rebuildIndex(cameraId: string, range: { fromMs?: number; toMs?: number }, deps: RebuildIndexDeps, log: Pick<InvocationContext, 'warn'>): Promise<RebuildIndexSummary> {
  assertId('camera', cameraId);
  const fromMs = range.fromMs ?? 0;
  const toMs = range.toMs ?? Number.MAX_SAFE_INTEGER;
  const blobs = new Map<number, ArchiveBlob>();
  const manifestVersions = new Map<number, number>();
  for (const prefix of listingPrefixes(cameraId, range)) {
    for await (const b of deps.archiveListing.list(prefix)) {
      const seg = parseSegmentBlobName(b.name);
      if (seg && seg.cameraId === cameraId) {
        if (seg.startMs >= fromMs && seg.startMs < toMs) blobs.set(seg.startMs, b);
        continue;
      }
      const m = parseHourManifestBlobName(b.name);
      if (m && m.cameraId === cameraId && m.kind === 'json' && m.hourStartMs + HOUR_MS > fromMs && m.hourStartMs < toMs) {
        manifestVersions.set(m.hourStartMs, Math.max(manifestVersions.get(m.hourStartMs) ?? 0, m.version));
      }
    }
  }

  const records = new Map<number, SegmentRecord>();
  const cleanHours: Array<{ hourStartMs: number; version: number; segmentCount: number; spans: string | undefined }> = [];
  let newestDevice: { startMs: number; deviceId: string } | undefined;
  for (const [hourStartMs, version] of [...manifestVersions].sort((a, b) => a[0] - b[0])) {
    const manifest = await readHourManifest(cameraId, hourStartMs, version, deps);
    if (!manifest) {
      log.warn('manifest unreadable; its hour is rebuilt from its blobs', { cameraId, hour: toIso(hourStartMs), version });
      continue;
    }
    const listed = manifestSegments(manifest);
    for (const s of listed) {
      if (s.startMs < fromMs || s.startMs >= toMs || !blobs.has(s.startMs)) continue; // a blob deleted since: no row
      records.set(s.startMs, { cameraId, deviceId: s.deviceId, startMs: s.startMs, durationMs: s.durationMs, bytes: s.bytes, blobName: segmentBlobName(cameraId, s.startMs), sha256: s.sha256, eventId: s.eventId });
      if (!newestDevice || s.startMs > newestDevice.startMs) newestDevice = { startMs: s.startMs, deviceId: s.deviceId };
    }
    cleanHours.push({ hourStartMs, version, segmentCount: listed.length, spans: encodeHourSpans(hourStartMs, listed) });
  }
  const fromManifests = records.size;

  const unlisted = [...blobs].filter(([startMs]) => !records.has(startMs)).sort((a, b) => a[0] - b[0]);
  const skipped: string[] = [];
  const dirtyHours = new Set<number>();
  const deviceId = unlisted.length > 0 ? newestDevice?.deviceId ?? (await owningDevice(cameraId, deps)) ?? 'unknown' : 'unknown';
  for (const [startMs, b] of unlisted) {
    const durationMs = Number(b.metadata.durationms);
    const sha256 = /^[0-9a-f]{64}$/.test(b.metadata.sha256 ?? '') ? b.metadata.sha256 : undefined;
    if (!Number.isInteger(durationMs) || durationMs < 1 || durationMs > HOUR_MS || !sha256) {
      skipped.push(b.name);
      log.warn('segment blob not indexed: no durationms or sha256 metadata', { cameraId, blobName: b.name });
      continue;
    }
    records.set(startMs, { cameraId, deviceId, startMs, durationMs, bytes: b.bytes, blobName: b.name, sha256, eventId: `rebuilt-${cameraId}-${startMs}` });
    dirtyHours.add(hourStart(startMs));
  }

  const all = [...records.values()].sort((a, b) => a.startMs - b.startMs);
  await deps.segmentIndex.upsertSegments(all);
  await Promise.all([deps.availability.mergeSegments(all), deps.cameras.recordSegments(all)]);
  const found = new Set(cleanHours.map((h) => h.hourStartMs));
  await deps.manifestHours.putFound(cameraId, cleanHours.map((h) => ({ ...h, dirty: dirtyHours.has(h.hourStartMs) })));
  await deps.manifestHours.markDirty([...dirtyHours].filter((h) => !found.has(h)).map((startMs) => ({ cameraId, startMs })));
  // The whole archive rebuilt: every hour holding a segment has its row now, so none needs scanning (a range says
  // nothing of the hours outside it: the marker is left as it is).
  if (range.fromMs === undefined && range.toMs === undefined) await deps.manifestHours.markAllTracked(cameraId);
  const summary: RebuildIndexSummary = {
    cameraId,
    segments: { fromManifests, fromBlobs: all.length - fromManifests },
    hours: { withManifest: cleanHours.length, dirty: dirtyHours.size },
    skipped,
  };
  if (range.fromMs !== undefined) summary.from = toIso(range.fromMs);
  if (range.toMs !== undefined) summary.to = toIso(range.toMs);
  return summary;
}

/** The whole camera (`{cameraId}/`), or one prefix per UTC day of the range (`{cameraId}/{yyyy}/{MM}/{dd}/`). */
function listingPrefixes(cameraId: string, range: { fromMs?: number; toMs?: number }): string[] {
  if (range.fromMs === undefined || range.toMs === undefined || range.toMs - range.fromMs > 366 * DAY_MS) return [`${cameraId}/`];
  const prefixes: string[] = [];
  for (let day = startOfUtcDay(range.fromMs); day < range.toMs; day += DAY_MS) {
    const name = segmentBlobName(cameraId, day);
    prefixes.push(name.slice(0, name.lastIndexOf('/') - 2)); // drop the hour folder: `{camera}/{yyyy}/{MM}/{dd}/`
  }
  return prefixes;
}

/** The provisioned device whose cameras include `cameraId`, if exactly one. */
async function owningDevice(cameraId: string, deps: Pick<RebuildIndexDeps, 'devices'>): Promise<string | undefined> {
  const owners = (await deps.devices.list()).filter((d) => d.cameras.includes(cameraId) && isValidId(d.deviceId));
  return owners.length === 1 ? owners[0].deviceId : undefined;
}
