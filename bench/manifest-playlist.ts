import { createHash } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentUploadedEvent } from '../edge-agent/segment-events';
import { TableManifestHours } from '../functions/adapters/table/table-manifest-hours';
import { storageClients } from '../functions/adapters/storage/storage-clients';
import { createDeps, type FunctionsDeps } from '../functions/deps';
import { ingest } from '../functions/ingest/ingest';
import { manifests } from '../functions/manifests/manifests';
import { playlistSpans } from '../functions/playback/playlist-spans';
import { settings } from '../functions/settings';
import { EventHubFeeder } from '../local/event-hub-feeder';
import { silentLogger } from '../local/host-logger';
import { segmentBlobName } from '../shared/contracts/blob-naming';
import { cameraEventsTopic } from '../shared/contracts/topics';
import type { SegmentSpan } from '../shared/ports/segment-index';
import { HOUR_MS, toIso } from '../shared/time';
import { timeRequests, withBenchStorage } from './bench-host';
import { WorkerHttpClient } from './worker-http-client';
import type { LatencySummary } from './percentiles';

/** Options of {@link runManifestPlaylist}. */
export interface ManifestPlaylistOptions {
  requests: number;
  warmupRequests: number;
  print: (line: string) => void;
}

/** Targets (docs/benchmarks.md): 24 h playlist p95 from manifests ≤ 100 ms, ≥ 2× faster than the row scan, ≤ 2 table pages and no point read (the camera's tracking marker is read once per process). */
export const MANIFEST_PLAYLIST_TARGETS = { p95Ms: 100, speedup: 2, tablePages: 2, pointReads: 0 } as const;

/** One way of reading the 24 h playlist. */
export interface ManifestPlaylistCase {
  source: 'index rows' | 'manifests';
  latency: LatencySummary;
  bodyBytes: number;
  /** Table pages one playlist reads (manifest hour rows + segment index), counted by the SDK's page iterator. */
  tablePages: number;
  /** Table point reads one playlist makes in a process that served the camera before (its tracking marker is read once). */
  pointReads: number;
  /** Point reads of the process's first playlist of the camera (the tracking marker), information. */
  firstPointReads: number;
  /** Manifest blobs one playlist reads. */
  manifestReads: number;
}

export interface ManifestPlaylistResult {
  cases: ManifestPlaylistCase[];
  /** p95 of the row scan / p95 from manifests. */
  speedup: number;
  /** Seconds the manifests timer took to write the 24 closed hours (8,280 segments hashed from Blob), information. */
  writeSeconds: number;
}

const DEVICE_ID = 'bench-device';
const CAMERA_ID = 'bench-cam';
const SEGMENT_MS = 10_000;
const SEGMENT_BYTES = 1024;

/**
 * The 24 h playlist read from asset manifests against today's row scan, in the same run (docs/benchmarks.md
 * "Playlists from manifests"):
 * - Seeding: 24 h of PT10S segments of one camera (8,640 blobs of 1 KiB and their `segment.uploaded` events through
 *   the Event Hubs feeder and the real ingest handler), ending at the real clock's last 10 s boundary, so the last
 *   hour is the open hour, as for "the last 24 h" in production.
 * - Row scan: `GET hlsUrl` of the 24 h playlist while every hour is dirty (no manifest yet): the playlist scans the
 *   index as before manifests existed (plus the one query of the hour rows).
 * - Then the `manifests` timer handler writes the closed hours' manifests (grace 0: every hour that has ended), and the
 *   same request is timed again: 24 manifest reads in parallel and one index page for the open hour.
 * - Requests come from a client on a worker thread (bench/worker-http-client.ts), timed there to the last body byte.
 * - Table pages per playlist are counted in-process on the same adapters (each page the SDK's iterator yields), and
 *   both playlists are checked to list the same 8,640 segments.
 * @throws Error when seeding dead-letters events, a request fails, or the two playlists differ
 */
