import { randomBytes } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { createDeps, type FunctionsDeps } from '../functions/deps';
import { BLOB_BATCH_CONCURRENCY, BLOB_BATCH_MAX } from '../functions/adapters/blob-batch-deleter';
import { storageClients } from '../functions/adapters/storage-clients';
import { retention } from '../functions/retention';
import { RETENTION_STEP_SEGMENTS } from '../functions/retention-camera';
import { parseSettings } from '../functions/settings';
import { startAzurite } from '../local/azurite';
import { segmentBlobName } from '../shared/blob-naming';
import { segmentPartitionKey, segmentRowKey } from '../shared/index-keys';
import type { SegmentRecord } from '../shared/schemas/device-events';
import { DAY_MS } from '../shared/time';

/** Options of {@link runRetentionDeletes}; defaults in {@link RETENTION_DEFAULTS}. */
export interface RetentionDeletesOptions {
  /** Expired segments the batched retention run deletes. */
  segments: number;
  /** Segments deleted one by one for the baseline (a sample: one by one, 50,000 would take many minutes). */
  sample: number;
  print: (line: string) => void;
}

export const RETENTION_DEFAULTS = { segments: 50_000, sample: 2_000 } as const;

/** Issue 5's target: batched retention ≥ 10× faster per segment than one-by-one deletes. */
export const RETENTION_TARGET_RATIO = 10;

/** What {@link runRetentionDeletes} measured. */
export interface RetentionDeletesResult {
  seeding: { segments: number; seconds: number };
  batched: { segments: number; seconds: number; perSegmentMs: number };
  oneByOne: { segments: number; seconds: number; perSegmentMs: number };
  /** one-by-one ms per segment / batched ms per segment */
  ratio: number;
  /** Information: blobs only, Blob Batch vs single deletes over equal samples. */
  blobsOnly: { batchPerBlobMs: number; singlePerBlobMs: number; ratio: number };
  /** Storage requests per segment: 2 one by one (blob, row); batched = batch requests + transactions + journal writes. */
  requestsPerSegment: { oneByOne: number; batched: number };
}

const SEGMENT_MS = 10_000;
const SEGMENT_BYTES = 2_500_000;
/** Every seeded segment ends 30 days before the run's clock, so the default P7D expires all of them. */
const NOW_MS = Date.UTC(2026, 10, 21, 12);
const SEED_START_MS = NOW_MS - 40 * DAY_MS;
const UPLOAD_CONCURRENCY = 64;

