import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitByUtcDay } from '../../../../shared/availability/split-by-utc-day';
import { DAY_MS } from '../../../../shared/time';

const DAY = Date.UTC(2026, 10, 21);
const r = (s: number, e: number) => ({ startMs: DAY + s, endMs: DAY + e });

describe('splitByUtcDay', () => {
  it('keeps a span inside one day whole', () => {
    assert.deepEqual(splitByUtcDay(r(1000, 11_000)), [{ dayStartMs: DAY, range: r(1000, 11_000) }]);
  });

  it('cuts a span at midnight', () => {
    assert.deepEqual(splitByUtcDay(r(DAY_MS - 5000, DAY_MS + 5000)), [
      { dayStartMs: DAY, range: r(DAY_MS - 5000, DAY_MS) },
      { dayStartMs: DAY + DAY_MS, range: r(DAY_MS, DAY_MS + 5000) },
    ]);
  });

  it('a span ending exactly at midnight stays in its day; an empty span gives nothing', () => {
    assert.deepEqual(splitByUtcDay(r(DAY_MS - 10, DAY_MS)).map((p) => p.dayStartMs), [DAY]);
    assert.deepEqual(splitByUtcDay(r(5, 5)), []);
  });
});