export async function runManifestPlaylist(opts: ManifestPlaylistOptions): Promise<ManifestPlaylistResult> {
  const { print } = opts;
  return withBenchStorage(async (storage) => {
    const endMs = Math.floor(Date.now() / SEGMENT_MS) * SEGMENT_MS;
    const startMs = endMs - 24 * HOUR_MS;
    await seed(startMs, endMs, print);
    const { api, apiKey } = await storage.startHost();
    const res = await fetch(`${api}/cameras/${CAMERA_ID}/playback?start=${toIso(startMs)}&end=${toIso(endMs)}`, { headers: { 'x-functions-key': apiKey } });
    if (res.status !== 200) throw new Error(`playback: HTTP ${res.status} ${await res.text()}`);
    const hlsUrl = ((await res.json()) as { hlsUrl: string }).hlsUrl;
    const deps = createDeps(settings());
    const bodies: string[] = [];
    // The client runs on a worker thread: receiving 2.5 MB and its garbage are not the server's (see WorkerHttpClient).
    const client = new WorkerHttpClient();
    try {
      const measure = async (source: ManifestPlaylistCase['source']): Promise<ManifestPlaylistCase> => {
        // Timed to the last byte; decoding the text (≈ 10 ms for 2.5 MB, the player's work) happens after the clock stops.
        let last: Buffer = Buffer.alloc(0);
        const timed = await timeRequests(opts, async () => {
          const r = await client.get(hlsUrl);
          last = r.body;
          if (r.status !== 200) throw new Error(`playlist from ${source}: HTTP ${r.status} ${last.toString('utf8', 0, 300)}`);
          return { bodyBytes: last.byteLength, ms: r.ms };
        });
        bodies.push(last.toString('utf8'));
        const c: ManifestPlaylistCase = { source, ...timed, ...(await countReads(deps, startMs, endMs)) };
        print(`${source.padEnd(12)} ${c.latency.p50Ms.toFixed(1).padStart(8)} ${c.latency.p95Ms.toFixed(1).padStart(8)} ${c.latency.maxMs.toFixed(1).padStart(8)} ${`${c.tablePages} + ${c.pointReads}`.padStart(11)} ${String(c.manifestReads).padStart(14)} ${String(c.bodyBytes).padStart(11)}`);
        return c;
      };
      print(`24 h playlist (${toIso(startMs)} .. ${toIso(endMs)}), ${opts.warmupRequests} warm-up + ${opts.requests} measured requests each, one at a time`);
      print(`${'source'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'pages + pts'.padStart(11)} ${'manifest reads'.padStart(14)} ${'body bytes'.padStart(11)}`);
      const rows = await measure('index rows');
      const rowBody = bodies[bodies.length - 1];

      const t0 = performance.now();
      const written = await manifests(undefined, new InvocationContext({ invocationId: 'bench-manifests', functionName: 'manifests', logHandler: () => {} }), { ...deps, settings: { ...deps.settings, manifestGraceMs: 0 } });
      const writeSeconds = (performance.now() - t0) / 1000;
      // 24 closed hours, or 25 when the clock passed an hour boundary since seeding (the last hour closed meanwhile).
      if (written.failed.length || written.outcomes.written < 24 || written.outcomes.written > 25) throw new Error(`manifests run: ${JSON.stringify(written)}`);
      print(`manifests timer: ${written.outcomes.written} closed hours written in ${writeSeconds.toFixed(1)} s (every segment hashed from Blob; information)`);

      const fromManifests = await measure('manifests');
      const unsigned = (body: string) => body.replace(/\?[^\n]*/g, '');
      if (unsigned(bodies[bodies.length - 1]) !== unsigned(rowBody)) throw new Error('the playlist from manifests differs from the row scan playlist');
      const segments = rowBody.split('\n').filter((l) => l.startsWith('#EXTINF:')).length;
      if (segments !== 24 * 360) throw new Error(`the playlist lists ${segments} segments, expected 8640`);

      const speedup = rows.latency.p95Ms / fromManifests.latency.p95Ms;
      const t = MANIFEST_PLAYLIST_TARGETS;
      print(`  from manifests: p95 ${fromManifests.latency.p95Ms.toFixed(1)} ms (target ≤ ${t.p95Ms}: ${fromManifests.latency.p95Ms <= t.p95Ms ? 'met' : 'MISSED'}), ` +
        `${speedup.toFixed(2)}× faster than the row scan at p95 (target ≥ ${t.speedup}: ${speedup >= t.speedup ? 'met' : 'MISSED'}), ` +
        `${fromManifests.tablePages} table pages + ${fromManifests.pointReads} point reads (target ≤ ${t.tablePages} + ${t.pointReads}: ${fromManifests.tablePages <= t.tablePages && fromManifests.pointReads <= t.pointReads ? 'met' : 'MISSED'}; ` +
        `the process's first playlist of the camera: + ${fromManifests.firstPointReads}, its tracking marker)`);
      return { cases: [rows, fromManifests], speedup, writeSeconds };
    } finally {
      await client.close();
    }
  });
}

