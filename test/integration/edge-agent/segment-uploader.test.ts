import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, ContainerClient, ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { createLogger } from '../../../edge-agent/log';
import { SegmentUploader } from '../../../edge-agent/uploader/segment-uploader';
import type { UploadedSegment } from '../../../edge-agent/segments/recorded-segment';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('SegmentUploader against Azurite', () => {
  let azurite: AzuriteInstance;
  let container: ContainerClient;
  const uploaders: SegmentUploader[] = [];
  /** An uploader stopped after the suite, so a failing test leaves no retry timer running. */
  const uploader = (opts: ConstructorParameters<typeof SegmentUploader>[0]) => {
    const up = new SegmentUploader(opts);
    uploaders.push(up);
    return up;
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-up-'));
  const segment = (cameraId: string, startMs: number, bytes: Buffer) => {
    const p = path.join(dir, `${cameraId}-${startMs}.ts`);
    writeFileSync(p, bytes);
    return { cameraId, path: p, startMs, durationMs: 4000, bytes: bytes.length };
  };

  before(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
  });
  after(async () => {
    for (const up of uploaders) up.stop();
    await azurite.stop();
  });

  it('uploads oldest first, once, with content type and SHA-256, and treats an identical existing blob as success', async () => {
    // Storage is "down" (the container does not exist yet): uploads fail and wait, in any order of arrival.
    const uploaded: UploadedSegment[] = [];
    const up = uploader({ container, logger: createLogger('silent'), concurrency: 1, retryDelayMs: 100, maxRetryDelayMs: 200, onUploaded: async (s) => void uploaded.push(s) });
    for (const s of [
      segment('cam-1', T0 + 8000, Buffer.alloc(3000, 1)),
      segment('cam-1', T0, Buffer.alloc(2000, 2)),
      segment('cam-2', T0 + 4000, Buffer.alloc(1000, 3)),
    ]) up.enqueue(s);
    assert.equal(await up.idle(500), false);
    assert.equal(uploaded.length, 0);
    await container.create(); // storage is back
    up.enqueue(segment('cam-2', T0 + 12_000, Buffer.alloc(10, 4)));
    assert.equal(await up.idle(10_000), true);
    assert.deepEqual(uploaded.map((s) => s.startMs), [T0, T0 + 4000, T0 + 8000, T0 + 12_000], 'oldest first after the outage');

    const props = await container.getBlockBlobClient(segmentBlobName('cam-1', T0)).getProperties();
    assert.equal(props.contentType, 'video/mp2t');
    assert.equal(props.contentLength, 2000);
    assert.equal(props.metadata?.sha256, createHash('sha256').update(Buffer.alloc(2000, 2)).digest('hex'));
    assert.equal(uploaded[0].sha256, props.metadata?.sha256);
    assert.equal(uploaded[0].blobName, 'cam-1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts');

    // A retry whose first response was lost: the blob exists with the same bytes → success, no new write.
    const again = uploader({ container, logger: createLogger('silent'), onUploaded: async (s) => void uploaded.push(s) });
    again.enqueue(segment('cam-1', T0, Buffer.alloc(2000, 2)));
    assert.equal(await again.idle(10_000), true);
    assert.equal(uploaded.length, 5);
    const after = await container.getBlockBlobClient(segmentBlobName('cam-1', T0)).getProperties();
    assert.equal(after.etag, props.etag, 'the existing blob was not overwritten');
  });

  it('after an outage uploads the oldest surviving segment first, then backlog and live edge in turn', async () => {
    const drain = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('drain'); // absent: storage "down"
    const now = T0 + 3_600_000;
    const uploaded: UploadedSegment[] = [];
    const up = uploader({ container: drain, logger: createLogger('silent'), concurrency: 1, retryDelayMs: 100, maxRetryDelayMs: 200, now: () => now, onUploaded: async (s) => void uploaded.push(s) });
    const backlog = Array.from({ length: 6 }, (_, i) => segment('cam-5', T0 + i * 4000, Buffer.alloc(100, i + 1)));
    for (const s of [...backlog].reverse()) up.enqueue(s);
    up.enqueue(segment('cam-5', now - 8000, Buffer.alloc(100, 20))); // live, but not the newest
    up.enqueue(segment('cam-5', now - 4000, Buffer.alloc(100, 21))); // the live edge
    assert.equal(await up.idle(400), false);
    await drain.create(); // storage is back
    assert.equal(await up.idle(10_000), true);
    const b = backlog.map((s) => s.startMs);
    assert.deepEqual(
      uploaded.map((s) => s.startMs),
      [b[0], now - 4000, b[1], now - 8000, b[2], b[3], b[4], b[5]],
      'the oldest first, then the newest live segment, the backlog and the live edge alternating, the backlog oldest first',
    );
  });

  it('never overwrites a blob that holds other bytes: the segment stays queued and is retried', async () => {
    const uploaded: UploadedSegment[] = [];
    const up = uploader({ container, logger: createLogger('silent'), retryDelayMs: 50, maxRetryDelayMs: 100, onUploaded: async (s) => void uploaded.push(s) });
    up.enqueue(segment('cam-1', T0 + 8000, Buffer.alloc(3000, 9))); // same name as before, other bytes
    assert.equal(await up.idle(1500), false, 'still pending after retries');
    assert.equal(uploaded.length, 0);
    up.stop();
    const props = await container.getBlockBlobClient(segmentBlobName('cam-1', T0 + 8000)).getProperties();
    assert.equal(props.metadata?.sha256, createHash('sha256').update(Buffer.alloc(3000, 1)).digest('hex'), 'the stored bytes are untouched');
  });

  it('with a SAS that may create and write but not read (the legacy `cw` device credential), a 409 never counts as uploaded: another blob under the name keeps the local file and is reported (docs/security.md)', async () => {
    await container.createIfNotExists();
    const sas = generateBlobSASQueryParameters(
      { containerName: 'recordings', permissions: ContainerSASPermissions.parse('cw'), expiresOn: new Date(Date.now() + 3600_000), version: '2025-11-05' },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
    const writeOnly = new ContainerClient(`${azurite.blobEndpoint}/recordings?${sas}`);
    const uploaded: UploadedSegment[] = [];
    const conflicts: string[] = [];
    const up = uploader({ container: writeOnly, logger: createLogger('silent'), onUploaded: async (s) => void uploaded.push(s), onConflict: (_s, m) => void conflicts.push(m) });
    const seg = segment('cam-3', T0, Buffer.alloc(500, 7));
    up.enqueue(seg);
    assert.equal(await up.idle(10_000), true);
    assert.equal(uploaded.length, 1, 'a new name is created');
    await assert.rejects(writeOnly.getBlockBlobClient(segmentBlobName('cam-3', T0)).getProperties(), (e: { statusCode?: number }) => e.statusCode === 403);
    // Someone else's bytes under the name of our next segment: the credential cannot read them to compare.
    const theirs = Buffer.from('a different blob holding the name');
    await container.getBlockBlobClient(segmentBlobName('cam-3', T0 + 4000)).uploadData(theirs);
    const ours = segment('cam-3', T0 + 4000, Buffer.alloc(600, 8));
    up.enqueue(ours);
    assert.equal(await up.idle(10_000), true);
    assert.equal(uploaded.length, 1, 'not counted as uploaded, so the agent never deletes the file (journal done, cache remove)');
    assert.equal(conflicts.length, 1, 'reported once (the agent makes it a storage-error diagnostics event)');
    assert.match(conflicts[0], /cannot read it to compare size and SHA-256/);
    assert.ok(existsSync(ours.path), 'the local file is kept');
    assert.deepEqual(await container.getBlockBlobClient(segmentBlobName('cam-3', T0 + 4000)).downloadToBuffer(), theirs, 'their blob is not overwritten');
  });

  it('stores each segment with its own bytes while two workers reuse their read buffers across bursts of larger and smaller segments', async () => {
    const uploaded: UploadedSegment[] = [];
    const up = uploader({ container, logger: createLogger('silent'), concurrency: 2, onUploaded: async (s) => void uploaded.push(s) });
    // Sizes that shrink after growing and grow again, so a read that reuses a larger buffer must return its own length.
    const sizes = [300_000, 1_000, 250_000, 40_000, 700_000, 7, 699_999, 64_000];
    const files = new Map<number, Buffer>();
    for (let burst = 0; burst < 2; burst++) {
      for (const [i, size] of sizes.entries()) {
        const startMs = T0 + 3_600_000 + (burst * sizes.length + i) * 4000;
        const bytes = randomBytes(size);
        files.set(startMs, bytes);
        up.enqueue(segment('cam-reuse', startMs, bytes));
      }
      assert.equal(await up.idle(20_000), true, `burst ${burst} uploaded`); // the workers end; the next burst's reuse their buffers
    }
    assert.equal(uploaded.length, files.size);
    for (const [startMs, bytes] of files) {
      const blob = container.getBlockBlobClient(segmentBlobName('cam-reuse', startMs));
      assert.deepEqual(await blob.downloadToBuffer(), bytes, `blob of ${startMs} holds its own file's bytes`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      assert.equal((await blob.getProperties()).metadata?.sha256, sha256);
      assert.equal(uploaded.find((s) => s.startMs === startMs)?.sha256, sha256);
    }
  });

  it('abandons a segment whose file is gone (evicted while uploading) instead of retrying it forever', async () => {
    const uploaded: UploadedSegment[] = [];
    const up = uploader({ container, logger: createLogger('silent'), retryDelayMs: 50, onUploaded: async (s) => void uploaded.push(s) });
    up.enqueue({ cameraId: 'cam-4', path: path.join(dir, 'evicted.ts'), startMs: T0, durationMs: 4000, bytes: 10 });
    up.enqueue(segment('cam-4', T0 + 4000, Buffer.alloc(10, 5)));
    assert.equal(await up.idle(5000), true);
    assert.deepEqual(uploaded.map((s) => s.startMs), [T0 + 4000]);
  });
});
