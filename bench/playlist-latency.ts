import { createHash } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentUploadedEvent } from '../edge-agent/segment-events';
import { createDeps } from '../functions/deps';
import { ingest } from '../functions/ingest/ingest';
import { parseSettings, settings } from '../functions/settings';
import { EventHubFeeder } from '../local/event-hub-feeder';
import { silentLogger } from '../local/host-logger';
import { segmentBlobName } from '../shared/contracts/blob-naming';
import { playableSegments } from '../shared/hls/playable-segments';
import { renderPlaylist } from '../shared/hls/render-playlist';
import { cameraEventsTopic } from '../shared/contracts/topics';
import { HOUR_MS, toIso } from '../shared/time';
import { summarize, type LatencySummary } from './percentiles';
import { timeRequests, withBenchStorage } from './bench-host';

/** Options of {@link runPlaylistLatency}; defaults in {@link PLAYLIST_DEFAULTS}. */
export interface PlaylistLatencyOptions {
  /** Measured requests per case (after the warm-up). */
  requests: number;
  /** Unmeasured requests per case first (JIT, connection pool, Azurite caches). */
  warmupRequests: number;
  print: (line: string) => void;
}

export const PLAYLIST_DEFAULTS = { requests: 30, warmupRequests: 5 } as const;

/** Target (docs/benchmarks.md): p95 of the 24 h requests ≤ 150 ms. */
export const PLAYLIST_TARGET_P95_MS = 150;

/** One measured case, e.g. the 24 h playlist request. */
export interface LatencyCase {
  request: 'playback' | 'playlist';
  range: '1 h' | '24 h';
  latency: LatencySummary;
  /** Response body size, bytes. */
  bodyBytes: number;
}

/** What {@link runPlaylistLatency} measured. */
export interface PlaylistLatencyResult {
  seeding: { rows: number; seconds: number; rowsPerSecond: number; batches: number; deadLettered: number };
  cases: LatencyCase[];
  /** In-process timings of the 24 h playlist's parts (p50 over the measured repetitions), ms. */
  breakdown24h: { indexScanMs: number; sasSigningMs: number; renderMs: number; availabilityMs: number; segments: number };
}

const DEVICE_ID = 'bench-device';
const CAMERA_ID = 'bench-cam';
const SEGMENT_MS = 10_000;
/** The seeded day: 24 h ending at noon UTC, so the 24 h range spans two day partitions as "the last 24 h" usually does. */
const SEED_END_MS = Date.UTC(2026, 10, 21, 12, 0, 0);
const SEED_START_MS = SEED_END_MS - 24 * HOUR_MS;
/**
 * Size of each seeded segment blob: ingest indexes a segment only when its blob is stored with the size the event
 * claims (functions/ingest/ingest-device-claims.ts), and 8,640 blobs must fit an in-memory Azurite; the playlist reads only
 * the index, never the blobs.
 */
const SEGMENT_BYTES = 1024;

/**
 * Playlist latency: p50/p95 of `GET /api/cameras/{id}/playback?start&end` and of the playlist
 * request (`GET hlsUrl`) for 1 h and 24 h ranges over a camera with 24 h of PT10S segments (8,640 index rows).
 *
 * - Storage: Azurite (in memory), started for this benchmark.
 * - Seeding goes through the real `ingest` handler (functions/ingest/ingest.ts), fed by local/event-hub-feeder.ts in the
 *   Event Hubs batch shape (batches of 100, Event Grid `MQTT.EventPublished` CloudEvents with `data_base64`, as the
 *   agent publishes over MQTT 3.1.1 to the local broker), each carrying the agent's own `segment.uploaded` event
 *   (edge-agent/segment-events.ts). No blobs are written: the playlist reads only the index and signs SAS URLs
 *   locally, so blob contents cannot change its latency.
 * - HTTP: the local functions host (local/functions-host.ts) on a free port in this process; requests with `fetch`
 *   over keep-alive, one at a time, timed until the whole body is read.
 * - Breakdown (information): the 24 h playlist's parts timed in this process through the same adapters — index scan,
 *   SAS signing, rendering — and the availability read of the playback request.
 *
 * @throws Error when seeding dead-letters events, a request fails, or a playlist lacks segments
 */
