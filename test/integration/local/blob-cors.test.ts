import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { applyViewerCors } from '../../../local/blob-cors';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';

const VIEWER = 'http://viewer.localhost:5173';
const OTHER = 'https://evil.example.com';

describe('viewer CORS on the Blob service (Azurite)', () => {
  let azurite: AzuriteInstance;
  let blobUrl: string;

  before(async () => {
    azurite = await startAzurite();
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const container = service.getContainerClient('recordings');
    await container.create();
    const blob = container.getBlockBlobClient('cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts');
    await blob.uploadData(Buffer.from('segment'), { blobHTTPHeaders: { blobContentType: 'video/mp2t' } });
    blobUrl = blob.url;
  });

  after(async () => {
    await azurite?.stop();
  });

  const preflight = (origin: string, method = 'GET', headers = 'range') =>
    fetch(blobUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

  it('refuses a preflight before any rule is set', async () => {
    assert.equal((await preflight(VIEWER)).status, 403);
  });

  it('answers a preflight from a viewer origin, and only for read methods from that origin', async () => {
    await applyViewerCors(azurite.connectionString, [VIEWER, 'http://127.0.0.1:8080']);
    const ok = await preflight(VIEWER);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), VIEWER);
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /GET/);
    assert.match((ok.headers.get('access-control-allow-headers') ?? '').toLowerCase(), /range/);
    assert.equal(ok.headers.get('access-control-max-age'), '3600');
    assert.equal((await preflight(OTHER)).status, 403, 'another origin');
    assert.equal((await preflight(VIEWER, 'PUT')).status, 403, 'a write method');
  });

  it('a cross-origin GET carries the allow-origin and exposed headers', async () => {
    const res = await fetch(blobUrl, { headers: { origin: VIEWER } });
    // Anonymous read is refused (private container) but the CORS headers still tell the browser it may see the answer.
    assert.equal(res.headers.get('access-control-allow-origin'), VIEWER);
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /content-length/);
  });

  it('no origins removes the rule', async () => {
    await applyViewerCors(azurite.connectionString, []);
    assert.equal((await preflight(VIEWER)).status, 403);
  });
});
