import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { TableAvailabilityStore } from '../../../../functions/adapters/table/table-availability-store';
import { availableMedia } from '../../../../functions/cameras/available-media';
import { defaultDeps } from '../../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { DAY_MS, HOUR_MS } from '../../../../shared/time';
import { batchContext, segmentEvent, viaEventGrid } from '../../../helpers/functions-fixtures';
import { startTestHost, type TestHost } from '../../../helpers/test-host';

const API_KEY = 'avail-test-key-77';
const at = (iso: string) => Date.parse(iso);

/**
 * cam1's archive. Through the real ingest path (Event Grid batches → ingest → index, rollup, camera row):
 * - PT10S segments 2026-11-20T23:59:40Z .. 2026-11-21T00:00:20Z, abutting across UTC midnight (one range);
 * - AVA's 2 s camera drop: 04:01:00 + PT8S, then 04:01:10 + PT10S on 2026-11-21.
 * Through the rollup's and camera store's own write paths (long spans, as many segments would give):
 * - 2023-12-31T23:30Z .. 2024-01-01T00:30Z (across a year boundary);
 * - 2024-02-28T00:00Z .. 2024-03-02T00:00Z (a leap February: 28, 29, then March 1; ends at midnight, so not March 2);
 * - 2024-06-10T08:00Z .. 09:00Z.
 * No media at all in 2025.
 */
const INGESTED: Array<{ start: string; durationMs: number }> = [
  { start: '2026-11-20T23:59:40Z', durationMs: 10_000 },
  { start: '2026-11-20T23:59:50Z', durationMs: 10_000 },
  { start: '2026-11-21T00:00:00Z', durationMs: 10_000 },
  { start: '2026-11-21T00:00:10Z', durationMs: 10_000 },
  { start: '2026-11-21T04:01:00Z', durationMs: 8_000 },
  { start: '2026-11-21T04:01:10Z', durationMs: 10_000 },
];
const STORED: Array<{ start: string; end: string }> = [
  { start: '2023-12-31T23:30:00Z', end: '2024-01-01T00:30:00Z' },
  { start: '2024-02-28T00:00:00Z', end: '2024-03-02T00:00:00Z' },
  { start: '2024-06-10T08:00:00Z', end: '2024-06-10T09:00:00Z' },
];