export async function runPlaylistLatency(opts: PlaylistLatencyOptions): Promise<PlaylistLatencyResult> {
  const { print } = opts;
  return withBenchStorage(async (storage) => {
    const seeding = await seed(print);
    const { api, apiKey } = await storage.startHost();

    const cases: LatencyCase[] = [];
    print(`requests one at a time: ${opts.warmupRequests} warm-up, then ${opts.requests} measured per case; time to the last body byte`);
    print(`${'request'.padEnd(10)} ${'range'.padStart(5)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'min ms'.padStart(9)} ${'max ms'.padStart(9)} ${'body bytes'.padStart(11)}`);
    for (const [range, startMs] of [['1 h', SEED_END_MS - HOUR_MS], ['24 h', SEED_START_MS]] as const) {
      const playbackUrl = `${api}/cameras/${CAMERA_ID}/playback?start=${toIso(startMs)}&end=${toIso(SEED_END_MS)}`;
      let hlsUrl = '';
      const playback = await timeRequests(opts, async () => {
        const res = await fetch(playbackUrl, { headers: { 'x-functions-key': apiKey } });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`playback ${range}: HTTP ${res.status} ${body.slice(0, 300)}`);
        hlsUrl = (JSON.parse(body) as { hlsUrl: string }).hlsUrl;
        return Buffer.byteLength(body);
      });
      cases.push({ request: 'playback', range, ...playback });
      print(caseRow(cases[cases.length - 1]));
      const expectedSegments = (SEED_END_MS - startMs) / SEGMENT_MS;
      const playlist = await timeRequests(opts, async () => {
        const res = await fetch(hlsUrl);
        const body = await res.text();
        if (res.status !== 200) throw new Error(`playlist ${range}: HTTP ${res.status} ${body.slice(0, 300)}`);
        const segments = body.split('\n').filter((l) => l.startsWith('#EXTINF:')).length;
        if (segments !== expectedSegments) throw new Error(`playlist ${range} has ${segments} segments, expected ${expectedSegments}`);
        return Buffer.byteLength(body);
      });
      cases.push({ request: 'playlist', range, ...playlist });
      print(caseRow(cases[cases.length - 1]));
    }

    const breakdown24h = await breakdown(opts.requests);
    print(
      `24 h playlist in this process (p50 of ${opts.requests}): index scan ${breakdown24h.indexScanMs.toFixed(1)} ms, ` +
        `SAS signing ${breakdown24h.sasSigningMs.toFixed(1)} ms, rendering ${breakdown24h.renderMs.toFixed(1)} ms ` +
        `(${breakdown24h.segments} segments); playback's availability read ${breakdown24h.availabilityMs.toFixed(1)} ms`,
    );
    for (const c of cases.filter((x) => x.range === '24 h')) {
      const ok = c.latency.p95Ms <= PLAYLIST_TARGET_P95_MS;
      print(`  ${c.request} 24 h: p95 ${c.latency.p95Ms.toFixed(1)} ms = ${(c.latency.p95Ms / PLAYLIST_TARGET_P95_MS).toFixed(2)} × the ${PLAYLIST_TARGET_P95_MS} ms target (${ok ? 'met' : 'MISSED'})`);
    }
    const playlist24 = cases.find((c) => c.request === 'playlist' && c.range === '24 h')!;
    print(`  playlist 24 h p50 / bare index scan p50 = ${(playlist24.latency.p50Ms / breakdown24h.indexScanMs).toFixed(2)} (the scan is the storage floor)`);
    return { seeding, cases, breakdown24h };
  });
}

