/** Summary of a list of latency samples, ms. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

/**
 * The nearest-rank percentile (the smallest sample with at least `p`% of the samples at or below it), so every
 * reported figure is a latency that was actually measured.
 * @param p 0 < p ≤ 100
 * @throws RangeError for an empty list or p out of range
 */
export function percentile(samplesMs: readonly number[], p: number): number {
  if (samplesMs.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** p50, p95, min and max of `samplesMs`. @throws RangeError for an empty list */
export function summarize(samplesMs: readonly number[]): LatencySummary {
  return {
    count: samplesMs.length,
    p50Ms: percentile(samplesMs, 50),
    p95Ms: percentile(samplesMs, 95),
    minMs: Math.min(...samplesMs),
    maxMs: Math.max(...samplesMs),
  };
}
