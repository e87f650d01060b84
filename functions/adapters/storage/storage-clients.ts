import type { Agent } from 'node:https';
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { StorageSettings } from '../../settings';
import { parseStorageConnectionString } from './connection-string';
import { entraCredential } from '../identity/entra-credential';
import { rethrowStorageError, storageStatus } from './storage-errors';

/** How the clients authenticate: the account key (service SAS possible) or an Entra ID token (user-delegation SAS). */
export type StorageAuth = { kind: 'key'; /** secret: never logged */ accountKey: string } | { kind: 'token'; credential: TokenCredential } | { kind: 'sas' };

/** SDK clients for one storage account. */
export interface StorageClients {
  accountName: string;
  /** Blob service endpoint without trailing slash. */
  blobEndpoint: string;
  /** `sas`: a connection string with a SAS token and no key (no SAS can be signed from it). */
  auth: StorageAuth;
  blobService: BlobServiceClient;
  /** A client for table `name`; plain http endpoints (Azurite) are allowed explicitly. */
  tableClient(name: string): TableClient;
}

/**
 * Transport options for every client, beyond the settings. In Azure none are needed; the tests use them to reach an
 * emulator over https with a self-signed certificate (an agent with `ca`) and to see every request (an agent that
 * records them).
 */
export interface StorageClientOptions {
  /** The identity's credential; default {@link entraCredential} of the settings. Ignored with a connection string. */
  credential?: TokenCredential;
  /** The https agent of every request (https endpoints only); default the SDKs' own keep-alive agents. */
  agent?: Agent;
}

/**
 * Builds the SDK clients from the storage settings: a connection string (shared key), or the identity-based
 * `blobServiceUri` / `tableServiceUri` with a token credential (no account key anywhere). `TableClient` refuses
 * shared-key auth over http unless `allowInsecureConnection` is set (checked against Azurite 3.35), which Azurite needs; it
 * is set only for http endpoints.
 * @throws ValidationError `InvalidSetting` for a malformed connection string
 */
export function storageClients(storage: StorageSettings, options: StorageClientOptions = {}): StorageClients {
  // core-rest-pipeline's createPipelineFromOptions puts `agent` on every request (agentPolicy). storage-blob passes its
  // pipeline options through to it (Pipeline.js getCoreClientOptions) without declaring `agent`, hence the cast.
  const pipeline = options.agent ? { agent: options.agent } : {};
  if (storage.kind === 'identity') {
    const credential = options.credential ?? entraCredential(storage);
    return {
      accountName: storage.accountName,
      blobEndpoint: storage.blobServiceUri,
      auth: { kind: 'token', credential },
      blobService: new BlobServiceClient(storage.blobServiceUri, credential, pipeline as StoragePipelineOptions),
      tableClient: (name) => new TableClient(storage.tableServiceUri, name, credential, pipeline),
    };
  }
  const { connectionString } = storage;
  const connection = parseStorageConnectionString(connectionString);
  const allowInsecureConnection = connection.tableEndpoint.startsWith('http:');
  return {
    accountName: connection.accountName,
    blobEndpoint: connection.blobEndpoint,
    auth: connection.accountKey ? { kind: 'key', accountKey: connection.accountKey } : { kind: 'sas' },
    blobService: BlobServiceClient.fromConnectionString(connectionString, pipeline as StoragePipelineOptions),
    tableClient: (name) => TableClient.fromConnectionString(connectionString, name, { ...pipeline, allowInsecureConnection }),
  };
}

const ensured = new Map<string, Promise<void>>();

/**
 * Creates a table if it does not exist, once per process and URL (a failure is forgotten so the next call retries).
 * @throws TransientError when storage is unreachable
 */
export function ensureTable(client: TableClient): Promise<void> {
  // TableClient.url is the account's table endpoint, not the table's: key by both.
  return once(`${client.url}#${client.tableName}`, async () => {
    try {
      await client.createTable(); // the SDK treats 409 TableAlreadyExists as success
    } catch (err) {
      if (storageStatus(err) !== 409) rethrowStorageError(err, `create table ${client.tableName}`);
    }
  });
}

/**
 * Creates a blob container if it does not exist, once per process and URL.
 * @throws TransientError when storage is unreachable
 */
export function ensureContainer(client: ContainerClient): Promise<void> {
  return once(client.url, async () => {
    try {
      await client.createIfNotExists();
    } catch (err) {
      rethrowStorageError(err, `create container ${client.containerName}`);
    }
  });
}

function once(key: string, create: () => Promise<void>): Promise<void> {
  let p = ensured.get(key);
  if (!p) {
    p = create().catch((err: unknown) => {
      ensured.delete(key);
      throw err;
    });
    ensured.set(key, p);
  }
  return p;
}
