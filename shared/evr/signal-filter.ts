import type { SignalFilter } from '../schemas/recording-policy';
import type { SignalRecord } from '../contracts/signals';

/**
 * Whether a signal counts for a camera's EVR policy (opens or extends a recording).
 * Rules, from the docstring of `signalFilterSchema` (shared/schemas/recording-policy.ts): a signal counts when the
 * filter list is empty, or when it matches at least one filter: same `type`; `label` equal when the filter has one;
 * `confidence` ≥ `minimumConfidence` when the filter has one (a signal without confidence does not match); `zone`
 * (polygon, normalised 0..1 `[x, y]`, y from the top) contains the centre of at least one of the signal's boxes
 * (AVA `l, t, w, h`) when the filter has one (a signal without boxes does not match).
 * @param filters the policy's `evr.signals` (validated)
 * @returns true when the signal counts
 */
export function signalCounts(signal: Pick<SignalRecord, 'type' | 'label' | 'confidence' | 'boxes'>, filters: readonly SignalFilter[]): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => matches(signal, f));
}

function matches(s: Pick<SignalRecord, 'type' | 'label' | 'confidence' | 'boxes'>, f: SignalFilter): boolean {
  if (s.type !== f.type) return false;
  if (f.label !== undefined && s.label !== f.label) return false;
  if (f.minimumConfidence !== undefined && (s.confidence === undefined || s.confidence < f.minimumConfidence)) return false;
  if (f.zone !== undefined) {
    const zone = f.zone as ReadonlyArray<readonly [number, number]>;
    if (!s.boxes?.some((b) => pointInPolygon(b.l + b.w / 2, b.t + b.h / 2, zone))) return false;
  }
  return true;
}

/**
 * Even-odd ray casting: true when (x, y) lies inside the polygon (points on an edge may fall either way).
 * @param polygon `[[x, y], …]`, ≥ 3 points, implicitly closed
 */
export function pointInPolygon(x: number, y: number, polygon: ReadonlyArray<readonly [number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
