import type { SegmentSpan } from '../ports/segment-index';

/**
 * Makes stored segments safe to render: sorted by start, and a segment that starts before the previous one ended
 * (conflicting reports for one time span, which the recorder never produces) is left out, keeping the earlier one.
 * @returns the kept segments and how many were dropped
 */
export function playableSegments<T extends Pick<SegmentSpan, 'startMs' | 'durationMs'>>(spans: readonly T[]): { segments: T[]; dropped: number } {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs || a.durationMs - b.durationMs);
  const segments: T[] = [];
  let prevEndMs = -Infinity;
  for (const s of sorted) {
    if (s.durationMs <= 0 || s.startMs < prevEndMs) continue;
    segments.push(s);
    prevEndMs = s.startMs + s.durationMs;
  }
  return { segments, dropped: spans.length - segments.length };
}
