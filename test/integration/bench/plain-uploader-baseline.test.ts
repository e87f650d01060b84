import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { plainUploadTarget, startPlainBaselineCamera, type PlainUpload } from '../../../bench/plain-uploader-baseline';
import { segmentBlobName, SEGMENT_CONTENT_TYPE } from '../../../shared/contracts/blob-naming';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';

// The recording benchmark's baseline must store what the agent stores, where the agent stores it, as the agent does
// (create-only): otherwise agent / baseline compares unlike work (docs/benchmarks.md "Recording overhead").
describe('plain uploader of the recording baseline (bench/plain-uploader.sh) against Azurite', () => {
  let azurite: AzuriteInstance;
  let container: ContainerClient;
  let dir: string;
  before(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    await container.create();
    dir = mkdtempSync(path.join(os.tmpdir(), 'kw-plain-uploader-'));
  });
  after(async () => {
    await azurite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Feeds segment-list lines to the uploader alone (no recording command) and collects its status lines. */
  async function upload(lines: string[], sessionStartMs: number): Promise<PlainUpload[]> {
    const reports: PlainUpload[] = [];
    const target = plainUploadTarget(azurite.blobEndpoint, azurite.accountName, azurite.accountKey, 'recordings');
    const camera = startPlainBaselineCamera({ cameraId: 'cam-7', dir, target, command: [], sessionStartMs, onUpload: (u) => reports.push(u) });
    camera.child.stdin!.write(lines.map((l) => `${l}\n`).join(''));
    await camera.stop(20_000);
    assert.equal(camera.child.exitCode, 0, camera.tail.join('\n'));
    return reports;
  }

  it("PUTs each listed segment under the agent's blob name, bytes, content type and metadata", async () => {
    const t0 = Date.UTC(2026, 10, 21, 9, 59, 55, 250);
    const bytes = [Buffer.alloc(1500, 1), Buffer.alloc(2500, 2)];
    writeFileSync(path.join(dir, 'baseline-000000.ts'), bytes[0]);
    writeFileSync(path.join(dir, 'baseline-000001.ts'), bytes[1]);
    const reports = await upload(['baseline-000000.ts,-0.040000,4.760000', 'baseline-000001.ts,4.760000,14.761000'], t0);

    // Segment 1 starts 4.76 s after t0 and crosses into the next UTC hour: its name is in hour 10.
    const names = [segmentBlobName('cam-7', t0 - 40), segmentBlobName('cam-7', t0 + 4760)];
    assert.deepEqual(names, ['cam-7/2026/11/21/09/2026-11-21T09:59:55.210Z.ts', 'cam-7/2026/11/21/10/2026-11-21T10:00:00.010Z.ts']);
    assert.deepEqual(reports.map((r) => [r.status, r.blobName]), names.map((n) => [201, n]));
    for (const [i, name] of names.entries()) {
      const blob = container.getBlockBlobClient(name);
      assert.deepEqual(await blob.downloadToBuffer(), bytes[i]);
      const props = await blob.getProperties();
      assert.equal(props.contentType, SEGMENT_CONTENT_TYPE);
      assert.deepEqual(props.metadata, { cameraid: 'cam-7', startms: String(i === 0 ? t0 - 40 : t0 + 4760), durationms: String(i === 0 ? 4800 : 10001) });
    }
  });

  it('never overwrites: a second PUT of the same segment is refused (If-None-Match: *) and the blob keeps its bytes', async () => {
    const t0 = Date.UTC(2026, 10, 22, 0, 0, 0, 0);
    writeFileSync(path.join(dir, 'again-000000.ts'), Buffer.alloc(100, 3));
    assert.deepEqual((await upload(['again-000000.ts,0.000000,10.000000'], t0)).map((r) => r.status), [201]);
    writeFileSync(path.join(dir, 'again-000000.ts'), Buffer.alloc(200, 4));
    assert.deepEqual((await upload(['again-000000.ts,0.000000,10.000000'], t0)).map((r) => r.status), [409]);
    assert.deepEqual(await container.getBlockBlobClient(segmentBlobName('cam-7', t0)).downloadToBuffer(), Buffer.alloc(100, 3));
  });
});
