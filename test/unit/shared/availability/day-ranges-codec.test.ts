import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_RANGES_CHUNK_CHARS, DAY_RANGES_MAX_CHUNKS, decodeDayRanges, encodeDayRanges } from '../../../../shared/availability/day-ranges-codec';
import { DAY_MS } from '../../../../shared/time';

const DAY = Date.UTC(2026, 10, 21);
const r = (s: number, e: number) => ({ startMs: DAY + s, endMs: DAY + e });

describe('day ranges codec', () => {
  it('encodes gaps and lengths in base 36 and decodes them back', () => {
    const ranges = [r(0, 10_000), r(30_000, 50_000), r(DAY_MS - 5, DAY_MS)];
    const chunks = encodeDayRanges(ranges, DAY);
    assert.deepEqual(chunks, [`0.${(10_000).toString(36)},${(20_000).toString(36)}.${(20_000).toString(36)},${(DAY_MS - 50_005).toString(36)}.5`]);
    assert.deepEqual(decodeDayRanges(chunks, DAY), ranges);
  });

  it('encodes a fully recorded day in a few characters and no ranges as no chunks', () => {
    assert.deepEqual(encodeDayRanges([r(0, DAY_MS)], DAY), ['0.1ffuo0']);
    assert.deepEqual(encodeDayRanges([], DAY), []);
    assert.deepEqual(decodeDayRanges([], DAY), []);
  });

  it('splits long encodings into chunks under the property limit and round-trips them', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => r(i * 4000, i * 4000 + 2000)); // every other 2 s missing
    const chunks = encodeDayRanges(many, DAY);
    assert.ok(chunks.length > 1 && chunks.length <= DAY_RANGES_MAX_CHUNKS, String(chunks.length));
    for (const c of chunks) assert.ok(c.length <= DAY_RANGES_CHUNK_CHARS);
    assert.deepEqual(decodeDayRanges(chunks, DAY), many);
  });

  it('refuses more ranges than a row holds, and unsorted or out-of-day ranges', () => {
    const tooMany = Array.from({ length: 100_000 }, (_, i) => r(i * 800, i * 800 + 1));
    assert.throws(() => encodeDayRanges(tooMany, DAY), /a day row holds at most/);
    assert.throws(() => encodeDayRanges([r(10, 20), r(0, 5)], DAY), RangeError);
    assert.throws(() => encodeDayRanges([r(-5, 5)], DAY), RangeError);
    assert.throws(() => encodeDayRanges([r(0, DAY_MS + 1)], DAY), RangeError);
  });

  it('refuses corrupt text', () => {
    assert.throws(() => decodeDayRanges(['0.a,zz'], DAY), /not \{gap\}\.\{length\}/);
  });
});
