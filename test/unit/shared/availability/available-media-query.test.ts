import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAvailableMediaQuery, resolveAvailableMediaWindow } from '../../../../shared/availability/available-media-query';
import { ValidationError } from '../../../../shared/errors';

/** Parses a query string the way the route does (URLSearchParams entries, repeated names kept). */
const parse = (query: string) => parseAvailableMediaQuery(new URLSearchParams(query).entries());
const utc = (iso: string) => Date.parse(iso);

function rejects(query: string, code: string, message: RegExp): void {
  assert.throws(
    () => parse(query),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError, String(err));
      assert.equal(err.status, 400);
      assert.equal(err.code, code, err.message);
      assert.match(err.message, message);
      return true;
    },
    query,
  );
}

// Cases follow AVA's availableMedia table and constraints (docs/reference/ava-behaviour.md "Playback"; MicrosoftDocs
// live-video-analytics-edge/playback-recordings-how-to "Query API").
describe('parseAvailableMediaQuery', () => {
  describe('precision', () => {
    it('is required', () => {
      rejects('', 'MissingParameter', /'precision' is required: one of year, month, day, full/);
      rejects('precision=', 'MissingParameter', /'precision' is required/);
      rejects('startTime=2026', 'MissingParameter', /'precision' is required/);
    });

    it('must be year, month, day or full (any case)', () => {
      rejects('precision=hour', 'InvalidPrecision', /'precision' "hour" is invalid: use one of year, month, day, full/);
      rejects('precision=years', 'InvalidPrecision', /"years"/);
      assert.equal(parse('precision=Year').precision, 'year');
      assert.equal(parse('precision=FULL&startTime=2026-01-01T00:00:00Z&endTime=2026-01-01T01:00:00Z').precision, 'full');
    });
  });

  describe('parameter names', () => {
    it('match case-insensitively and ignore unknown parameters', () => {
      assert.deepEqual(parse('PRECISION=day&starttime=2026-11-01&ENDTIME=2026-11-02&code=key&x=1'), {
        precision: 'day',
        startMs: utc('2026-11-01T00:00:00Z'),
        endMs: utc('2026-11-03T00:00:00Z'),
      });
    });

    it('a name given twice (in any case) is refused', () => {
      rejects('precision=day&precision=day&startTime=2026-11-01&endTime=2026-11-02', 'DuplicateParameter', /'precision' is given more than once/);
      rejects('precision=day&startTime=2026-11-01&starttime=2026-11-02&endTime=2026-11-02', 'DuplicateParameter', /'startTime'/);
    });
  });

  describe('year', () => {
    it('YYYY; start and end both optional; the window covers whole years, end inclusive', () => {
      assert.deepEqual(parse('precision=year'), { precision: 'year', startMs: undefined, endMs: undefined });
      assert.deepEqual(parse('precision=year&startTime=2024'), { precision: 'year', startMs: utc('2024-01-01T00:00:00Z'), endMs: undefined });
      assert.deepEqual(parse('precision=year&endTime=2024'), { precision: 'year', startMs: undefined, endMs: utc('2025-01-01T00:00:00Z') });
      assert.deepEqual(parse('precision=year&startTime=2018&endTime=2019'), {
        precision: 'year',
        startMs: utc('2018-01-01T00:00:00Z'),
        endMs: utc('2020-01-01T00:00:00Z'),
      });
      assert.deepEqual(parse('precision=year&startTime=2026&endTime=2026'), { precision: 'year', startMs: utc('2026-01-01T00:00:00Z'), endMs: utc('2027-01-01T00:00:00Z') });
    });

    it('an empty value counts as omitted', () => {
      assert.deepEqual(parse('precision=year&startTime=&endTime='), { precision: 'year', startMs: undefined, endMs: undefined });
    });

    it('any number of years apart, including years before 100 (not mapped to 19xx)', () => {
      const q = parse('precision=year&startTime=0001&endTime=9999');
      assert.equal(new Date(q.startMs!).getUTCFullYear(), 1);
      assert.equal(new Date(q.endMs!).toISOString(), '+010000-01-01T00:00:00.000Z');
    });

    it('refuses other formats, naming the parameter and the format', () => {
      for (const bad of ['26', '20260', '2026-01', '2026-01-01', 'abcd', ' 2026', '+2026']) {
        rejects(`precision=year&startTime=${encodeURIComponent(bad)}`, 'InvalidDateTime', /'startTime' .* is not YYYY \(e\.g\. 2026\), the format of precision=year/);
      }
      rejects('precision=year&endTime=2026-11', 'InvalidDateTime', /'endTime' "2026-11" is not YYYY/);
    });

    it('start after end is a 400; start equal to end is fine', () => {
      rejects('precision=year&startTime=2020&endTime=2019', 'InvalidRange', /startTime 2020 is after endTime 2019/);
    });
  });

  describe('month', () => {
    it('YYYY-MM, both required; the window runs to the end of the end month', () => {
      assert.deepEqual(parse('precision=month&startTime=2019-01&endTime=2019-12'), {
        precision: 'month',
        startMs: utc('2019-01-01T00:00:00Z'),
        endMs: utc('2020-01-01T00:00:00Z'),
      });
      assert.deepEqual(parse('precision=month&startTime=2024-02&endTime=2024-02'), {
        precision: 'month',
        startMs: utc('2024-02-01T00:00:00Z'),
        endMs: utc('2024-03-01T00:00:00Z'),
      });
    });

    it('requires both parameters', () => {
      rejects('precision=month', 'MissingParameter', /'startTime' is required for precision=month: YYYY-MM/);
      rejects('precision=month&startTime=2019-01', 'MissingParameter', /'endTime' is required for precision=month/);
      rejects('precision=month&endTime=2019-01', 'MissingParameter', /'startTime' is required/);
      rejects('precision=month&startTime=&endTime=2019-01', 'MissingParameter', /'startTime' is required/);
    });

    it('at most 12 months apart (2019-01 .. 2020-01 passes, 2019-01 .. 2020-02 does not), across years', () => {
      assert.equal(parse('precision=month&startTime=2019-01&endTime=2020-01').endMs, utc('2020-02-01T00:00:00Z'));
      rejects('precision=month&startTime=2019-01&endTime=2020-02', 'RangeTooLong', /13 months apart, more than the maximum 12 for precision=month/);
      assert.equal(parse('precision=month&startTime=2019-07&endTime=2020-07').precision, 'month');
      rejects('precision=month&startTime=2019-07&endTime=2020-08', 'RangeTooLong', /13 months apart/);
      rejects('precision=month&startTime=2018-01&endTime=2019-02', 'RangeTooLong', /13 months apart/); // the docs' own query
    });

    it('refuses other formats and months that do not exist', () => {
      for (const bad of ['2019', '2019-1', '2019-001', '2019-01-01', '2019/01', '2019-00', '2019-13', '201901']) {
        rejects(`precision=month&startTime=${bad}&endTime=2019-12`, 'InvalidDateTime', /'startTime' .* is not YYYY-MM \(e\.g\. 2026-11\), the format of precision=month/);
      }
      rejects('precision=month&startTime=2019-01&endTime=2019-12T00:00:00Z', 'InvalidDateTime', /'endTime'/);
    });

    it('start after end is a 400', () => {
      rejects('precision=month&startTime=2019-06&endTime=2019-05', 'InvalidRange', /startTime 2019-06 is after endTime 2019-05/);
    });
  });

  describe('day', () => {
    it('YYYY-MM-DD, both required; the window runs to the end of the end day', () => {
      assert.deepEqual(parse('precision=day&startTime=2019-06-01&endTime=2019-06-30'), {
        precision: 'day',
        startMs: utc('2019-06-01T00:00:00Z'),
        endMs: utc('2019-07-01T00:00:00Z'),
      });
      assert.deepEqual(parse('precision=day&startTime=2019-12-31&endTime=2019-12-31'), {
        precision: 'day',
        startMs: utc('2019-12-31T00:00:00Z'),
        endMs: utc('2020-01-01T00:00:00Z'),
      });
    });

    it('requires both parameters', () => {
      rejects('precision=day&endTime=2019-06-30', 'MissingParameter', /'startTime' is required for precision=day: YYYY-MM-DD/);
      rejects('precision=day&startTime=2019-06-01', 'MissingParameter', /'endTime' is required for precision=day/);
    });

    it('at most 31 days apart, counted over real month lengths', () => {
      assert.equal(parse('precision=day&startTime=2020-02-01&endTime=2020-03-03').precision, 'day'); // leap: 29 + 2 = 31
      rejects('precision=day&startTime=2020-02-01&endTime=2020-03-04', 'RangeTooLong', /32 days apart, more than the maximum 31 for precision=day/);
      assert.equal(parse('precision=day&startTime=2021-02-01&endTime=2021-03-04').precision, 'day'); // 28 + 3 = 31
      rejects('precision=day&startTime=2021-02-01&endTime=2021-03-05', 'RangeTooLong', /32 days apart/);
      assert.equal(parse('precision=day&startTime=2019-12-15&endTime=2020-01-15').precision, 'day'); // across a year
      rejects('precision=day&startTime=2019-12-15&endTime=2020-01-16', 'RangeTooLong', /32 days apart/);
      rejects('precision=day&startTime=2018-01-15&endTime=2019-02-02', 'RangeTooLong', /383 days apart/); // the docs' own query
    });

    it('knows leap years and month lengths', () => {
      assert.equal(parse('precision=day&startTime=2024-02-29&endTime=2024-02-29').startMs, utc('2024-02-29T00:00:00Z'));
      assert.equal(parse('precision=day&startTime=2000-02-29&endTime=2000-03-01').startMs, utc('2000-02-29T00:00:00Z')); // 400-year rule
      rejects('precision=day&startTime=2023-02-29&endTime=2023-03-01', 'InvalidDateTime', /'startTime' "2023-02-29" is not YYYY-MM-DD/);
      rejects('precision=day&startTime=1900-02-29&endTime=1900-03-01', 'InvalidDateTime', /"1900-02-29"/); // 100-year rule
      rejects('precision=day&startTime=2024-04-01&endTime=2024-04-31', 'InvalidDateTime', /'endTime' "2024-04-31"/);
      rejects('precision=day&startTime=2024-01-32&endTime=2024-02-01', 'InvalidDateTime', /"2024-01-32"/);
      rejects('precision=day&startTime=2024-01-00&endTime=2024-02-01', 'InvalidDateTime', /"2024-01-00"/);
    });

    it('refuses other formats', () => {
      for (const bad of ['2024-01', '2024-1-01', '2024-01-1', '20240101', '2024-01-01T00:00:00Z', '2024-01-01Z']) {
        rejects(`precision=day&startTime=${encodeURIComponent(bad)}&endTime=2024-01-02`, 'InvalidDateTime', /'startTime' .* is not YYYY-MM-DD \(e\.g\. 2026-11-21\)/);
      }
    });

    it('start after end is a 400', () => {
      rejects('precision=day&startTime=2024-03-02&endTime=2024-03-01', 'InvalidRange', /after endTime/);
    });
  });

  describe('full', () => {
    it('ISO date-times, both required; the window is [start, end]', () => {
      assert.deepEqual(parse('precision=full&startTime=2019-12-21T00:00:00Z&endTime=2019-12-22T00:00:00Z'), {
        precision: 'full',
        startMs: utc('2019-12-21T00:00:00Z'),
        endMs: utc('2019-12-22T00:00:00Z'),
      });
    });

    it('takes a time without a zone as UTC (AVA\'s example 2018-01-15T10:08:11.123), and converts offsets', () => {
      assert.equal(parse('precision=full&startTime=2018-01-15T10:08:11.123&endTime=2018-01-15T12:00:01.123').startMs, utc('2018-01-15T10:08:11.123Z'));
      assert.equal(
        parse(`precision=full&startTime=${encodeURIComponent('2018-01-15T12:00:00+02:00')}&endTime=2018-01-15T11:00:00Z`).startMs,
        utc('2018-01-15T10:00:00Z'),
      );
    });

    it('requires both parameters', () => {
      rejects('precision=full&startTime=2019-12-21T00:00:00Z', 'MissingParameter', /'endTime' is required for precision=full: an ISO 8601 date-time/);
      rejects('precision=full&endTime=2019-12-21T00:00:00Z', 'MissingParameter', /'startTime' is required/);
    });

    it('start must be before end (equal is refused)', () => {
      rejects('precision=full&startTime=2019-12-21T10:00:00Z&endTime=2019-12-21T10:00:00Z', 'InvalidRange', /must be before endTime/);
      rejects('precision=full&startTime=2019-12-21T10:00:00Z&endTime=2019-12-21T09:59:59.999Z', 'InvalidRange', /must be before endTime/);
    });

    it('at most 25 hours apart, to the millisecond', () => {
      assert.equal(parse('precision=full&startTime=2019-12-21T00:00:00Z&endTime=2019-12-22T01:00:00Z').precision, 'full');
      rejects('precision=full&startTime=2019-12-21T00:00:00Z&endTime=2019-12-22T01:00:00.001Z', 'RangeTooLong', /more than the maximum of 25 hours \(P1DT1H\) for precision=full/);
      rejects('precision=full&startTime=2018-01-15T10:08:11.123&endTime=2019-01-15T12:00:01.123', 'RangeTooLong', /maximum of 25 hours/);
    });

    it('refuses dates, other shapes and instants that do not exist', () => {
      for (const bad of ['2019-12-21', '2019-12-21T10:00Z', '2019-12-21 10:00:00Z', '2019-12-21T10:00:00.Z', 'yesterday', '1576922400000']) {
        rejects(`precision=full&startTime=${encodeURIComponent(bad)}&endTime=2019-12-21T12:00:00Z`, 'InvalidDateTime', /'startTime' .* is not an ISO 8601 date-time, UTC/);
      }
      rejects('precision=full&startTime=2019-02-29T10:00:00Z&endTime=2019-03-01T00:00:00Z', 'InvalidDateTime', /'startTime' "2019-02-29T10:00:00Z" is not a valid date-time/);
      rejects('precision=full&startTime=2019-12-21T24:00:00Z&endTime=2019-12-22T01:00:00Z', 'InvalidDateTime', /'startTime'/);
    });
  });
});

