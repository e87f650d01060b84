import type { TimeRange } from '../time-ranges';

/**
 * Characters per chunk. A Table string property holds at most 64 KiB of UTF-16, i.e. 32 768 characters
 * (learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model); 32 000 keeps a margin.
 */
export const DAY_RANGES_CHUNK_CHARS = 32_000;

/**
 * Chunks per day. An entity holds at most 1 MiB; 14 × 32 000 UTF-16 characters is 896 000 bytes, leaving room for
 * keys and the other properties. That is at least ~34 000 disjoint ranges per camera per day, far beyond the 8 640
 * segments of a day at PT10S.
 */
export const DAY_RANGES_MAX_CHUNKS = 14;

/**
 * Encodes one UTC day's availability compactly: each range as `{gap}.{length}` in base 36 ms, where `gap` is the
 * distance from the previous range's end (the first from `dayStartMs`), tokens joined by `,`, then cut at token
 * boundaries into chunks of at most {@link DAY_RANGES_CHUNK_CHARS} characters. A fully recorded day is `0.1ffuo0`.
 * @param ranges sorted, disjoint, each inside [dayStartMs, dayStartMs + 24 h]
 * @returns the chunks (none for no ranges)
 * @throws RangeError when ranges are unsorted or outside the day (a bug upstream), or when the encoding needs more
 *   than {@link DAY_RANGES_MAX_CHUNKS} chunks (the row would exceed the entity size limit)
 */
export function encodeDayRanges(ranges: readonly TimeRange[], dayStartMs: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let prevEnd = dayStartMs;
  for (const r of ranges) {
    if (r.startMs < prevEnd || r.endMs <= r.startMs || r.endMs > dayStartMs + 86_400_000) {
      throw new RangeError(`range [${r.startMs}, ${r.endMs}) is unsorted, empty or outside the day starting ${dayStartMs}`);
    }
    const token = `${(r.startMs - prevEnd).toString(36)}.${(r.endMs - r.startMs).toString(36)}`;
    if (current && current.length + 1 + token.length > DAY_RANGES_CHUNK_CHARS) {
      chunks.push(current);
      current = token;
    } else {
      current = current ? `${current},${token}` : token;
    }
    prevEnd = r.endMs;
  }
  if (current) chunks.push(current);
  if (chunks.length > DAY_RANGES_MAX_CHUNKS) {
    throw new RangeError(`${ranges.length} ranges need ${chunks.length} chunks; a day row holds at most ${DAY_RANGES_MAX_CHUNKS}`);
  }
  return chunks;
}

/**
 * Inverse of {@link encodeDayRanges}.
 * @returns sorted, disjoint ranges in epoch ms UTC
 * @throws RangeError when a token is not `{base36}.{base36}` (a corrupt row)
 */
export function decodeDayRanges(chunks: readonly string[], dayStartMs: number): TimeRange[] {
  const out: TimeRange[] = [];
  let prevEnd = dayStartMs;
  for (const chunk of chunks) {
    if (!chunk) continue;
    for (const token of chunk.split(',')) {
      const m = /^([0-9a-z]+)\.([0-9a-z]+)$/.exec(token);
      if (!m) throw new RangeError(`availability token ${JSON.stringify(token.slice(0, 40))} is not {gap}.{length} in base 36`);
      const startMs = prevEnd + parseInt(m[1], 36);
      const endMs = startMs + parseInt(m[2], 36);
      out.push({ startMs, endMs });
      prevEnd = endMs;
    }
  }
  return out;
}
