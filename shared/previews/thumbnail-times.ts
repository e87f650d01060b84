import type { PreviewSegment } from './locate-preview';

/**
 * The instants of a timeline's thumbnails over [startMs, endMs), one per `intervalMs` step at most: for each grid
 * point `startMs + k·intervalMs`, the start of the segment holding it, or else of the first segment starting before
 * the next grid point (a grid point in a gap); none when the step has no media. Each is a segment's first frame, a
 * keyframe: the cheapest frame to decode (docs/previews.md "Where images are made"), and a preview of it is exactly
 * that frame. Steps that land in the same segment give it once.
 * @param segments any order, epoch ms UTC
 * @returns ascending, distinct, epoch ms UTC; a segment that began before `startMs` may give a time before it
 */
export function thumbnailTimes(segments: readonly PreviewSegment[], startMs: number, endMs: number, intervalMs: number): number[] {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs);
  const out: number[] = [];
  let i = 0;
  for (let g = startMs; g < endMs; g += intervalMs) {
    const next = Math.min(g + intervalMs, endMs);
    while (i < sorted.length && sorted[i].startMs + sorted[i].durationMs <= g) i++;
    // Among the segments not ended by g, the latest one that holds g, else the first that starts before `next`.
    let pick: number | undefined;
    for (let j = i; j < sorted.length && sorted[j].startMs < next; j++) {
      const s = sorted[j];
      if (s.startMs <= g && g < s.startMs + s.durationMs) pick = s.startMs;
      else if (s.startMs > g) {
        pick ??= s.startMs;
        break;
      }
    }
    if (pick !== undefined) out.push(pick);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}