/** Writes 24 h of PT10S segments through the feeder and the ingest handler; checks every row was accepted. */
async function seed(print: (line: string) => void): Promise<PlaylistLatencyResult['seeding']> {
  let accepted = 0;
  let deadLettered = 0;
  let batches = 0;
  const feeder = new EventHubFeeder({
    logger: silentLogger,
    // The registered handler discards ingest's summary; calling ingest itself (same code, same deps) keeps it.
    handler: async (messages, context: InvocationContext) => {
      const summary = await ingest(messages as unknown[], context);
      accepted += summary.accepted;
      deadLettered += summary.deadLettered;
      batches++;
    },
  });
  const topic = cameraEventsTopic(DEVICE_ID, CAMERA_ID);
  const rows = (SEED_END_MS - SEED_START_MS) / SEGMENT_MS;
  // The blobs first, as the agent uploads each segment before it publishes (not timed).
  const container = BlobServiceClient.fromConnectionString(process.env.KEEPWATCH_STORAGE_CONNECTION_STRING!).getContainerClient(settings().recordingsContainer);
  await container.createIfNotExists();
  const starts = Array.from({ length: rows }, (_, i) => SEED_START_MS + i * SEGMENT_MS);
  for (let i = 0; i < starts.length; i += 64) {
    await Promise.all(starts.slice(i, i + 64).map((ms) => container.getBlockBlobClient(segmentBlobName(CAMERA_ID, ms)).uploadData(Buffer.alloc(SEGMENT_BYTES), { metadata: { sha256: seedSha256(ms) } })));
  }
  const startedMs = performance.now();
  for (let startMs = SEED_START_MS; startMs < SEED_END_MS; startMs += SEGMENT_MS) {
    const event = segmentUploadedEvent(
      DEVICE_ID,
      {
        cameraId: CAMERA_ID,
        path: '',
        startMs,
        durationMs: SEGMENT_MS,
        bytes: SEGMENT_BYTES,
        blobName: segmentBlobName(CAMERA_ID, startMs),
        sha256: seedSha256(startMs),
      },
      startMs + SEGMENT_MS + 500,
    );
    // As the agent publishes it over MQTT 3.1.1 (no content type): Event Grid routing puts it in data_base64 and
    // stamps the routing enrichments of the device that published it.
    feeder.push({ authenticationName: DEVICE_ID, topic, payload: Buffer.from(JSON.stringify(event)) });
  }
  await feeder.close();
  const seconds = (performance.now() - startedMs) / 1000;
  if (accepted !== rows || deadLettered !== 0) {
    throw new Error(`seeding: ingest accepted ${accepted} of ${rows} events and dead-lettered ${deadLettered}`);
  }
  const result = { rows, seconds, rowsPerSecond: rows / seconds, batches, deadLettered };
  print(
    `seeded ${rows} segment rows (${toIso(SEED_START_MS)} .. ${toIso(SEED_END_MS)}, PT10S) through ingest in ${batches} Event Hubs batches: ` +
      `${seconds.toFixed(1)} s, ${result.rowsPerSecond.toFixed(0)} rows/s (information)`,
  );
  return result;
}


/** The SHA-256 a seeded segment claims (and its blob's metadata says): a hash of its start. */
function seedSha256(startMs: number): string {
  return createHash('sha256').update(String(startMs)).digest('hex');
}

/** The 24 h playlist's parts, each repeated `repetitions` times through the functions' own adapters. */
async function breakdown(repetitions: number): Promise<PlaylistLatencyResult['breakdown24h']> {
  const deps = createDeps(parseSettings(process.env));
  const p50 = async (fn: () => Promise<unknown> | unknown): Promise<number> => {
    await fn();
    const samples: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      const t0 = performance.now();
      await fn();
      samples.push(performance.now() - t0);
    }
    return summarize(samples).p50Ms;
  };
  const spans = await deps.segmentIndex.listSegmentSpans(CAMERA_ID, SEED_START_MS, SEED_END_MS);
  const { segments } = playableSegments(spans);
  const expiresMs = Date.now() + HOUR_MS;
  const signed = await Promise.all(segments.map(async (s) => ({ ...s, url: await deps.sasSigner.blobReadUrl(s.blobName, expiresMs) })));
  return {
    indexScanMs: await p50(() => deps.segmentIndex.listSegmentSpans(CAMERA_ID, SEED_START_MS, SEED_END_MS)),
    sasSigningMs: await p50(() => Promise.all(segments.map((s) => deps.sasSigner.blobReadUrl(s.blobName, expiresMs)))),
    renderMs: await p50(() => renderPlaylist(signed)),
    availabilityMs: await p50(() => deps.availability.listRanges(CAMERA_ID, SEED_START_MS, SEED_END_MS)),
    segments: segments.length,
  };
}

function caseRow(c: LatencyCase): string {
  const l = c.latency;
  return `${c.request.padEnd(10)} ${c.range.padStart(5)} ${l.p50Ms.toFixed(1).padStart(9)} ${l.p95Ms.toFixed(1).padStart(9)} ${l.minMs.toFixed(1).padStart(9)} ${l.maxMs.toFixed(1).padStart(9)} ${String(c.bodyBytes).padStart(11)}`;
}
