import type { TimeRange } from '../time-ranges';

/** A stored segment as the index lists it (shared/ports/segment-index.ts `SegmentSpan`): epoch ms UTC, ms. */
export interface PreviewSegment {
  startMs: number;
  durationMs: number;
  blobName: string;
}

/** Where the frame of an instant is: the segment holding it and the offset into it. */
export interface PreviewLocation {
  segment: PreviewSegment;
  /** `timeMs − segment.startMs`, ms from the segment's first frame. */
  offsetMs: number;
}

/**
 * The segment whose half-open span [start, start + duration) holds `timeMs`; where segments overlap (a camera's clock
 * stepped), the one that started last (its frame is the latest at or before the instant).
 * @param segments any order
 * @returns `undefined` when no segment holds the instant (a gap, or nothing recorded)
 */
export function locatePreview(segments: readonly PreviewSegment[], timeMs: number): PreviewLocation | undefined {
  let best: PreviewSegment | undefined;
  for (const s of segments) {
    if (s.startMs <= timeMs && timeMs < s.startMs + s.durationMs && (!best || s.startMs > best.startMs)) best = s;
  }
  return best && { segment: best, offsetMs: timeMs - best.startMs };
}

/** The recorded instants nearest to one without media, for a 404's `details`. */
export interface NearestRecorded {
  /** The last recorded instant before it (a range's end − 1 ms), epoch ms UTC. */
  beforeMs?: number;
  /** The first recorded instant after it (a range's start), epoch ms UTC. */
  afterMs?: number;
}

/**
 * The nearest recorded instants before and after `timeMs`, from availability ranges.
 * @param ranges half-open, any order (shared/availability)
 */
export function nearestRecorded(ranges: readonly TimeRange[], timeMs: number): NearestRecorded {
  let beforeMs: number | undefined;
  let afterMs: number | undefined;
  for (const r of ranges) {
    if (r.endMs <= timeMs && (beforeMs === undefined || r.endMs - 1 > beforeMs)) beforeMs = r.endMs - 1;
    if (r.startMs > timeMs && (afterMs === undefined || r.startMs < afterMs)) afterMs = r.startMs;
  }
  return { ...(beforeMs === undefined ? {} : { beforeMs }), ...(afterMs === undefined ? {} : { afterMs }) };
}
