import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketIndex, bucketLabel, bucketStartMs, utcMidnightMs } from '../../../../shared/availability/calendar-buckets';

const utc = (iso: string) => Date.parse(iso);

describe('calendar buckets', () => {
  it('utcMidnightMs keeps years 0..99 (Date.UTC would map them to 1900..1999)', () => {
    assert.equal(new Date(utcMidnightMs(1, 1, 1)).toISOString(), '0001-01-01T00:00:00.000Z');
    assert.equal(new Date(utcMidnightMs(99, 12, 31)).toISOString(), '0099-12-31T00:00:00.000Z');
    assert.equal(utcMidnightMs(2024, 2, 29), utc('2024-02-29T00:00:00Z'));
    assert.equal(utcMidnightMs(2024, 13, 1), utc('2025-01-01T00:00:00Z'), 'month 13 rolls over');
  });

  it('consecutive buckets have consecutive indexes, across month and year ends', () => {
    assert.equal(bucketIndex('year', utc('2020-01-01T00:00:00Z')) - bucketIndex('year', utc('2019-12-31T23:59:59.999Z')), 1);
    assert.equal(bucketIndex('month', utc('2020-01-01T00:00:00Z')) - bucketIndex('month', utc('2019-12-31T23:59:59.999Z')), 1);
    assert.equal(bucketIndex('month', utc('2020-03-01T00:00:00Z')) - bucketIndex('month', utc('2020-02-29T12:00:00Z')), 1);
    assert.equal(bucketIndex('day', utc('2020-03-01T00:00:00Z')) - bucketIndex('day', utc('2020-02-29T23:59:59.999Z')), 1);
    assert.equal(bucketIndex('day', utc('2020-02-29T00:00:00Z')), bucketIndex('day', utc('2020-02-29T23:59:59.999Z')));
  });

  it('bucketStartMs inverts bucketIndex at the first instant of each bucket', () => {
    for (const iso of ['2019-12-31T17:00:00Z', '2020-02-29T23:59:59.999Z', '2021-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '1969-12-31T12:00:00Z']) {
      const ms = utc(iso);
      for (const p of ['year', 'month', 'day'] as const) {
        const start = bucketStartMs(p, bucketIndex(p, ms));
        assert.ok(start <= ms && bucketIndex(p, start) === bucketIndex(p, ms) && bucketIndex(p, start - 1) === bucketIndex(p, ms) - 1, `${p} ${iso}`);
      }
    }
    assert.equal(bucketStartMs('month', bucketIndex('month', utc('2024-02-15T00:00:00Z')) + 1), utc('2024-03-01T00:00:00Z'));
  });

  it('labels as AVA prints them: YYYY, YYYY-MM, YYYY-MM-DD, zero-padded', () => {
    const ms = utc('2024-02-09T10:00:00Z');
    assert.equal(bucketLabel('year', bucketIndex('year', ms)), '2024');
    assert.equal(bucketLabel('month', bucketIndex('month', ms)), '2024-02');
    assert.equal(bucketLabel('day', bucketIndex('day', ms)), '2024-02-09');
    assert.equal(bucketLabel('year', 7), '0007');
  });
});
