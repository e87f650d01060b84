import { randomBytes } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { createDeps, type FunctionsDeps } from '../functions/deps';
import { BLOB_BATCH_CONCURRENCY, BLOB_BATCH_MAX } from '../functions/adapters/blob/blob-batch-deleter';
import { storageClients } from '../functions/adapters/storage/storage-clients';
import { retention } from '../functions/retention/retention';
import { RETENTION_STEP_SEGMENTS } from '../functions/retention/retention-camera';
import { parseSettings } from '../functions/settings';
import { startAzurite } from '../local/azurite';
import { segmentBlobName } from '../shared/contracts/blob-naming';
import { segmentPartitionKey, segmentRowKey } from '../shared/index-keys';
import type { SegmentRecord } from '../shared/contracts/device-events';
import { DAY_MS } from '../shared/time';

/** Options of {@link runRetentionDeletes}; defaults in {@link RETENTION_DEFAULTS}. */
export interface RetentionDeletesOptions {
  /** Expired segments the batched retention runs delete in all. */
  segments: number;
  /** Segments seeded and deleted per retention run, and deleted one by one for the baseline (see below). */
  round: number;
  print: (line: string) => void;
}

export const RETENTION_DEFAULTS = { segments: 50_000, round: 2_000 } as const;

/** Target (docs/benchmarks.md): batched retention ≥ 10× faster per segment than one-by-one deletes. */
export const RETENTION_TARGET_RATIO = 10;

/** What {@link runRetentionDeletes} measured. */
export interface RetentionDeletesResult {
  seeding: { segments: number; seconds: number };
  batched: { segments: number; runs: number; seconds: number; perSegmentMs: number };
  oneByOne: { segments: number; seconds: number; perSegmentMs: number };
  /** one-by-one ms per segment / batched ms per segment */
  ratio: number;
  /** Information: blobs only, Blob Batch vs single deletes (one by one, and in parallel) over equal samples. */
  blobsOnly: { batchPerBlobMs: number; singlePerBlobMs: number; parallelSinglePerBlobMs: number; ratio: number };
  /** Storage requests per segment: 2 one by one (blob, row); batched = batch requests + transactions + journal writes. */
  requestsPerSegment: { oneByOne: number; batched: number };
}

const SEGMENT_MS = 10_000;
const SEGMENT_BYTES = 2_500_000;
/** Every seeded segment ends well before the run's clock minus the default P7D, so all of them are expired. */
const NOW_MS = Date.UTC(2026, 10, 21, 12);
const SEED_START_MS = NOW_MS - 60 * DAY_MS;
const UPLOAD_CONCURRENCY = 64;
/** Information: single deletes in flight at once, the fallback the issue names if Blob Batch were missing. */
const PARALLEL_SINGLE_DELETES = 16;

/**
 * Retention deletes: the real `retention` timer handler (functions/retention/retention.ts) deleting expired
 * PT10S segments — journal write per step, blobs by Blob Batch (≤ 256 per request, 4 requests in flight), index rows
 * in ≤ 100-row transactions, rollup rewrite, camera row — against the same work one segment at a time (delete the
 * blob, then its index row, one request after the other). The ratio is per segment.
 *
 * Rounds: Azurite's delete costs grow with the number of blobs in the account (about 1.2 µs per stored blob per
 * delete here: 2 ms with 300 blobs, 7 ms with 5 000), so 50 000 blobs at once would measure Azurite's metadata scan,
 * not the deletes, and take half an hour. The batched side therefore seeds and deletes `round` segments per retention
 * run until `segments` are deleted, and the one-by-one side deletes one round of the same size: both start from the
 * same account size and empty it. Storage: Azurite in memory, started here. Seeding (timed apart): tiny blobs
 * {@link UPLOAD_CONCURRENCY} at a time; index rows upserted in transactions; rollup and camera rows through the stores
 * ingest uses.
 */