describe('GET /api/cameras/{cameraId}/availableMedia on Azurite', () => {
  let t: TestHost;
  let api: string;

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'avail' });
    api = t.api;

    const events = INGESTED.map((s) => viaEventGrid(segmentEvent({ startMs: at(s.start), durationMs: s.durationMs })));
    const summary = await ingest(events, batchContext(), defaultDeps());
    assert.equal(summary.accepted, INGESTED.length);
    const deps = defaultDeps();
    const spans = STORED.map((s) => ({ cameraId: 'cam1', deviceId: 'dev1', startMs: at(s.start), durationMs: at(s.end) - at(s.start) }));
    await deps.availability.mergeSegments(spans);
    await deps.cameras.recordSegments(spans);
  });

  after(async () => {
    await t?.stop();
  });

  const get = (query: string, camera = 'cam1', headers: Record<string, string> = { 'x-functions-key': API_KEY }) =>
    fetch(`${api}/cameras/${camera}/availableMedia?${query}`, { headers });
  async function ranges(query: string): Promise<Array<{ start: string; end: string }>> {
    const res = await get(query);
    const body = (await res.json()) as { timeRanges: Array<{ start: string; end: string }> };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(Object.keys(body), ['timeRanges']);
    return body.timeRanges;
  }
  async function expectError(res: Response, status: number, code: string, message?: RegExp) {
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    if (message) assert.match(body.error.message, message);
  }

  describe('full precision', () => {
    it('merges ranges that touch across UTC midnight and splits at a 2 s gap (AVA example 2)', async () => {
      assert.deepEqual(await ranges('precision=full&startTime=2026-11-20T20:00:00Z&endTime=2026-11-21T12:00:00Z'), [
        { start: '2026-11-20T23:59:40.000Z', end: '2026-11-21T00:00:20.000Z' },
        { start: '2026-11-21T04:01:00.000Z', end: '2026-11-21T04:01:08.000Z' },
        { start: '2026-11-21T04:01:10.000Z', end: '2026-11-21T04:01:20.000Z' },
      ]);
    });

    it('clips ranges to the request silently, at both ends', async () => {
      assert.deepEqual(await ranges('precision=full&startTime=2026-11-21T00:00:05Z&endTime=2026-11-21T04:01:15.5Z'), [
        { start: '2026-11-21T00:00:05.000Z', end: '2026-11-21T00:00:20.000Z' },
        { start: '2026-11-21T04:01:00.000Z', end: '2026-11-21T04:01:08.000Z' },
        { start: '2026-11-21T04:01:10.000Z', end: '2026-11-21T04:01:15.500Z' },
      ]);
    });

    it('merges across a year boundary, and accepts a date-time without a zone as UTC (as AVA\'s examples)', async () => {
      assert.deepEqual(await ranges('precision=full&startTime=2023-12-31T00:00:00&endTime=2024-01-01T01:00:00.000'), [
        { start: '2023-12-31T23:30:00.000Z', end: '2024-01-01T00:30:00.000Z' },
      ]);
    });

    it('answers an empty list inside a gap and outside the recording', async () => {
      assert.deepEqual(await ranges('precision=full&startTime=2026-11-21T01:00:00Z&endTime=2026-11-21T02:00:00Z'), []);
      assert.deepEqual(await ranges('precision=full&startTime=2030-01-01T00:00:00Z&endTime=2030-01-02T00:00:00Z'), []);
      assert.deepEqual(await ranges('precision=full&startTime=2026-11-21T04:01:08Z&endTime=2026-11-21T04:01:10Z'), []);
    });
  });

  describe('calendar precisions', () => {
    it('day: recorded days, consecutive ones joined, across midnight and a leap day', async () => {
      assert.deepEqual(await ranges('precision=day&startTime=2026-11-01&endTime=2026-11-30'), [{ start: '2026-11-20', end: '2026-11-21' }]);
      assert.deepEqual(await ranges('precision=day&startTime=2024-02-15&endTime=2024-03-15'), [{ start: '2024-02-28', end: '2024-03-01' }]);
      assert.deepEqual(await ranges('precision=day&startTime=2024-02-29&endTime=2024-02-29'), [{ start: '2024-02-29', end: '2024-02-29' }]);
      assert.deepEqual(await ranges('precision=day&startTime=2023-12-25&endTime=2024-01-10'), [{ start: '2023-12-31', end: '2024-01-01' }]);
      assert.deepEqual(await ranges('precision=day&startTime=2025-05-01&endTime=2025-05-31'), []);
    });

    it('month: months with media, split where a month has none (AVA example 4)', async () => {
      assert.deepEqual(await ranges('precision=month&startTime=2024-01&endTime=2024-12'), [
        { start: '2024-01', end: '2024-03' },
        { start: '2024-06', end: '2024-06' },
      ]);
      assert.deepEqual(await ranges('precision=month&startTime=2023-12&endTime=2024-01'), [{ start: '2023-12', end: '2024-01' }]);
      assert.deepEqual(await ranges('precision=month&startTime=2025-01&endTime=2025-12'), []);
    });

    it('year: defaults to the first/last year recorded; a year without media splits', async () => {
      const all = [
        { start: '2023', end: '2024' },
        { start: '2026', end: '2026' },
      ];
      assert.deepEqual(await ranges('precision=year'), all);
      assert.deepEqual(await ranges('precision=year&startTime=1999&endTime=2099'), all, 'clipped silently');
      assert.deepEqual(await ranges('precision=year&startTime=2024'), [{ start: '2024', end: '2024' }, { start: '2026', end: '2026' }]);
      assert.deepEqual(await ranges('precision=year&endTime=2023'), [{ start: '2023', end: '2023' }]);
      assert.deepEqual(await ranges('precision=year&startTime=2025&endTime=2025'), []);
      assert.deepEqual(await ranges('precision=year&startTime=2027'), [], 'start after the last year recorded, end defaulted');
    });

    it('matches parameter names case-insensitively (AVA\'s widget sends starttime/endtime)', async () => {
      assert.deepEqual(await ranges('precision=DAY&starttime=2026-11-01&endtime=2026-11-30'), [{ start: '2026-11-20', end: '2026-11-21' }]);
    });
  });

  describe('errors', () => {
    it('401 without the function key', async () => {
      await expectError(await get('precision=year', 'cam1', {}), 401, 'Unauthorized');
    });

    it('400 for an invalid camera id, before looking at the query', async () => {
      await expectError(await get('precision=year', encodeURIComponent('../x')), 400, 'InvalidCameraId', /"\.\.\/x" is invalid/);
      await expectError(await get('precision=nope', 'CAM'), 400, 'InvalidCameraId');
    });

    it('400 naming the parameter for a wrong precision, format, order or span', async () => {
      await expectError(await get(''), 400, 'MissingParameter', /'precision' is required/);
      await expectError(await get('precision=hour'), 400, 'InvalidPrecision', /'precision' "hour"/);
      await expectError(await get('precision=month&startTime=2024-01'), 400, 'MissingParameter', /'endTime' is required/);
      await expectError(await get('precision=day&startTime=2024-02-30&endTime=2024-03-01'), 400, 'InvalidDateTime', /'startTime' "2024-02-30"/);
      await expectError(await get('precision=day&startTime=2024-03-02&endTime=2024-03-01'), 400, 'InvalidRange', /after endTime/);
      await expectError(await get('precision=day&startTime=2024-01-01&endTime=2024-02-02'), 400, 'RangeTooLong', /32 days apart, more than the maximum 31/);
      await expectError(await get('precision=full&startTime=2024-01-01T00:00:00Z&endTime=2024-01-02T01:00:01Z'), 400, 'RangeTooLong', /maximum of 25 hours/);
    });

    it('404 CameraNotFound for a camera that never recorded (valid query), 400 first for a bad query', async () => {
      await expectError(await get('precision=year', 'cam9'), 404, 'CameraNotFound', /cam9/);
      await expectError(await get('precision=day', 'cam9'), 400, 'MissingParameter');
    });
  });

  describe('row cost (the rollup, not the segments)', () => {
    async function rowsRead(query: string): Promise<{ rows: number; body: unknown }> {
      const deps = defaultDeps();
      let rows = 0;
      const table = TableClient.fromConnectionString(t.azurite.connectionString, deps.settings.tables.availability, { allowInsecureConnection: true });
      const availability = new TableAvailabilityStore(table, { onRowsRead: (n) => (rows += n) });
      const request = new HttpRequest({ method: 'GET', url: `http://localhost/api/cameras/cam1/availableMedia?${query}`, params: { cameraId: 'cam1' } });
      const res = await availableMedia(request, batchContext(), { cameras: deps.cameras, availability });
      assert.equal(res.status, 200, JSON.stringify(res.jsonBody));
      return { rows, body: res.jsonBody };
    }

    it('day reads one row per recorded day; month and year one row per month/year with media', async () => {
      assert.deepEqual(await rowsRead('precision=day&startTime=2024-02-01&endTime=2024-03-03'), {
        rows: 3,
        body: { timeRanges: [{ start: '2024-02-28', end: '2024-03-01' }] },
      });
      // 2024-01 .. 2024-12: the first recorded day of January, February, March and June; 8 months read nothing.
      assert.equal((await rowsRead('precision=month&startTime=2024-01&endTime=2024-12')).rows, 4);
      // 2023 .. 2026 (the recorded span): one row each for 2023, 2024 and 2026, none for 2025.
      assert.equal((await rowsRead('precision=year')).rows, 3);
      // A full query reads the day rows its window touches: 2026-11-20 and 2026-11-21.
      assert.equal((await rowsRead('precision=full&startTime=2026-11-20T12:00:00Z&endTime=2026-11-21T12:00:00Z')).rows, 2);
    });
  });

  describe('a recorded span no retention allows (a segment dated 9999, forged before ingest bounded segment times)', () => {
    it('a year query reads at most 11 years: the 11 ending with the window, or starting at startTime when only it is given', async () => {
      const deps = defaultDeps();
      const forged = [
        { cameraId: 'cam-forged', deviceId: 'dev1', startMs: at('2026-11-21T10:00:00Z'), durationMs: 10_000 },
        { cameraId: 'cam-forged', deviceId: 'dev1', startMs: at('9999-12-31T23:00:00Z'), durationMs: 10_000 },
      ];
      await deps.availability.mergeSegments(forged);
      await deps.cameras.recordSegments(forged);
      const probed: number[] = [];
      const availability: TableAvailabilityStore = Object.assign(Object.create(deps.availability) as TableAvailabilityStore, {
        firstRecordedDay: (cameraId: string, startMs: number, endMs: number) => {
          probed.push(startMs);
          return deps.availability.firstRecordedDay(cameraId, startMs, endMs);
        },
      });
      const ask = async (query: string) => {
        probed.length = 0;
        const request = new HttpRequest({ method: 'GET', url: `http://localhost/api/cameras/cam-forged/availableMedia?${query}`, params: { cameraId: 'cam-forged' } });
        const res = await availableMedia(request, batchContext(), { cameras: deps.cameras, availability });
        assert.equal(res.status, 200, JSON.stringify(res.jsonBody));
        return { years: probed.length, timeRanges: (res.jsonBody as { timeRanges: unknown }).timeRanges };
      };
      assert.deepEqual(await ask('precision=year'), { years: 11, timeRanges: [{ start: '9999', end: '9999' }] });
      assert.deepEqual(await ask('precision=year&startTime=2026'), { years: 11, timeRanges: [{ start: '2026', end: '2026' }] });
      assert.deepEqual(await ask('precision=year&startTime=2000&endTime=9999'), { years: 11, timeRanges: [{ start: '9999', end: '9999' }] });
      assert.deepEqual(await ask('precision=year&startTime=2020&endTime=2030'), { years: 5, timeRanges: [{ start: '2026', end: '2026' }] });
    });
  });

  describe('availability store reads', () => {
    it('listRecordedDays lists the recorded days touching a window; firstRecordedDay finds the first or none', async () => {
      const { availability } = defaultDeps();
      const feb = at('2024-02-01T00:00:00Z');
      assert.deepEqual(await availability.listRecordedDays('cam1', feb, feb + 60 * DAY_MS), [
        at('2024-02-28T00:00:00Z'),
        at('2024-02-29T00:00:00Z'),
        at('2024-03-01T00:00:00Z'),
      ]);
      // A window starting in the afternoon of 2024-03-01 still touches that day.
      assert.deepEqual(await availability.listRecordedDays('cam1', at('2024-03-01T15:00:00Z'), at('2024-03-05T00:00:00Z')), [at('2024-03-01T00:00:00Z')]);
      assert.equal(await availability.firstRecordedDay('cam1', feb, feb + 365 * DAY_MS), at('2024-02-28T00:00:00Z'));
      assert.equal(await availability.firstRecordedDay('cam1', at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z')), undefined);
      assert.equal(await availability.firstRecordedDay('cam2', feb, feb + HOUR_MS), undefined, 'unknown camera');
      assert.deepEqual(await availability.listRecordedDays('cam1', feb, feb), [], 'empty window');
    });
  });
});
