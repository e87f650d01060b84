import { hourStart } from '../contracts/manifest-naming';
import { HOUR_MS } from '../time';
import type { HourSpan } from './hour-spans-codec';

/** What the manifests table says of one archive hour (functions/adapters/table/table-manifest-hours.ts). */
export interface HourState {
  /** Start of the hour, epoch ms UTC. */
  hourStartMs: number;
  /** Segments were indexed (or deleted) in the hour since its manifest was written: the manifest is stale. */
  dirty: boolean;
  /** Version of the hour's current manifest; 0 when none was written. */
  version: number;
  /** The current manifest's segment spans, copied into the row with it (shared/manifests/hour-spans-codec.ts); absent when they did not fit. */
  spans?: HourSpan[];
}

/** How one playlist reads its segments: hours from their manifests, the rest from the index. */
export interface PlaylistReadPlan {
  /** Closed hours whose row carries their current manifest's spans: nothing more to read. */
  fromRows: Array<{ hourStartMs: number; spans: HourSpan[] }>;
  /** Closed hours whose current manifest must be read (its spans did not fit the row). */
  manifests: Array<{ hourStartMs: number; version: number }>;
  /** Runs of whole hours [startMs, endMs) to scan in the index (the open hour, dirty hours, hours without a manifest yet). */
  scans: Array<{ startMs: number; endMs: number }>;
}

/**
 * Splits a playlist's hours between manifests and index scans (docs/contracts.md "Asset manifests"). The hours are
 * those in which a segment overlapping [startMs, endMs) may start: from the hour holding `startMs − maxSegmentMs` (a
 * segment begun before the range can reach into it, as the index scan's look-back) to the hour holding `endMs − 1`.
 * A clean hour with a version is taken from its row's copy of its manifest's spans, or else read from its manifest;
 * an hour whose row is dirty or has no version yet is scanned, consecutive ones in one run. An hour without a row:
 * - at or after `sinceHourMs` (the camera's tracking marker: from that hour on, ingest writes the row of every hour it
 *   indexes a segment in, and the manifest writer removes it with the hour's last segment) holds no segment, so it is
 *   not read at all;
 * - before it, or for a camera without a marker (`sinceHourMs` undefined), may hold segments indexed before manifests
 *   existed (an upgraded archive the backfill has not walked yet: functions/manifests/backfill-hours.ts), so it is
 *   scanned in the index as before manifests.
 * @param hours the rows the manifests table holds in that span, any order
 * @param sinceHourMs the camera's marker (epoch ms UTC, 0 once every hour is tracked); undefined = no marker
 */
export function planPlaylistReads(startMs: number, endMs: number, maxSegmentMs: number, hours: readonly HourState[], sinceHourMs: number | undefined): PlaylistReadPlan {
  const byHour = new Map(hours.map((h) => [h.hourStartMs, h]));
  const plan: PlaylistReadPlan = { fromRows: [], manifests: [], scans: [] };
  if (endMs <= startMs) return plan;
  const trackedFromMs = sinceHourMs ?? Number.POSITIVE_INFINITY;
  for (let h = hourStart(Math.max(0, startMs - maxSegmentMs)); h < endMs; h += HOUR_MS) {
    const state = byHour.get(h);
    if (!state && h >= trackedFromMs) continue;
    if (state && !state.dirty && state.version >= 1) {
      if (state.spans) plan.fromRows.push({ hourStartMs: h, spans: state.spans });
      else plan.manifests.push({ hourStartMs: h, version: state.version });
      continue;
    }
    const last = plan.scans[plan.scans.length - 1];
    if (last && last.endMs === h) last.endMs = h + HOUR_MS;
    else plan.scans.push({ startMs: h, endMs: h + HOUR_MS });
  }
  return plan;
}