/**
 * Retention deletes (issue 5 "Bench"): the real retention timer handler (functions/retention.ts) deleting N expired
 * PT10S segments of one camera — blobs by Blob Batch (≤ 256 per request, 4 requests in flight), index rows in
 * ≤ 100-row transactions, journal writes, rollup rewrite, camera row — against the same work one segment at a time
 * (delete the blob, then its index row, sequentially), measured on a sample of another camera's segments; the ratio
 * is per segment. Storage: Azurite in memory, started here. Seeding (information): tiny blobs uploaded
 * {@link UPLOAD_CONCURRENCY} at a time; index rows upserted in transactions, rollup and camera rows through the
 * stores ingest uses.
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

    const blobInfoSample = Math.min(opts.sample, 2 * BLOB_BATCH_MAX * BLOB_BATCH_CONCURRENCY);
    const t0 = Date.now();
    const batchSegs = await seed(deps, 'bench-batched', opts.segments, print);
    const singleSegs = await seed(deps, 'bench-single', opts.sample, print);
    const blobBatchOnly = await seed(deps, 'bench-blobs-a', blobInfoSample, print, { indexed: false });
    const blobSingleOnly = await seed(deps, 'bench-blobs-b', blobInfoSample, print, { indexed: false });
    const seedSeconds = (Date.now() - t0) / 1000;
    print(`seeded ${batchSegs.length + singleSegs.length} indexed segments and ${2 * blobInfoSample} bare blobs in ${seedSeconds.toFixed(1)} s`);

    // Baseline: the same work per segment, one request at a time.
    const clients = storageClients(settings.storageConnectionString);
    const container = clients.blobService.getContainerClient(settings.recordingsContainer);
    const segmentsTable = clients.tableClient(settings.tables.segments);
    let t = Date.now();
    for (const s of singleSegs) {
      await container.getBlobClient(s.blobName).delete({ deleteSnapshots: 'include' });
      await segmentsTable.deleteEntity(segmentPartitionKey(s.cameraId, s.startMs), segmentRowKey(s.startMs));
    }
    const singleSeconds = (Date.now() - t) / 1000;
    print(`one by one: ${singleSegs.length} segments (blob + index row each) in ${singleSeconds.toFixed(1)} s`);

    // The retention run over every camera: bench-batched (N expired segments; bench-single is empty by now).
    t = Date.now();
    const context = new InvocationContext({ invocationId: 'bench-retention', functionName: 'retention', logHandler: () => {} });
    const summary = await retention(undefined, context, deps);
    const batchSeconds = (Date.now() - t) / 1000;
    if (summary.failed.length > 0 || summary.byCause.age.segments !== batchSegs.length) {
      throw new Error(`retention run deleted ${summary.byCause.age.segments} of ${batchSegs.length} segments; failed: ${JSON.stringify(summary.failed)}`);
    }
    let left = 0;
    for await (const _ of container.listBlobsFlat({ prefix: 'bench-batched/' })) left++;
    if (left !== 0) throw new Error(`${left} blobs of bench-batched are still there after the retention run`);
    print(`batched: retention run deleted ${summary.segmentsDeleted} segments in ${batchSeconds.toFixed(1)} s (handler's own duration ${summary.durationMs} ms)`);

    // Information: the blob deletes alone.
    t = Date.now();
    await deps.segmentBlobs.deleteBlobs(blobBatchOnly.map((s) => s.blobName));
    const batchBlobMs = (Date.now() - t) / blobBatchOnly.length;
    t = Date.now();
    for (const s of blobSingleOnly) await container.getBlobClient(s.blobName).delete();
    const singleBlobMs = (Date.now() - t) / blobSingleOnly.length;
    print(`blobs only (${blobBatchOnly.length} each): Blob Batch ${batchBlobMs.toFixed(2)} ms/blob, single deletes one by one ${singleBlobMs.toFixed(2)} ms/blob`);

    const batchedPer = (batchSeconds * 1000) / batchSegs.length;
    // Requests of the batched run, counted from its shape: per journalled step, one journal write, ⌈k/256⌉ Blob Batch
    // requests and ⌈rows of a day partition/100⌉ transactions (rows of PT10S segments: 8 640 per day partition).
    let batchedRequests = 0;
    for (let i = 0; i < batchSegs.length; i += RETENTION_STEP_SEGMENTS) {
      const step = batchSegs.slice(i, i + RETENTION_STEP_SEGMENTS);
      const perPartition = new Map<string, number>();
      for (const s of step) perPartition.set(segmentPartitionKey(s.cameraId, s.startMs), (perPartition.get(segmentPartitionKey(s.cameraId, s.startMs)) ?? 0) + 1);
      batchedRequests += 1 + Math.ceil(step.length / BLOB_BATCH_MAX) + [...perPartition.values()].reduce((sum, n) => sum + Math.ceil(n / 100), 0);
    }
    const singlePer = (singleSeconds * 1000) / singleSegs.length;
    return {
      seeding: { segments: batchSegs.length + singleSegs.length, seconds: seedSeconds },
      batched: { segments: batchSegs.length, seconds: batchSeconds, perSegmentMs: batchedPer },
      oneByOne: { segments: singleSegs.length, seconds: singleSeconds, perSegmentMs: singlePer },
      ratio: singlePer / batchedPer,
      blobsOnly: { batchPerBlobMs: batchBlobMs, singlePerBlobMs: singleBlobMs, ratio: singleBlobMs / batchBlobMs },
      requestsPerSegment: { oneByOne: 2, batched: batchedRequests / batchSegs.length },
    };
  } finally {
    await azurite.stop();
  }
}

/** Uploads `count` tiny blobs of consecutive expired PT10S segments; with `indexed`, their index, rollup and camera rows too. */
async function seed(deps: FunctionsDeps, cameraId: string, count: number, print: (line: string) => void, o: { indexed: boolean } = { indexed: true }): Promise<SegmentRecord[]> {
  const segs: SegmentRecord[] = Array.from({ length: count }, (_, i) => {
    const startMs = SEED_START_MS + i * SEGMENT_MS;
    return { deviceId: 'bench-device', cameraId, startMs, durationMs: SEGMENT_MS, bytes: SEGMENT_BYTES, blobName: segmentBlobName(cameraId, startMs), sha256: '0'.repeat(64), eventId: `bench-${cameraId}-${i}` };
  });
  const container = storageClients(deps.settings.storageConnectionString).blobService.getContainerClient(deps.settings.recordingsContainer);
  let next = 0;
  const body = Buffer.from('x');
  await Promise.all(
    Array.from({ length: UPLOAD_CONCURRENCY }, async () => {
      while (next < segs.length) {
        const s = segs[next++];
        await container.getBlockBlobClient(s.blobName).uploadData(body);
        if (next % 10_000 === 0) print(`  ${cameraId}: ${next} blobs uploaded`);
      }
    }),
  );
  if (o.indexed) {
    for (let i = 0; i < segs.length; i += 5000) await deps.segmentIndex.upsertSegments(segs.slice(i, i + 5000));
    await deps.availability.mergeSegments(segs);
    await deps.cameras.recordSegments(segs);
  }
  return segs;
}
