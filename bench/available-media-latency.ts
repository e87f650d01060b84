import { HttpRequest, InvocationContext } from '@azure/functions';
import { TableAvailabilityStore } from '../functions/adapters/table/table-availability-store';
import { storageClients } from '../functions/adapters/storage/storage-clients';
import { availableMedia } from '../functions/cameras/available-media';
import { createDeps } from '../functions/deps';
import { parseSettings } from '../functions/settings';
import { DAY_MS, HOUR_MS, toIso, utcDay } from '../shared/time';
import { type LatencySummary } from './percentiles';
import { timeRequests, withBenchStorage } from './bench-host';

/** Options of {@link runAvailableMediaLatency}; the playlist benchmark's request counts are reused. */
export interface AvailableMediaLatencyOptions {
  /** Measured requests per case (after the warm-up). */
  requests: number;
  /** Unmeasured requests per case first. */
  warmupRequests: number;
  print: (line: string) => void;
}

/** One measured case. */
export interface AvailableMediaCase {
  name: 'health (baseline)' | 'day, 31 days' | 'full, 24 h' | 'month, 2 months' | 'year';
  latency: LatencySummary;
  /** Availability rows the handler read for one request (counted in-process through the same adapter). */
  rowsRead: number;
  bodyBytes: number;
}

/** What {@link runAvailableMediaLatency} measured. */
export interface AvailableMediaLatencyResult {
  seeding: { segments: number; rows: number; seconds: number; calls: number };
  cases: AvailableMediaCase[];
}

const DEVICE_ID = 'bench-device';
const CAMERA_ID = 'bench-cam';
const SEGMENT_MS = 10_000;
const DAYS = 31;
/** 2026-10-21T00:00Z .. 2026-11-21T00:00Z: 31 whole UTC days over two calendar months. */
const SEED_START_MS = Date.UTC(2026, 9, 21);
const SEED_END_MS = SEED_START_MS + DAYS * DAY_MS;
/** Segments per rollup write, as one Event Hubs batch of 100 events reaches the rollup through ingest. */
const BATCH_SEGMENTS = 100;

/**
 * availableMedia latency: p50/p95 of `GET /api/cameras/{id}/availableMedia` at day precision over 31
 * days and at full precision over 24 h (plus month and year for information), over one camera with 31 days of
 * PT10S segments (267,840 segments, 31 rollup rows), and the availability rows each request reads.
 *
 * - Storage: Azurite (in memory), started for this benchmark.
 * - Seeding through the rollup's own write path, `TableAvailabilityStore.mergeSegments`, in calls of 100 segments (an
 *   Event Hubs batch's worth, as ingest calls it), and the camera row through `TableCameraStore.recordSegments`.
 *   The Segments table is not written: availableMedia never reads it.
 * - HTTP: the local functions host on a free port in this process; `fetch` over keep-alive, one request at a time,
 *   timed until the whole body is read. Baseline, same host and run: `GET /api/health` (no storage at all).
 * - Rows read: one request per case through the handler in-process, with a TableAvailabilityStore that counts the
 *   rows it receives (`onRowsRead`).
 *
 * @throws Error when a request fails or an answer is not the expected ranges
 */