export async function runRetentionDeletes(opts: RetentionDeletesOptions): Promise<RetentionDeletesResult> {
  const { print } = opts;
  const azurite = await startAzurite();
  try {
    const settings = parseSettings({
      KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: randomBytes(24).toString('hex'),
      KEEPWATCH_TABLE_PREFIX: 'bench',
    });
    const deps = createDeps(settings, { now: () => NOW_MS });
    await deps.ensureStorage();
    const clients = storageClients(settings.storage);
    const container = clients.blobService.getContainerClient(settings.recordingsContainer);
    const segmentsTable = clients.tableClient(settings.tables.segments);
    const round = Math.min(opts.round, opts.segments);
    let seedSeconds = 0;
    let seeded = 0;
    const timedSeed = async (cameraId: string, offset: number, count: number, indexed = true) => {
      const t0 = Date.now();
      const segs = await seed(deps, cameraId, offset, count, indexed);
      seedSeconds += (Date.now() - t0) / 1000;
      seeded += segs.length;
      return segs;
    };

    // Baseline: one round, the same work per segment, one request at a time.
    const singleSegs = await timedSeed('bench-single', 0, round);
    let t = Date.now();
    for (const s of singleSegs) {
      await container.getBlobClient(s.blobName).delete({ deleteSnapshots: 'include' });
      await segmentsTable.deleteEntity(segmentPartitionKey(s.cameraId, s.startMs), segmentRowKey(s.startMs));
    }
    const singleSeconds = (Date.now() - t) / 1000;
    print(`one by one: ${singleSegs.length} segments (blob + index row each) in ${singleSeconds.toFixed(1)} s`);

    // Batched: retention runs of one round each until `segments` are deleted.
    let batchSeconds = 0;
    let deleted = 0;
    let runs = 0;
    let batchedRequests = 0;
    while (deleted < opts.segments) {
      const segs = await timedSeed('bench-batched', deleted, Math.min(round, opts.segments - deleted));
      t = Date.now();
      const context = new InvocationContext({ invocationId: `bench-retention-${runs}`, functionName: 'retention', logHandler: () => {} });
      const summary = await retention(undefined, context, deps);
      batchSeconds += (Date.now() - t) / 1000;
      runs++;
      if (summary.failed.length > 0 || summary.byCause.age.segments !== segs.length) {
        throw new Error(`retention run ${runs} deleted ${summary.byCause.age.segments} of ${segs.length} segments; failed: ${JSON.stringify(summary.failed)}`);
      }
      deleted += segs.length;
      batchedRequests += requestsOfRun(segs);
      if (runs % 5 === 0 || deleted >= opts.segments) print(`  batched: ${deleted} segments deleted in ${runs} runs, ${batchSeconds.toFixed(1)} s`);
    }
    let left = 0;
    for await (const _ of container.listBlobsFlat({ prefix: 'bench-batched/' })) left++;
    if (left !== 0) throw new Error(`${left} blobs of bench-batched are still there after the retention runs`);
    print(`batched: ${runs} retention runs deleted ${deleted} segments in ${batchSeconds.toFixed(1)} s`);

    // Information: the blob deletes alone, each from an account holding only its own sample.
    const sample = Math.min(round, 2 * BLOB_BATCH_MAX * BLOB_BATCH_CONCURRENCY);
    const batchOnly = await timedSeed('bench-blobs-a', 0, sample, false);
    t = Date.now();
    await deps.segmentBlobs.deleteBlobs(batchOnly.map((s) => s.blobName));
    const batchBlobMs = (Date.now() - t) / sample;
    const singleOnly = await timedSeed('bench-blobs-b', 0, sample, false);
    t = Date.now();
    for (const s of singleOnly) await container.getBlobClient(s.blobName).delete();
    const singleBlobMs = (Date.now() - t) / sample;
    const parallelOnly = await timedSeed('bench-blobs-c', 0, sample, false);
    t = Date.now();
    let nextBlob = 0;
    await Promise.all(
      Array.from({ length: PARALLEL_SINGLE_DELETES }, async () => {
        while (nextBlob < parallelOnly.length) await container.getBlobClient(parallelOnly[nextBlob++].blobName).delete();
      }),
    );
    const parallelSingleBlobMs = (Date.now() - t) / sample;
    print(
      `blobs only (${sample} each): Blob Batch ${batchBlobMs.toFixed(2)} ms/blob, single deletes one by one ${singleBlobMs.toFixed(2)} ms/blob, ` +
        `${PARALLEL_SINGLE_DELETES} single deletes in parallel ${parallelSingleBlobMs.toFixed(2)} ms/blob`,
    );
    print(`seeding (not measured against anything): ${seeded} blobs in ${seedSeconds.toFixed(1)} s`);

    const batchedPer = (batchSeconds * 1000) / deleted;
    const singlePer = (singleSeconds * 1000) / singleSegs.length;
    return {
      seeding: { segments: seeded, seconds: seedSeconds },
      batched: { segments: deleted, runs, seconds: batchSeconds, perSegmentMs: batchedPer },
      oneByOne: { segments: singleSegs.length, seconds: singleSeconds, perSegmentMs: singlePer },
      ratio: singlePer / batchedPer,
      blobsOnly: { batchPerBlobMs: batchBlobMs, singlePerBlobMs: singleBlobMs, parallelSinglePerBlobMs: parallelSingleBlobMs, ratio: singleBlobMs / batchBlobMs },
      requestsPerSegment: { oneByOne: 2, batched: batchedRequests / deleted },
    };
  } finally {
    await azurite.stop();
  }
}

