import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { ValidationError } from '../../../../../shared/errors';
import { ServiceSasSigner } from '../../../../../functions/adapters/blob/service-sas-signer';
import { storageClients } from '../../../../../functions/adapters/storage/storage-clients';
import { entraCredential } from '../../../../../functions/adapters/identity/entra-credential';
import { UserDelegationSasSigner } from '../../../../../functions/adapters/blob/user-delegation-sas-signer';
import { createDeps } from '../../../../../functions/deps';
import { parseSettings, type StorageSettings } from '../../../../../functions/settings';

const KEY = 'a2V5';
const CS = `DefaultEndpointsProtocol=https;AccountName=kwstore01;AccountKey=${KEY};EndpointSuffix=core.windows.net`;
const IDENTITY: Extract<StorageSettings, { kind: 'identity' }> = {
  kind: 'identity',
  blobServiceUri: 'https://kwstore01.blob.core.windows.net',
  tableServiceUri: 'https://kwstore01.table.core.windows.net',
  accountName: 'kwstore01',
  credential: 'managedidentity',
  clientId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
};

// Building clients and credentials does no I/O: tokens are asked for on the first request.
describe('storage clients and credential', () => {
  it('identity settings: token auth at the configured endpoints, no account key anywhere', () => {
    const clients = storageClients(IDENTITY);
    assert.equal(clients.auth.kind, 'token');
    assert.equal(clients.accountName, 'kwstore01');
    assert.equal(clients.blobEndpoint, 'https://kwstore01.blob.core.windows.net');
    assert.equal(clients.blobService.accountName, 'kwstore01');
    assert.ok(clients.blobService.url.startsWith('https://kwstore01.blob.core.windows.net'));
    const table = clients.tableClient('kwSegments');
    assert.equal(table.tableName, 'kwSegments');
    assert.ok(table.url.startsWith('https://kwstore01.table.core.windows.net'));
    assert.ok(!('accountKey' in clients.auth));
  });

  it('a connection string: key auth, or no SAS signing for a SAS connection string', () => {
    assert.deepEqual(storageClients({ kind: 'connection-string', connectionString: CS }).auth, { kind: 'key', accountKey: KEY });
    const sasOnly = 'BlobEndpoint=https://kwstore01.blob.core.windows.net;TableEndpoint=https://kwstore01.table.core.windows.net;AccountName=kwstore01;SharedAccessSignature=sv=2025-11-05&sig=x';
    assert.deepEqual(storageClients({ kind: 'connection-string', connectionString: sasOnly }).auth, { kind: 'sas' });
  });

  it('the credential follows the Functions host convention: managed identity (user- or system-assigned) or DefaultAzureCredential', () => {
    assert.ok(entraCredential(IDENTITY) instanceof ManagedIdentityCredential);
    const { clientId: _c, ...systemAssigned } = IDENTITY;
    assert.ok(entraCredential(systemAssigned) instanceof ManagedIdentityCredential);
    assert.ok(entraCredential({ ...systemAssigned, credential: 'default' }) instanceof DefaultAzureCredential);
  });

  it('deps sign playback with a service SAS given a key, a user-delegation SAS given an identity, and refuse a keyless connection string', () => {
    const secret = { KEEPWATCH_PLAYBACK_TOKEN_SECRET: 's'.repeat(32) };
    assert.ok(createDeps(parseSettings({ ...secret, KEEPWATCH_STORAGE_CONNECTION_STRING: CS })).sasSigner instanceof ServiceSasSigner);
    const identity = parseSettings({
      ...secret,
      KEEPWATCH_STORAGE__blobServiceUri: IDENTITY.blobServiceUri,
      KEEPWATCH_STORAGE__tableServiceUri: IDENTITY.tableServiceUri,
      KEEPWATCH_STORAGE__credential: 'managedidentity',
      KEEPWATCH_STORAGE__clientId: IDENTITY.clientId,
    });
    assert.ok(createDeps(identity).sasSigner instanceof UserDelegationSasSigner);
    const keyless = parseSettings({ ...secret, KEEPWATCH_STORAGE_CONNECTION_STRING: 'BlobEndpoint=https://kwstore01.blob.core.windows.net;TableEndpoint=https://kwstore01.table.core.windows.net;AccountName=kwstore01;SharedAccessSignature=sv=x' });
    assert.throws(() => createDeps(keyless), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidSetting' && /no AccountKey.*KEEPWATCH_STORAGE__\*/.test(e.message));
  });
});