export async function runAvailableMediaLatency(opts: AvailableMediaLatencyOptions): Promise<AvailableMediaLatencyResult> {
  const { print } = opts;
  return withBenchStorage(async (storage) => {
    const seeding = await seed(print);
    const { api, apiKey } = await storage.startHost();

    const lastDay = utcDay(SEED_END_MS - 1);
    const noon = SEED_START_MS + 15 * DAY_MS + 12 * HOUR_MS;
    const specs: Array<{ name: AvailableMediaCase['name']; path: string; query?: string; expected?: unknown }> = [
      { name: 'health (baseline)', path: '/health' },
      {
        name: 'day, 31 days',
        path: `/cameras/${CAMERA_ID}/availableMedia`,
        query: `precision=day&startTime=${utcDay(SEED_START_MS)}&endTime=${lastDay}`,
        expected: { timeRanges: [{ start: utcDay(SEED_START_MS), end: lastDay }] },
      },
      {
        name: 'full, 24 h',
        path: `/cameras/${CAMERA_ID}/availableMedia`,
        query: `precision=full&startTime=${toIso(noon)}&endTime=${toIso(noon + DAY_MS)}`,
        expected: { timeRanges: [{ start: toIso(noon), end: toIso(noon + DAY_MS) }] },
      },
      {
        name: 'month, 2 months',
        path: `/cameras/${CAMERA_ID}/availableMedia`,
        query: 'precision=month&startTime=2026-10&endTime=2026-11',
        expected: { timeRanges: [{ start: '2026-10', end: '2026-11' }] },
      },
      { name: 'year', path: `/cameras/${CAMERA_ID}/availableMedia`, query: 'precision=year', expected: { timeRanges: [{ start: '2026', end: '2026' }] } },
    ];

    const cases: AvailableMediaCase[] = [];
    print(`requests one at a time: ${opts.warmupRequests} warm-up, then ${opts.requests} measured per case; time to the last body byte`);
    print(`${'case'.padEnd(18)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'min ms'.padStart(9)} ${'max ms'.padStart(9)} ${'rows read'.padStart(10)} ${'body bytes'.padStart(11)}`);
    for (const spec of specs) {
      const url = `${api}${spec.path}${spec.query ? `?${spec.query}` : ''}`;
      const timed = await timeRequests(opts, async () => {
        const res = await fetch(url, { headers: { 'x-functions-key': apiKey } });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${spec.name}: HTTP ${res.status} ${body.slice(0, 300)}`);
        if (spec.expected && body !== JSON.stringify(spec.expected)) throw new Error(`${spec.name}: answer ${body.slice(0, 300)}, expected ${JSON.stringify(spec.expected)}`);
        return Buffer.byteLength(body);
      });
      const rowsRead = spec.query ? await countRowsRead(spec.query) : 0;
      const c: AvailableMediaCase = { name: spec.name, ...timed, rowsRead };
      cases.push(c);
      print(
        `${c.name.padEnd(18)} ${c.latency.p50Ms.toFixed(1).padStart(9)} ${c.latency.p95Ms.toFixed(1).padStart(9)} ${c.latency.minMs.toFixed(1).padStart(9)} ` +
          `${c.latency.maxMs.toFixed(1).padStart(9)} ${String(c.rowsRead).padStart(10)} ${String(c.bodyBytes).padStart(11)}`,
      );
    }
    const health = cases[0];
    for (const c of cases.slice(1, 3)) {
      print(`  ${c.name}: p95 ${c.latency.p95Ms.toFixed(1)} ms = ${(c.latency.p95Ms / health.latency.p95Ms).toFixed(2)} × the health request's p95 (${health.latency.p95Ms.toFixed(1)} ms); ${c.rowsRead} rollup rows read`);
    }
    return { seeding, cases };
  });
}

/** 31 days of abutting PT10S segments into the rollup, 100 per call; the camera row from the first and last. */
async function seed(print: (line: string) => void): Promise<AvailableMediaLatencyResult['seeding']> {
  const deps = createDeps(parseSettings(process.env));
  await deps.ensureStorage();
  const startedMs = performance.now();
  let segments = 0;
  let calls = 0;
  for (let batchStart = SEED_START_MS; batchStart < SEED_END_MS; batchStart += BATCH_SEGMENTS * SEGMENT_MS) {
    const batch: Array<{ cameraId: string; startMs: number; durationMs: number }> = [];
    for (let s = batchStart; s < Math.min(SEED_END_MS, batchStart + BATCH_SEGMENTS * SEGMENT_MS); s += SEGMENT_MS) {
      batch.push({ cameraId: CAMERA_ID, startMs: s, durationMs: SEGMENT_MS });
    }
    await deps.availability.mergeSegments(batch);
    segments += batch.length;
    calls++;
  }
  await deps.cameras.recordSegments([
    { cameraId: CAMERA_ID, deviceId: DEVICE_ID, startMs: SEED_START_MS, durationMs: SEGMENT_MS },
    { cameraId: CAMERA_ID, deviceId: DEVICE_ID, startMs: SEED_END_MS - SEGMENT_MS, durationMs: SEGMENT_MS },
  ]);
  const seconds = (performance.now() - startedMs) / 1000;
  let rows = 0;
  for await (const _ of storageClients(deps.settings.storage).tableClient(deps.settings.tables.availability).listEntities()) rows++;
  if (segments !== DAYS * DAY_MS / SEGMENT_MS || rows !== DAYS) throw new Error(`seeding: ${segments} segments gave ${rows} rollup rows, expected ${DAYS}`);
  print(
    `seeded ${segments} PT10S segments (${toIso(SEED_START_MS)} .. ${toIso(SEED_END_MS)}) into ${rows} rollup rows through ` +
      `mergeSegments in ${calls} calls of ≤ ${BATCH_SEGMENTS}: ${seconds.toFixed(1)} s (information)`,
  );
  return { segments, rows, seconds, calls };
}

/** Rows the handler reads for one request, through a counting TableAvailabilityStore on the same table. */
async function countRowsRead(query: string): Promise<number> {
  const deps = createDeps(parseSettings(process.env));
  let rows = 0;
  const availability = new TableAvailabilityStore(storageClients(deps.settings.storage).tableClient(deps.settings.tables.availability), {
    onRowsRead: (n) => (rows += n),
  });
  const request = new HttpRequest({ method: 'GET', url: `http://localhost/api/cameras/${CAMERA_ID}/availableMedia?${query}`, params: { cameraId: CAMERA_ID } });
  const context = new InvocationContext({ invocationId: 'bench', functionName: 'available-media', logHandler: () => undefined });
  const res = await availableMedia(request, context, { cameras: deps.cameras, availability });
  if (res.status !== 200) throw new Error(`rows read of ${query}: HTTP ${res.status}`);
  return rows;
}

