import { HOUR_MS } from '../time';

/** Longest encoded text kept in one Table string property (64 KiB of UTF-16 holds 32 767 characters). */
export const HOUR_SPANS_MAX_CHARS = 32_000;

/** One segment's place in time, epoch ms UTC. */
export interface HourSpan {
  startMs: number;
  durationMs: number;
}

/**
 * Encodes an archive hour's segment spans for its `kwManifests` row (docs/contracts.md "Asset manifests"), so that a
 * playlist gets a closed hour's segments from the hour rows query alone: per segment, in start order,
 * `{start − hour start, base 36}:{duration ms, base 36}`, joined by `,` (about 10 characters a segment).
 * @param hourStartMs start of the hour, epoch ms UTC
 * @returns the text, or `undefined` when it would exceed {@link HOUR_SPANS_MAX_CHARS} (readers then read the manifest)
 * @throws RangeError when a span does not start in the hour or has no positive whole duration
 */
export function encodeHourSpans(hourStartMs: number, spans: readonly HourSpan[]): string | undefined {
  const parts: string[] = [];
  let chars = 0;
  for (const s of [...spans].sort((a, b) => a.startMs - b.startMs || a.durationMs - b.durationMs)) {
    const offset = s.startMs - hourStartMs;
    if (!Number.isInteger(offset) || offset < 0 || offset >= HOUR_MS) throw new RangeError(`span at ${s.startMs} does not start in the hour ${hourStartMs}`);
    if (!Number.isInteger(s.durationMs) || s.durationMs < 1) throw new RangeError(`span at ${s.startMs} has duration ${s.durationMs}`);
    const part = `${offset.toString(36)}:${s.durationMs.toString(36)}`;
    chars += part.length + 1;
    if (chars > HOUR_SPANS_MAX_CHARS + 1) return undefined;
    parts.push(part);
  }
  return parts.join(',');
}

/**
 * Reads back what {@link encodeHourSpans} wrote.
 * @returns the spans in start order, or `undefined` for text that is not such an encoding (a corrupt row: read the manifest)
 */
export function decodeHourSpans(hourStartMs: number, text: string): HourSpan[] | undefined {
  if (text === '') return [];
  const out: HourSpan[] = [];
  for (const part of text.split(',')) {
    const m = /^([0-9a-z]{1,5}):([0-9a-z]{1,7})$/.exec(part);
    if (!m) return undefined;
    const offset = parseInt(m[1], 36);
    const durationMs = parseInt(m[2], 36);
    if (offset >= HOUR_MS || durationMs < 1) return undefined;
    out.push({ startMs: hourStartMs + offset, durationMs });
  }
  return out;
}
