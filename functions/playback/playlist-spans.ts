import { segmentBlobNamer } from '../../shared/contracts/blob-naming';
import { hourStart } from '../../shared/contracts/manifest-naming';
import { manifestSegments } from '../../shared/manifests/manifest-segments';
import { planPlaylistReads } from '../../shared/manifests/playlist-hours';
import type { SegmentSpan } from '../../shared/ports/segment-index';
import { HOUR_MS } from '../../shared/time';
import { MAX_SEGMENT_MS } from '../adapters/table/table-segment-index';
import type { FunctionsDeps } from '../deps';
import { readHourManifest } from '../manifests/read-hour-manifest';

/** Manifest reads in flight at once for one playlist (a 24 h playlist reads ~25). */
export const MANIFEST_READ_CONCURRENCY = 16;

export type PlaylistSpansDeps = Pick<FunctionsDeps, 'segmentIndex' | 'manifestHours' | 'manifestBlobs'>;

/**
 * The stored segments of one camera overlapping [startMs, endMs) — the same set as the segment index's
 * `listSegmentSpans` — for closed hours from their asset manifests: the copy of the current manifest's spans in the
 * hour's `kwManifests` row, or, when they did not fit the row, the JSON manifest itself (one small blob read each, at
 * most {@link MANIFEST_READ_CONCURRENCY} at once); from the index for the rest: the open hour, dirty hours, hours
 * without a manifest yet, any hour whose manifest is gone or unreadable, and the hours without a row before the
 * camera's tracking marker — all of them when it has none: an archive indexed before manifests, not yet backfilled
 * (docs/contracts.md "Asset manifests").
 * Table reads: one query of the range's hour rows and one point read of the marker, in parallel (the marker is read
 * once per process when every hour is tracked), plus the index scans (a 24 h playlist ending in the open hour of a
 * tracked camera: 2 pages; no blob read).
 * @returns unsorted; the caller sorts (shared/hls/playable-segments.ts)
 * @throws TransientError when storage fails in a way a retry may fix
 */
export async function playlistSpans(cameraId: string, startMs: number, endMs: number, deps: PlaylistSpansDeps): Promise<SegmentSpan[]> {
  const firstHourMs = hourStart(Math.max(0, startMs - MAX_SEGMENT_MS));
  const [hours, marker] = await Promise.all([deps.manifestHours.listHours(cameraId, firstHourMs, endMs), deps.manifestHours.getMarker(cameraId)]);
  const plan = planPlaylistReads(startMs, endMs, MAX_SEGMENT_MS, hours, marker?.sinceHourMs);
  const blobName = segmentBlobNamer(cameraId);
  const overlaps = (s: SegmentSpan) => s.startMs < endMs && s.startMs + s.durationMs > startMs;

  const scan = async (fromMs: number, toMs: number): Promise<SegmentSpan[]> => {
    // The index scan looks back for a segment reaching into [fromMs, …); the hour before is read from its own source.
    const spans = await deps.segmentIndex.listSegmentSpans(cameraId, fromMs, Math.min(toMs, endMs));
    return spans.filter((s) => s.startMs >= fromMs && s.startMs < toMs);
  };
  const fromManifests: SegmentSpan[] = [];
  const missing: number[] = [];
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < plan.manifests.length) {
      const { hourStartMs, version } = plan.manifests[next++];
      const manifest = await readHourManifest(cameraId, hourStartMs, version, deps);
      if (!manifest) {
        missing.push(hourStartMs);
        continue;
      }
      for (const s of manifestSegments(manifest)) fromManifests.push({ startMs: s.startMs, durationMs: s.durationMs, blobName: blobName(s.startMs), bytes: s.bytes });
    }
  };
  // The reads go out first; the hours carried by their rows are decoded while the reads are on the wire.
  const reads = Promise.all([
    Promise.all(plan.scans.map((r) => scan(r.startMs, r.endMs))),
    Promise.all(Array.from({ length: Math.min(MANIFEST_READ_CONCURRENCY, plan.manifests.length) }, reader)),
  ]);
  reads.catch(() => {}); // observed here, rethrown where it is awaited below
  for (const h of plan.fromRows) {
    // Yield between hours, so that the reads' requests leave and their answers are taken in meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    for (const s of h.spans) fromManifests.push({ startMs: s.startMs, durationMs: s.durationMs, blobName: blobName(s.startMs) });
  }
  const [scanned] = await reads;
  const rescanned = await Promise.all(missing.map((h) => scan(h, h + HOUR_MS)));
  return [...fromManifests, ...scanned.flat(), ...rescanned.flat()].filter(overlaps);
}
