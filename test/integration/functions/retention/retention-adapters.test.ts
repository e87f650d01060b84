import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import type { SegmentRecord } from '../../../../shared/contracts/device-events';
import { DAY_MS } from '../../../../shared/time';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { tableRows, testSettings } from '../../../helpers/functions-fixtures';

const DAY = Date.UTC(2026, 10, 10);

describe('retention adapters on Azurite', () => {
  let azurite: AzuriteInstance;
  let deps: FunctionsDeps;
  let s: ReturnType<typeof testSettings>;
  before(async () => {
    azurite = await startAzurite();
    s = testSettings(azurite.connectionString, { KEEPWATCH_RECORDINGS_CONTAINER: `ad-${randomBytes(4).toString('hex')}` });
    deps = createDeps(s);
    await deps.ensureStorage();
  });
  after(async () => {
    await azurite?.stop();
  });

  const seg = (cameraId: string, startMs: number, durationMs = 10_000): SegmentRecord => ({
    deviceId: 'dev1',
    cameraId,
    startMs,
    durationMs,
    bytes: 1000,
    blobName: segmentBlobName(cameraId, startMs),
    sha256: 'a'.repeat(64),
    eventId: `e-${cameraId}-${startMs}`,
  });

  it('BlobBatchDeleter: > 256 blobs in several batch requests, a missing blob counts as already deleted, repeatable', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(s.recordingsContainer);
    const names = Array.from({ length: 600 }, (_, i) => segmentBlobName('bb', DAY + i * 10_000));
    await Promise.all(names.slice(0, 550).map((n) => container.getBlockBlobClient(n).uploadData(Buffer.from('x'))));
    const keep = segmentBlobName('bb', DAY - 10_000);
    await container.getBlockBlobClient(keep).uploadData(Buffer.from('x'));
    assert.deepEqual(await deps.segmentBlobs.deleteBlobs(names), { deleted: 550, missing: 50 });
    assert.deepEqual(await deps.segmentBlobs.deleteBlobs(names), { deleted: 0, missing: 600 });
    const left: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: 'bb/' })) left.push(b.name);
    assert.deepEqual(left, [keep]);
  });

  it('deleteSegments: ≤ 100-row transactions per day partition; rows already gone are skipped and not counted', async () => {
    const segs = Array.from({ length: 250 }, (_, i) => seg('ix', DAY + DAY_MS - 125 * 10_000 + i * 10_000)); // across midnight
    await deps.segmentIndex.upsertSegments(segs);
    assert.equal(await deps.segmentIndex.deleteSegments('ix', segs.slice(0, 10).map((g) => g.startMs)), 10);
    // 240 remaining of the first 245 asked (10 gone), in two partitions; the last 5 stay.
    assert.equal(await deps.segmentIndex.deleteSegments('ix', segs.slice(0, 245).map((g) => g.startMs)), 235);
    const left = await deps.segmentIndex.listSegmentSizes('ix', DAY, DAY + 2 * DAY_MS);
    assert.deepEqual(left.map((g) => g.startMs), segs.slice(245).map((g) => g.startMs));
    assert.deepEqual(left[0], { startMs: segs[245].startMs, durationMs: 10_000, bytes: 1000, blobName: segs[245].blobName });
  });

  it('rewriteDay: the row shows what the callback returns for that day only; nothing left removes the row', async () => {
    await deps.availability.mergeSegments([seg('rw', DAY), seg('rw', DAY + 10_000), seg('rw', DAY + DAY_MS - 5_000)]);
    await deps.availability.rewriteDay('rw', DAY, async () => [{ startMs: DAY - 5_000, endMs: DAY + 10_000 }, { startMs: DAY + DAY_MS - 5_000, endMs: DAY + DAY_MS + 5_000 }]);
    assert.deepEqual(await deps.availability.listRanges('rw', DAY, DAY + DAY_MS + 1), [
      { startMs: DAY, endMs: DAY + 10_000 },
      { startMs: DAY + DAY_MS - 5_000, endMs: DAY + DAY_MS + 5_000 }, // the next day's row (from the merge) is untouched
    ]);
    await deps.availability.rewriteDay('rw', DAY, async () => []);
    const rows = (await tableRows(azurite.connectionString, s.tables.availability)).filter((r) => r.partitionKey === 'rw');
    assert.deepEqual(rows.map((r) => r.rowKey), ['2026-11-11']);
    await deps.availability.rewriteDay('rw', DAY, async () => []); // absent stays absent
  });

  it('rewriteDay: an ingest merging the day between the read and the write makes it recompute, so nothing is lost', async () => {
    // The rollup shows A and B; B's index row is gone (retention deleted it), so the rewrite must drop B.
    const [a, b] = [seg('rc', DAY), seg('rc', DAY + 60_000)];
    await deps.segmentIndex.upsertSegments([a]);
    await deps.availability.mergeSegments([a, b]);
    const late = seg('rc', DAY + 3_600_000);
    let calls = 0;
    await deps.availability.rewriteDay('rc', DAY, async () => {
      calls++;
      if (calls === 1) {
        // Ingest's order: index row first, then the rollup merge; this scan result predates both.
        const before = await deps.segmentIndex.listSegmentSpans('rc', DAY, DAY + DAY_MS);
        await deps.segmentIndex.upsertSegments([late]);
        await deps.availability.mergeSegments([late]);
        return before.map((g) => ({ startMs: g.startMs, endMs: g.startMs + g.durationMs }));
      }
      return (await deps.segmentIndex.listSegmentSpans('rc', DAY, DAY + DAY_MS)).map((g) => ({ startMs: g.startMs, endMs: g.startMs + g.durationMs }));
    });
    assert.equal(calls, 2, 'the conditional write failed once and the ranges were recomputed');
    assert.deepEqual(await deps.availability.listRanges('rc', DAY, DAY + DAY_MS), [
      { startMs: DAY, endMs: DAY + 10_000 },
      { startMs: late.startMs, endMs: late.startMs + 10_000 },
    ]);
  });

  it('advanceFirstRecorded: only forward, never past the last recorded instant; no row, no row', async () => {
    await deps.cameras.recordSegments([seg('fr', DAY), seg('fr', DAY + 60_000)]);
    await deps.cameras.advanceFirstRecorded('fr', DAY + 30_000);
    assert.equal((await deps.cameras.getCamera('fr'))?.firstRecordedMs, DAY + 30_000);
    await deps.cameras.advanceFirstRecorded('fr', DAY);
    assert.equal((await deps.cameras.getCamera('fr'))?.firstRecordedMs, DAY + 30_000, 'not moved back');
    await deps.cameras.advanceFirstRecorded('fr', DAY + DAY_MS);
    const c = await deps.cameras.getCamera('fr');
    assert.deepEqual([c?.firstRecordedMs, c?.lastRecordedMs, c?.deviceId], [DAY + 70_000, DAY + 70_000, 'dev1']);
    await deps.cameras.advanceFirstRecorded('nobody', DAY);
    assert.equal(await deps.cameras.getCamera('nobody'), undefined);
  });

  it('retention journal: round trip of starts and days, cleared to absent', async () => {
    assert.equal(await deps.retentionJournal.read('jr'), undefined);
    const entry = { pendingStartsMs: [DAY + 1, DAY + 10_000], rollupDaysMs: [DAY - DAY_MS, DAY] };
    await deps.retentionJournal.write('jr', entry);
    assert.deepEqual(await deps.retentionJournal.read('jr'), entry);
    await deps.retentionJournal.write('jr', { pendingStartsMs: [], rollupDaysMs: [DAY] });
    assert.deepEqual(await deps.retentionJournal.read('jr'), { pendingStartsMs: [], rollupDaysMs: [DAY] });
    await deps.retentionJournal.clear('jr');
    await deps.retentionJournal.clear('jr');
    assert.equal(await deps.retentionJournal.read('jr'), undefined);
  });
});
