import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlobSASPermissions, SASProtocol, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { SAS_VERSION, ServiceSasSigner } from '../../../../../functions/adapters/blob/service-sas-signer';

const KEY = Buffer.from('not-a-real-key-but-base64-anyway-0123456789').toString('base64');
const EXPIRES = Date.UTC(2026, 10, 21, 11, 0, 0, 250);

function sdkQuery(blobName: string, protocol: SASProtocol, container = 'recordings', permissions = 'r'): string {
  return generateBlobSASQueryParameters(
    {
      containerName: container,
      blobName,
      permissions: BlobSASPermissions.parse(permissions),
      protocol,
      expiresOn: new Date(Math.ceil(EXPIRES / 1000) * 1000),
      version: SAS_VERSION,
    },
    new StorageSharedKeyCredential('acct', KEY),
  ).toString();
}

// What the port promises of every URL (sp, sr, se rounded up, order, what Azurite then permits and refuses): the SasSigner
// contract, test/integration/functions/adapters/blob/service-sas-signer.contract.test.ts. Here: the signature itself.
describe('ServiceSasSigner', () => {
  it('signs exactly what the storage SDK signs (http+https endpoint)', async () => {
    const signer = new ServiceSasSigner({ accountName: 'acct', accountKey: KEY, blobEndpoint: 'http://127.0.0.1:10000/acct', container: 'recordings' });
    const names = ['cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts', 'cam-2/2026/01/01/00/2026-01-01T00:00:09.999Z.ts'];
    const urls = await signer.blobReadUrls(names, EXPIRES);
    for (const [i, name] of names.entries()) {
      const url = new URL(urls[i]);
      assert.equal(decodeURIComponent(url.pathname), `/acct/recordings/${name}`);
      assert.deepEqual(Object.fromEntries(url.searchParams), Object.fromEntries(new URLSearchParams(sdkQuery(name, SASProtocol.HttpsAndHttp))));
    }
  });

  it('restricts to https for an https endpoint, matching the SDK', async () => {
    const signer = new ServiceSasSigner({ accountName: 'acct', accountKey: KEY, blobEndpoint: 'https://acct.blob.core.windows.net', container: 'site-a' });
    const [url] = await signer.blobReadUrls(['cam1/x.ts'], EXPIRES);
    const q = new URL(url).searchParams;
    assert.equal(q.get('spr'), 'https');
    assert.deepEqual(Object.fromEntries(q), Object.fromEntries(new URLSearchParams(sdkQuery('cam1/x.ts', SASProtocol.Https, 'site-a'))));
    assert.ok(url.startsWith('https://acct.blob.core.windows.net/site-a/cam1/x.ts?'));
  });

  it('blobReadUrl is blobReadUrls of one name', async () => {
    const signer = new ServiceSasSigner({ accountName: 'acct', accountKey: KEY, blobEndpoint: 'http://h/acct', container: 'recordings' });
    const [url] = await signer.blobReadUrls(['cam1/a.ts'], EXPIRES);
    assert.equal(await signer.blobReadUrl('cam1/a.ts', EXPIRES), url);
  });

  it('signs create-only URLs exactly as the SDK signs sp=c, one blob each', async () => {
    const signer = new ServiceSasSigner({ accountName: 'acct', accountKey: KEY, blobEndpoint: 'http://127.0.0.1:10000/acct', container: 'recordings' });
    const names = ['cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts', 'cam-2/2026/01/01/00/2026-01-01T00:00:09.999Z.ts'];
    const urls = await signer.blobCreateUrls(names, EXPIRES);
    for (const [i, name] of names.entries()) {
      const url = new URL(urls[i]);
      assert.equal(decodeURIComponent(url.pathname), `/acct/recordings/${name}`);
      assert.deepEqual(Object.fromEntries(url.searchParams), Object.fromEntries(new URLSearchParams(sdkQuery(name, SASProtocol.HttpsAndHttp, 'recordings', 'c'))));
    }
    const [read] = await signer.blobReadUrls([names[0]], EXPIRES);
    assert.notEqual(new URL(read).searchParams.get('sig'), new URL(urls[0]).searchParams.get('sig'));
  });
});
