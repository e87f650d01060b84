import type { TimeRange } from './time-ranges';

/**
 * Snaps a requested window to the stored media inside it: a window that begins or ends in a gap starts at the first
 * available instant and ends at the last one (AVA: "range partly in a gap → snapped to the available boundary", e.g.
 * 10:00–13:00 with a 04:00–12:00 hole starts at 12:00; docs/reference/ava-behaviour.md "Playback"). Edges inside media
 * stay as asked.
 * @param window half-open [startMs, endMs), epoch ms UTC
 * @param available sorted, disjoint stored ranges (any alignment; parts outside the window are ignored)
 * @returns the snapped window, or `undefined` when no stored media overlaps the window (wholly in a gap)
 */
export function snapToAvailable(window: TimeRange, available: readonly TimeRange[]): TimeRange | undefined {
  const inside = available.filter((r) => r.startMs < window.endMs && r.endMs > window.startMs);
  if (inside.length === 0) return undefined;
  return {
    startMs: Math.max(window.startMs, inside[0].startMs),
    endMs: Math.min(window.endMs, inside[inside.length - 1].endMs),
  };
}

/**
 * The parts of a window with no stored media (leading, inner and trailing gaps), in order.
 * @param window half-open [startMs, endMs), epoch ms UTC
 * @param available sorted, disjoint stored ranges
 * @returns sorted, disjoint half-open gaps inside the window; empty when media covers all of it
 */
export function gapsInWindow(window: TimeRange, available: readonly TimeRange[]): TimeRange[] {
  const gaps: TimeRange[] = [];
  let cursor = window.startMs;
  for (const r of available) {
    if (r.endMs <= cursor || r.startMs >= window.endMs) continue;
    if (r.startMs > cursor) gaps.push({ startMs: cursor, endMs: r.startMs });
    cursor = Math.max(cursor, r.endMs);
  }
  if (cursor < window.endMs) gaps.push({ startMs: cursor, endMs: window.endMs });
  return gaps;
}
