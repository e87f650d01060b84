/** A half-open span of time [startMs, endMs), epoch ms UTC. */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

/**
 * Merges spans into sorted, disjoint ranges. Spans that touch (next.startMs === prev.endMs) or
 * overlap join; any hole, however short, stays a gap: the recorder makes consecutive segments
 * abut exactly (edge-agent/recorder/segment-timeline.ts), so a hole is real.
 * @param spans in any order; empty spans (endMs ≤ startMs) are ignored
 */
export function mergeRanges(spans: Iterable<TimeRange>): TimeRange[] {
  const sorted = [...spans].filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const out: TimeRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ startMs: s.startMs, endMs: s.endMs });
  }
  return out;
}

/** Ranges cut to [startMs, endMs); ranges wholly outside are dropped. Input sorted and disjoint. */
export function clipRanges(ranges: readonly TimeRange[], startMs: number, endMs: number): TimeRange[] {
  const out: TimeRange[] = [];
  for (const r of ranges) {
    const s = Math.max(r.startMs, startMs);
    const e = Math.min(r.endMs, endMs);
    if (e > s) out.push({ startMs: s, endMs: e });
  }
  return out;
}

/** The holes between sorted, disjoint ranges (the gaps), in order. */
export function gapsBetween(ranges: readonly TimeRange[]): TimeRange[] {
  const gaps: TimeRange[] = [];
  for (let i = 1; i < ranges.length; i++) gaps.push({ startMs: ranges[i - 1].endMs, endMs: ranges[i].startMs });
  return gaps;
}

/** True when two half-open spans share at least one instant. */
export function overlaps(a: TimeRange, b: TimeRange): boolean {
  return a.startMs < b.endMs && b.startMs < a.endMs;
}