/**
 * Storage requests that delete one run's segments, counted from the run's shape: per journalled step of
 * {@link RETENTION_STEP_SEGMENTS}, one journal write, ⌈k/256⌉ Blob Batch requests and ⌈rows per day partition/100⌉
 * transactions. (Reads, the rollup rewrite and the camera row are a few requests per run and left out.)
 */
function requestsOfRun(segs: readonly SegmentRecord[]): number {
  let requests = 0;
  for (let i = 0; i < segs.length; i += RETENTION_STEP_SEGMENTS) {
    const step = segs.slice(i, i + RETENTION_STEP_SEGMENTS);
    const perPartition = new Map<string, number>();
    for (const s of step) {
      const pk = segmentPartitionKey(s.cameraId, s.startMs);
      perPartition.set(pk, (perPartition.get(pk) ?? 0) + 1);
    }
    requests += 1 + Math.ceil(step.length / BLOB_BATCH_MAX) + [...perPartition.values()].reduce((sum, n) => sum + Math.ceil(n / 100), 0);
  }
  return requests;
}

/**
 * Uploads `count` tiny blobs of consecutive expired PT10S segments, the first `offset` segments after the seed start;
 * with `indexed`, their index, rollup and camera rows too.
 */
async function seed(deps: FunctionsDeps, cameraId: string, offset: number, count: number, indexed: boolean): Promise<SegmentRecord[]> {
  const segs: SegmentRecord[] = Array.from({ length: count }, (_, j) => {
    const i = offset + j;
    const startMs = SEED_START_MS + i * SEGMENT_MS;
    return { deviceId: 'bench-device', cameraId, startMs, durationMs: SEGMENT_MS, bytes: SEGMENT_BYTES, blobName: segmentBlobName(cameraId, startMs), sha256: '0'.repeat(64), eventId: `bench-${cameraId}-${i}` };
  });
  const container = storageClients(deps.settings.storage).blobService.getContainerClient(deps.settings.recordingsContainer);
  let next = 0;
  const body = Buffer.from('x');
  await Promise.all(
    Array.from({ length: UPLOAD_CONCURRENCY }, async () => {
      while (next < segs.length) {
        const s = segs[next++];
        await container.getBlockBlobClient(s.blobName).uploadData(body);
      }
    }),
  );
  if (indexed) {
    for (let i = 0; i < segs.length; i += 5000) await deps.segmentIndex.upsertSegments(segs.slice(i, i + 5000));
    await deps.availability.mergeSegments(segs);
    await deps.cameras.recordSegments(segs);
  }
  return segs;
}
