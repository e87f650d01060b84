import { TableClient } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { parseStorageConnectionString, type StorageConnection } from './connection-string';
import { rethrowStorageError, storageStatus } from './storage-errors';

/** SDK clients for one storage account. */
export interface StorageClients {
  connection: StorageConnection;
  blobService: BlobServiceClient;
  /** A client for table `name`; plain http endpoints (Azurite) are allowed explicitly. */
  tableClient(name: string): TableClient;
}

/**
 * Builds the SDK clients from a connection string. `TableClient` refuses shared-key auth over http unless
 * `allowInsecureConnection` is set (azure-stack-notes.md §4), which Azurite needs; it is set only for http endpoints.
 * @throws ValidationError `InvalidSetting` for a malformed connection string
 */
export function storageClients(connectionString: string): StorageClients {
  const connection = parseStorageConnectionString(connectionString);
  const blobService = BlobServiceClient.fromConnectionString(connectionString);
  const allowInsecureConnection = connection.tableEndpoint.startsWith('http:');
  return {
    connection,
    blobService,
    tableClient: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection }),
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