/**
 * Table pages, point reads and manifest reads of one 24 h playlist's reads, through the same adapters with counters,
 * in a process that has served a playlist of the camera before (as the host answering the measured requests has): the
 * second of two reads is counted. `firstPointReads` is the first one's (the camera's tracking marker, read once per
 * process when every hour is tracked), for information.
 */
async function countReads(deps: FunctionsDeps, startMs: number, endMs: number): Promise<{ tablePages: number; pointReads: number; firstPointReads: number; manifestReads: number }> {
  let tablePages = 0;
  let pointReads = 0;
  let manifestReads = 0;
  const s = deps.settings;
  const table = storageClients(s.storage).tableClient(s.tables.manifests);
  const getEntity = table.getEntity.bind(table);
  table.getEntity = ((...args: Parameters<typeof getEntity>) => (pointReads++, getEntity(...args))) as typeof table.getEntity;
  const counted = {
    manifestHours: new TableManifestHours(table, { onPage: () => void tablePages++ }),
    manifestBlobs: { read: (name: string) => (manifestReads++, deps.manifestBlobs.read(name)) } as FunctionsDeps['manifestBlobs'],
    segmentIndex: {
      ...deps.segmentIndex,
      listSegmentSpans: (cameraId: string, from: number, to: number, onPage?: (spans: readonly SegmentSpan[]) => void) =>
        deps.segmentIndex.listSegmentSpans(cameraId, from, to, (page) => {
          tablePages++;
          onPage?.(page);
        }),
    } as FunctionsDeps['segmentIndex'],
  };
  await playlistSpans(CAMERA_ID, startMs, endMs, counted);
  const firstPointReads = pointReads;
  [tablePages, pointReads, manifestReads] = [0, 0, 0];
  const spans = await playlistSpans(CAMERA_ID, startMs, endMs, counted);
  if (spans.length !== 24 * 360) throw new Error(`counted read found ${spans.length} segments, expected 8640`);
  return { tablePages, pointReads, firstPointReads, manifestReads };
}

/** 24 h of PT10S segments: blobs of 1 KiB (hashed by the manifest writer), then their events through the feeder and ingest. */
async function seed(startMs: number, endMs: number, print: (line: string) => void): Promise<void> {
  const container = BlobServiceClient.fromConnectionString(process.env.KEEPWATCH_STORAGE_CONNECTION_STRING!).getContainerClient(settings().recordingsContainer);
  await container.createIfNotExists();
  const starts: number[] = [];
  for (let ms = startMs; ms < endMs; ms += SEGMENT_MS) starts.push(ms);
  const body = (ms: number) => Buffer.alloc(SEGMENT_BYTES, ms % 251);
  const sha = (ms: number) => createHash('sha256').update(body(ms)).digest('hex');
  for (let i = 0; i < starts.length; i += 64) {
    await Promise.all(starts.slice(i, i + 64).map((ms) => container.getBlockBlobClient(segmentBlobName(CAMERA_ID, ms)).uploadData(body(ms), { metadata: { sha256: sha(ms) } })));
  }
  let accepted = 0;
  const feeder = new EventHubFeeder({
    logger: silentLogger,
    handler: async (messages, context: InvocationContext) => {
      accepted += (await ingest(messages as unknown[], context)).accepted;
    },
  });
  const topic = cameraEventsTopic(DEVICE_ID, CAMERA_ID);
  for (const ms of starts) {
    const event = segmentUploadedEvent(DEVICE_ID, { cameraId: CAMERA_ID, path: '', startMs: ms, durationMs: SEGMENT_MS, bytes: SEGMENT_BYTES, blobName: segmentBlobName(CAMERA_ID, ms), sha256: sha(ms) }, ms + SEGMENT_MS + 500);
    feeder.push({ authenticationName: DEVICE_ID, topic, payload: Buffer.from(JSON.stringify(event)) });
  }
  await feeder.close();
  if (accepted !== starts.length) throw new Error(`seeding: ingest accepted ${accepted} of ${starts.length} events`);
  print(`seeded ${starts.length} segments through ingest`);
}