describe('resolveAvailableMediaWindow', () => {
  const recorded = { startMs: utc('2011-03-05T10:00:00Z'), endMs: utc('2020-08-01T12:00:00Z') };

  it('omitted year bounds become the first/last recorded instants (AVA: first/last year in the recording)', () => {
    assert.deepEqual(resolveAvailableMediaWindow({ precision: 'year' }, recorded), recorded);
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=year&startTime=2015'), recorded), { startMs: utc('2015-01-01T00:00:00Z'), endMs: recorded.endMs });
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=year&endTime=2018'), recorded), { startMs: recorded.startMs, endMs: utc('2019-01-01T00:00:00Z') });
  });

  it('clips every window to the recorded span', () => {
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=year&startTime=1990&endTime=2090'), recorded), recorded);
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=day&startTime=2011-03-01&endTime=2011-03-31'), recorded), {
      startMs: recorded.startMs,
      endMs: utc('2011-04-01T00:00:00Z'),
    });
  });

  it('cuts a year window over more than 10 years apart (a forged recorded span) to 11 years, keeping the bound the caller gave', () => {
    const forged = { startMs: utc('2020-05-01T00:00:00Z'), endMs: utc('9999-12-31T23:59:59Z') };
    assert.deepEqual(resolveAvailableMediaWindow({ precision: 'year' }, forged), { startMs: utc('9989-01-01T00:00:00Z'), endMs: forged.endMs });
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=year&endTime=2026'), forged), { startMs: forged.startMs, endMs: utc('2027-01-01T00:00:00Z') });
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=year&endTime=2040'), forged), { startMs: utc('2030-01-01T00:00:00Z'), endMs: utc('2041-01-01T00:00:00Z') });
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=year&startTime=2021'), forged), { startMs: utc('2021-01-01T00:00:00Z'), endMs: utc('2032-01-01T00:00:00Z') });
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=year&startTime=2000&endTime=2040'), forged), { startMs: utc('2030-01-01T00:00:00Z'), endMs: utc('2041-01-01T00:00:00Z') });
    // 10 years apart (the longest retention, P3650D, can span 11 calendar years) is left whole.
    const tenApart = { startMs: utc('2016-01-02T00:00:00Z'), endMs: utc('2026-12-31T00:00:00Z') };
    assert.deepEqual(resolveAvailableMediaWindow({ precision: 'year' }, tenApart), tenApart);
    // Month, day and full windows are capped by the query's own limits, never here.
    assert.deepEqual(resolveAvailableMediaWindow(parse('precision=month&startTime=2021-01&endTime=2021-12'), forged), { startMs: utc('2021-01-01T00:00:00Z'), endMs: utc('2022-01-01T00:00:00Z') });
  });

  it('is undefined when no recorded instant is in the window (an empty answer, not an error)', () => {
    assert.equal(resolveAvailableMediaWindow(parse('precision=year&startTime=2021'), recorded), undefined);
    assert.equal(resolveAvailableMediaWindow(parse('precision=year&endTime=2010'), recorded), undefined);
    assert.equal(resolveAvailableMediaWindow(parse('precision=full&startTime=2020-08-01T12:00:00Z&endTime=2020-08-01T13:00:00Z'), recorded), undefined);
  });
});
