import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableMediaRanges } from '../../../../shared/availability/available-media-ranges';
import { DAY_MS } from '../../../../shared/time';

const utc = (iso: string) => Date.parse(iso);
const span = (start: string, end: string) => ({ startMs: utc(start), endMs: utc(end) });

// Output rules from AVA's availableMedia (docs/reference/ava-behaviour.md "Playback"; MicrosoftDocs
// playback-recordings-how-to, "Response example for availableMedia" 1..5).
describe('availableMediaRanges', () => {
  describe('full', () => {
    const day = span('2019-12-21T00:00:00Z', '2019-12-22T00:00:00Z');

    it('a fully recorded day is one range with millisecond ISO ends (example 1)', () => {
      assert.deepEqual(availableMediaRanges('full', [day], day), [{ start: '2019-12-21T00:00:00.000Z', end: '2019-12-22T00:00:00.000Z' }]);
    });

    it('a 2 s drop splits the day (example 2); an 8 h outage too (example 3)', () => {
      assert.deepEqual(availableMediaRanges('full', [span('2019-12-21T00:00:00Z', '2019-12-21T04:01:08Z'), span('2019-12-21T04:01:10Z', '2019-12-22T00:00:00Z')], day), [
        { start: '2019-12-21T00:00:00.000Z', end: '2019-12-21T04:01:08.000Z' },
        { start: '2019-12-21T04:01:10.000Z', end: '2019-12-22T00:00:00.000Z' },
      ]);
      assert.deepEqual(availableMediaRanges('full', [span('2019-12-21T12:00:00Z', '2019-12-22T00:00:00Z'), span('2019-12-21T00:00:00Z', '2019-12-21T04:00:00Z')], day), [
        { start: '2019-12-21T00:00:00.000Z', end: '2019-12-21T04:00:00.000Z' },
        { start: '2019-12-21T12:00:00.000Z', end: '2019-12-22T00:00:00.000Z' },
      ]);
    });

    it('a 1 ms hole is still a split: gaps are never smoothed over', () => {
      assert.equal(availableMediaRanges('full', [span('2019-12-21T01:00:00.000Z', '2019-12-21T02:00:00.000Z'), span('2019-12-21T02:00:00.001Z', '2019-12-21T03:00:00Z')], day).length, 2);
    });

    it('ranges that touch at UTC midnight (two day rows) are one range', () => {
      const window = span('2019-12-21T20:00:00Z', '2019-12-22T04:00:00Z');
      assert.deepEqual(availableMediaRanges('full', [span('2019-12-22T00:00:00Z', '2019-12-22T00:00:20Z'), span('2019-12-21T23:59:40Z', '2019-12-22T00:00:00Z')], window), [
        { start: '2019-12-21T23:59:40.000Z', end: '2019-12-22T00:00:20.000Z' },
      ]);
    });

    it('overlapping spans are merged', () => {
      assert.deepEqual(availableMediaRanges('full', [span('2019-12-21T01:00:00Z', '2019-12-21T03:00:00Z'), span('2019-12-21T02:00:00Z', '2019-12-21T02:30:00Z')], day), [
        { start: '2019-12-21T01:00:00.000Z', end: '2019-12-21T03:00:00.000Z' },
      ]);
    });

    it('clips silently to the request, drops ranges outside it and empty leftovers', () => {
      const window = span('2019-12-21T03:00:00Z', '2019-12-21T05:00:00Z');
      const ranges = [
        span('2019-12-21T00:00:00Z', '2019-12-21T03:00:00Z'), // ends exactly at the start: nothing inside
        span('2019-12-21T02:30:00Z', '2019-12-21T03:30:00Z'),
        span('2019-12-21T04:00:00Z', '2019-12-21T06:00:00Z'),
        span('2019-12-21T05:00:00Z', '2019-12-21T07:00:00Z'), // starts exactly at the end
      ];
      // The first two touch (03:00), so they merge before clipping.
      assert.deepEqual(availableMediaRanges('full', ranges, window), [
        { start: '2019-12-21T03:00:00.000Z', end: '2019-12-21T03:30:00.000Z' },
        { start: '2019-12-21T04:00:00.000Z', end: '2019-12-21T05:00:00.000Z' },
      ]);
    });

    it('no data is an empty list', () => {
      assert.deepEqual(availableMediaRanges('full', [], day), []);
    });
  });

  describe('day', () => {
    const feb2020 = span('2020-02-01T00:00:00Z', '2020-03-01T00:00:00Z');

    it('business days only: weekends and a holiday split the ranges (example 5)', () => {
      const recorded = ['03', '04', '05', '06', '07', '10', '11', '12', '13', '14', '18', '19', '20', '21', '24', '25', '26', '27', '28'].map((d) =>
        span(`2020-02-${d}T08:00:00Z`, `2020-02-${d}T18:00:00Z`),
      );
      assert.deepEqual(availableMediaRanges('day', recorded, feb2020), [
        { start: '2020-02-03', end: '2020-02-07' },
        { start: '2020-02-10', end: '2020-02-14' },
        { start: '2020-02-18', end: '2020-02-21' },
        { start: '2020-02-24', end: '2020-02-28' },
      ]);
    });

    it('a range over midnight marks both days; one ending exactly at midnight does not mark the next', () => {
      assert.deepEqual(availableMediaRanges('day', [span('2020-02-10T23:59:50Z', '2020-02-11T00:00:10Z')], feb2020), [{ start: '2020-02-10', end: '2020-02-11' }]);
      assert.deepEqual(availableMediaRanges('day', [span('2020-02-10T22:00:00Z', '2020-02-11T00:00:00Z')], feb2020), [{ start: '2020-02-10', end: '2020-02-10' }]);
    });

    it('a gap inside a day does not split days; a whole day without media does', () => {
      const ranges = [span('2020-02-10T01:00:00Z', '2020-02-10T02:00:00Z'), span('2020-02-10T05:00:00Z', '2020-02-11T03:00:00Z'), span('2020-02-13T00:00:00Z', '2020-02-13T00:00:01Z')];
      assert.deepEqual(availableMediaRanges('day', ranges, feb2020), [
        { start: '2020-02-10', end: '2020-02-11' },
        { start: '2020-02-13', end: '2020-02-13' },
      ]);
    });

    it('a leap day, and a long range clipped to the window (inclusive ends: the last day is listed)', () => {
      assert.deepEqual(availableMediaRanges('day', [span('2020-02-28T12:00:00Z', '2020-03-01T12:00:00Z')], feb2020), [{ start: '2020-02-28', end: '2020-02-29' }]);
      assert.deepEqual(availableMediaRanges('day', [span('2019-06-01T00:00:00Z', '2021-01-01T00:00:00Z')], feb2020), [{ start: '2020-02-01', end: '2020-02-29' }]);
    });

    it('many whole-day spans (as the rollup\'s recorded days) join into one range', () => {
      const days = Array.from({ length: 31 }, (_, i) => ({ startMs: utc('2020-01-01T00:00:00Z') + i * DAY_MS, endMs: utc('2020-01-01T00:00:00Z') + (i + 1) * DAY_MS }));
      assert.deepEqual(availableMediaRanges('day', days, span('2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z')), [{ start: '2020-01-01', end: '2020-01-31' }]);
    });
  });

  describe('month', () => {
    const year2019 = span('2019-01-01T00:00:00Z', '2020-01-01T00:00:00Z');

    it('no recording over the summer holidays (example 4): June 17 .. September 6 off', () => {
      const ranges = [span('2019-01-07T00:00:00Z', '2019-06-17T00:00:00Z'), span('2019-09-06T00:00:00Z', '2019-12-20T00:00:00Z')];
      assert.deepEqual(availableMediaRanges('month', ranges, year2019), [
        { start: '2019-01', end: '2019-06' },
        { start: '2019-09', end: '2019-12' },
      ]);
      // and the days of June: up to the 16th (the range ends at the 17th's midnight)
      assert.deepEqual(availableMediaRanges('day', ranges, span('2019-06-01T00:00:00Z', '2019-07-01T00:00:00Z')), [{ start: '2019-06-01', end: '2019-06-16' }]);
    });

    it('months join across a year boundary; a month with one second of media counts', () => {
      const window = span('2019-11-01T00:00:00Z', '2020-03-01T00:00:00Z');
      assert.deepEqual(availableMediaRanges('month', [span('2019-12-31T23:59:59Z', '2020-01-01T00:00:01Z'), span('2020-02-29T23:59:59Z', '2020-03-01T00:00:00Z')], window), [
        { start: '2019-12', end: '2020-02' },
      ]);
    });
  });

  describe('year', () => {
    it('recorded 2011 .. 2020 is one range; a year without media splits', () => {
      const all = span('2011-01-01T00:00:00Z', '2021-01-01T00:00:00Z');
      assert.deepEqual(availableMediaRanges('year', [span('2011-05-01T00:00:00Z', '2020-08-01T00:00:00Z')], all), [{ start: '2011', end: '2020' }]);
      assert.deepEqual(availableMediaRanges('year', [span('2011-05-01T00:00:00Z', '2013-01-01T00:00:00Z'), span('2014-12-31T23:00:00Z', '2015-01-01T01:00:00Z')], all), [
        { start: '2011', end: '2012' },
        { start: '2014', end: '2015' },
      ]);
    });

    it('clips to the window', () => {
      assert.deepEqual(availableMediaRanges('year', [span('2011-05-01T00:00:00Z', '2020-08-01T00:00:00Z')], span('2015-01-01T00:00:00Z', '2019-01-01T00:00:00Z')), [
        { start: '2015', end: '2018' },
      ]);
      assert.deepEqual(availableMediaRanges('year', [span('2011-05-01T00:00:00Z', '2020-08-01T00:00:00Z')], span('2021-01-01T00:00:00Z', '2022-01-01T00:00:00Z')), []);
    });
  });
});
