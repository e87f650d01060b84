import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../../local/azurite';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('local/azurite.ts', () => {
  it('in memory on free ports: blob and table work with the returned connection string; stop ends the process', async () => {
    const az = await startAzurite();
    try {
      assert.notEqual(az.blobPort, az.tablePort);
      assert.match(az.connectionString, new RegExp(`BlobEndpoint=http://127\\.0\\.0\\.1:${az.blobPort}/devstoreaccount1;`));
      const container = BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient('probe');
      await container.create();
      await container.getBlockBlobClient('a.txt').uploadData(Buffer.from('hello'));
      assert.equal((await container.getBlockBlobClient('a.txt').downloadToBuffer()).toString(), 'hello');
      const table = TableClient.fromConnectionString(az.connectionString, 'probe', { allowInsecureConnection: true });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', v: 1 });
    } finally {
      await az.stop();
    }
    const exit = await az.exited;
    assert.ok(exit.code !== null || exit.signal !== null);
    await az.stop(); // idempotent
  });

  it('with a location and given ports: data survives a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kw-azurite-'));
    try {
      const ports = { blobPort: await freePort(), tablePort: await freePort() };
      const first = await startAzurite({ location: dir, ...ports });
      assert.deepEqual([first.blobPort, first.tablePort], [ports.blobPort, ports.tablePort]);
      const table = TableClient.fromConnectionString(first.connectionString, 'persisted', { allowInsecureConnection: true });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', v: 'kept' });
      await first.stop();
      const second = await startAzurite({ location: dir, ...ports });
      try {
        const again = TableClient.fromConnectionString(second.connectionString, 'persisted', { allowInsecureConnection: true });
        assert.equal((await again.getEntity<{ v: string }>('p', 'r')).v, 'kept');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a clear error carrying Azurite output when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startAzurite({ blobPort: taken, startTimeoutMs: 15_000 }), (e: unknown) => {
        const m = (e as Error).message;
        return /Azurite did not start/.test(m) && /Azurite output/.test(m) && m.includes(String(taken));
      });
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
