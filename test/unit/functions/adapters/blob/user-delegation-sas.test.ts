import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlobSASPermissions, SASProtocol, generateBlobSASQueryParameters, type UserDelegationKey } from '@azure/storage-blob';
import { SAS_VERSION } from '../../../../../functions/adapters/blob/service-sas-signer';
import { signUserDelegationSas } from '../../../../../functions/adapters/blob/user-delegation-sas';

const EXPIRES = Date.UTC(2026, 10, 21, 11, 0, 0, 250);
// The shape Get User Delegation Key returns (learn.microsoft.com/rest/api/storageservices/get-user-delegation-key).
const KEY: UserDelegationKey = {
  signedObjectId: '6f1c2a3b-0000-4000-8000-000000000001',
  signedTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  signedStartsOn: new Date(Date.UTC(2026, 10, 21, 9, 55, 0)),
  signedExpiresOn: new Date(Date.UTC(2026, 10, 21, 21, 0, 0)),
  signedService: 'b',
  signedVersion: '2025-11-05',
  value: Buffer.from('user-delegation-key-bytes-0123456789abcdef').toString('base64'),
};

function sdkQuery(key: UserDelegationKey, blobName: string, permissions: 'r' | 'c', container = 'recordings'): Record<string, string> {
  const query = generateBlobSASQueryParameters(
    {
      containerName: container,
      blobName,
      permissions: BlobSASPermissions.parse(permissions),
      protocol: SASProtocol.Https,
      expiresOn: new Date(Math.ceil(EXPIRES / 1000) * 1000),
      version: SAS_VERSION,
    },
    key,
    'acct',
  ).toString();
  return Object.fromEntries(new URLSearchParams(query));
}

describe('signUserDelegationSas', () => {
  const names = ['cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts', 'cam-2/2026/01/01/00/2026-01-01T00:00:09.999Z.mp4', 'odd name/ü+x.ts'];
  const request = { key: KEY, accountName: 'acct', blobEndpoint: 'https://acct.blob.core.windows.net', container: 'recordings', expiresOnMs: EXPIRES };

  for (const permissions of ['r', 'c'] as const) {
    it(`signs exactly what the storage SDK signs with a user delegation key (sp=${permissions})`, () => {
      const urls = signUserDelegationSas({ ...request, permissions }, names);
      assert.equal(urls.length, names.length);
      for (const [i, name] of names.entries()) {
        const url = new URL(urls[i]);
        assert.equal(`${url.origin}${decodeURIComponent(url.pathname)}`, `https://acct.blob.core.windows.net/recordings/${name}`);
        assert.deepEqual(Object.fromEntries(url.searchParams), sdkQuery(KEY, name, permissions));
      }
    });
  }

  it('grants one permission on one blob over https, with sv pinned and the expiry rounded up to the second', () => {
    const [url] = signUserDelegationSas({ ...request, permissions: 'c' }, ['cam1/a.ts']);
    const q = new URL(url).searchParams;
    assert.equal(q.get('sp'), 'c');
    assert.equal(q.get('sr'), 'b');
    assert.equal(q.get('spr'), 'https');
    assert.equal(q.get('sv'), '2025-11-05');
    assert.equal(q.get('se'), '2026-11-21T11:00:01Z');
    assert.equal(q.get('skt'), '2026-11-21T09:55:00Z');
    assert.equal(q.get('ske'), '2026-11-21T21:00:00Z');
    assert.deepEqual(signUserDelegationSas({ ...request, permissions: 'r' }, []), []);
  });

  it('includes a delegated user tenant (skdutid) the way the SDK does', () => {
    const key = { ...KEY, signedDelegatedUserTenantId: '11111111-2222-4333-8444-555555555555' };
    const [url] = signUserDelegationSas({ ...request, key, permissions: 'r' }, [names[0]]);
    assert.deepEqual(Object.fromEntries(new URL(url).searchParams), sdkQuery(key, names[0], 'r'));
  });

  it('uses a path-style emulator endpoint as given (Azurite over https)', () => {
    const [url] = signUserDelegationSas({ ...request, blobEndpoint: 'https://127.0.0.1:10000/acct', container: 'site-a', permissions: 'r' }, ['cam1/x.ts']);
    assert.ok(url.startsWith('https://127.0.0.1:10000/acct/site-a/cam1/x.ts?'), url);
    assert.deepEqual(Object.fromEntries(new URL(url).searchParams), sdkQuery(KEY, 'cam1/x.ts', 'r', 'site-a'));
  });
});
