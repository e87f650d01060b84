import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { startCountingStorageProxy, type CountingStorageProxy } from '../../../bench/counting-storage-proxy';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';

// The cost count (docs/deploy.md) depends on the proxy seeing and classifying the SDK's real requests.
describe('counting storage proxy in front of Azurite (bench/counting-storage-proxy.ts)', () => {
  let azurite: AzuriteInstance;
  let proxy: CountingStorageProxy;
  before(async () => {
    azurite = await startAzurite();
    proxy = await startCountingStorageProxy(azurite);
  });
  after(async () => {
    await proxy?.close();
    await azurite?.stop();
  });

  const count = (operation: string) => proxy.snapshot().operations.find((o) => o.operation === operation);

  it('passes the SDK requests through and counts each by operation, class and body bytes', async () => {
    proxy.reset();
    const container = BlobServiceClient.fromConnectionString(proxy.connectionString).getContainerClient('recordings');
    await container.create();
    const body = Buffer.alloc(1000, 7);
    await container.getBlockBlobClient('cam-1/2026/11/22/00/2026-11-22T00:00:00.000Z.ts').uploadData(body);
    const names: string[] = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    const downloaded = await container.getBlockBlobClient(names[0]).downloadToBuffer();
    await container.getBlockBlobClient(names[0]).delete();

    assert.deepEqual(names, ['cam-1/2026/11/22/00/2026-11-22T00:00:00.000Z.ts']);
    assert.deepEqual(downloaded, body, 'bytes pass through unchanged (Shared Key signatures hold through the proxy)');
    assert.deepEqual(
      ['CreateContainer', 'PutBlob', 'ListBlobs', 'GetBlob', 'DeleteBlob'].map((op) => [op, count(op)?.billingClass, count(op)?.requests]),
      [
        ['CreateContainer', 'list', 1],
        ['PutBlob', 'write', 1],
        ['ListBlobs', 'list', 1],
        ['GetBlob', 'read', 1],
        ['DeleteBlob', 'delete', 1],
      ],
    );
    assert.equal(count('PutBlob')?.requestBytes, 1000);
  });

  it('counts an entity group transaction once, with its sub-requests, and entity bytes per table', async () => {
    proxy.reset();
    const table = TableClient.fromConnectionString(proxy.connectionString, 'kwSegments', { allowInsecureConnection: true });
    await table.createTable();
    await table.submitTransaction([
      ['upsert', { partitionKey: 'cam-1', rowKey: '1', bytes: 10 }],
      ['upsert', { partitionKey: 'cam-1', rowKey: '2', bytes: 20 }],
    ]);
    await table.upsertEntity({ partitionKey: 'cam-1', rowKey: '3', bytes: 30 }, 'Replace');
    const rows: unknown[] = [];
    for await (const r of table.listEntities({ queryOptions: { filter: "PartitionKey eq 'cam-1'" } })) rows.push(r);

    assert.equal(rows.length, 3);
    const batch = count('EntityGroupTransaction');
    assert.deepEqual([batch?.billingClass, batch?.requests, batch?.subRequests], ['transaction', 1, 2]);
    assert.deepEqual([count('CreateTable')?.requests, count('InsertOrReplaceEntity')?.requests, count('QueryEntities')?.requests], [1, 1, 1]);
    const bytes = proxy.snapshot().entityBytesByTable;
    assert.ok(bytes.kwSegments > 0 && bytes.$batch > bytes.kwSegments, JSON.stringify(bytes));
  });
});
