import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { parseIsoDateTime, parseIsoDuration, startOfUtcDay, toIso, toIsoDuration, utcDay } from '../../../shared/time';

describe('parseIsoDateTime', () => {
  it('parses Z and offsets, with or without fractions, to epoch ms UTC', () => {
    assert.equal(parseIsoDateTime('2026-11-21T10:00:00Z', 'x'), Date.UTC(2026, 10, 21, 10));
    assert.equal(parseIsoDateTime('2026-11-21T10:00:00.123Z', 'x'), Date.UTC(2026, 10, 21, 10, 0, 0, 123));
    assert.equal(parseIsoDateTime('2026-11-21T11:30:00+01:30', 'x'), Date.UTC(2026, 10, 21, 10));
    assert.equal(parseIsoDateTime('2019-11-18T15:13:39.4589254Z', 'x'), Date.UTC(2019, 10, 18, 15, 13, 39, 458));
  });

  it('refuses text without a zone, non-dates and impossible dates, naming the thing', () => {
    for (const bad of ['2026-11-21T10:00:00', '2026-11-21', 'yesterday', '', '2026-02-31T00:00:00Z', '2026-11-21T24:00:00Z', 42, null]) {
      assert.throws(
        () => parseIsoDateTime(bad, "query parameter 'start'"),
        (e: unknown) => e instanceof ValidationError && e.code === 'InvalidDateTime' && e.message.includes("query parameter 'start'"),
        String(bad),
      );
    }
  });
});

describe('ISO durations', () => {
  it('parses days, hours, minutes and fractional seconds; negative with a sign', () => {
    assert.equal(parseIsoDuration('PT10S', 'x'), 10_000);
    assert.equal(parseIsoDuration('PT1H', 'x'), 3_600_000);
    assert.equal(parseIsoDuration('P1DT2H', 'x'), 26 * 3_600_000);
    assert.equal(parseIsoDuration('PT0.5S', 'x'), 500);
    assert.equal(parseIsoDuration('-PT5S', 'x'), -5000);
    assert.equal(parseIsoDuration('PT1M30S', 'x'), 90_000);
  });

  it('refuses years, months, weeks and malformed text', () => {
    for (const bad of ['P1Y', 'P1M', 'P1W', 'PT', 'P', '10s', 'P1DT', 'PT1.2345S', 5]) {
      assert.throws(() => parseIsoDuration(bad, 'segmentLength'), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidDuration', String(bad));
    }
  });

  it('formats durations back, round-tripping', () => {
    for (const [ms, text] of [[10_000, 'PT10S'], [90_000, 'PT1M30S'], [500, 'PT0.5S'], [86_400_000, 'P1D'], [93_600_000, 'P1DT2H'], [0, 'PT0S'], [-5000, '-PT5S']] as const) {
      assert.equal(toIsoDuration(ms), text);
      assert.equal(parseIsoDuration(text, 'x'), ms);
    }
  });
});

describe('UTC days', () => {
  it('toIso keeps milliseconds; utcDay and startOfUtcDay use UTC', () => {
    const ms = Date.UTC(2026, 10, 21, 23, 59, 59, 999);
    assert.equal(toIso(ms), '2026-11-21T23:59:59.999Z');
    assert.equal(utcDay(ms), '2026-11-21');
    assert.equal(utcDay(ms + 1), '2026-11-22');
    assert.equal(startOfUtcDay(ms), Date.UTC(2026, 10, 21));
  });

  it('toIso equals Date#toISOString around day, leap-day and year ends, in any order, and outside its fast range', () => {
    const edges = [Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.UTC(2028, 1, 29, 12, 0, 0, 5), Date.UTC(2028, 2, 1) - 1, 0, 1, DAY_MS_MINUS_1, Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
    const others = [-1, -86_400_001, 1.5, Date.UTC(10000, 0, 1), Date.UTC(1969, 11, 31, 23, 59, 59, 999)];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const samples = [...edges, ...others, ...Array.from({ length: 2000 }, () => Math.floor(random() * Date.UTC(2100, 0, 1)))];
    // Interleaved so that the remembered day changes often, and consecutive times within one day.
    for (const ms of [...samples, ...samples.flatMap((ms) => (Number.isInteger(ms) ? [ms + 1, ms + 999, ms + 3_600_000] : []))]) {
      assert.equal(toIso(ms), new Date(ms).toISOString(), String(ms));
    }
    assert.throws(() => toIso(Number.NaN), RangeError);
  });
});

const DAY_MS_MINUS_1 = 86_399_999;
