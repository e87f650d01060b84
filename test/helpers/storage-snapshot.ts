import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';

/**
 * Everything stored in an Azurite account as comparable text: every table with every row's keys and ETag, every
 * container with every blob's name and ETag. Two equal snapshots mean nothing was created, changed or deleted.
 */
export async function storageSnapshot(connectionString: string): Promise<string[]> {
  const lines: string[] = [];
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const t of tables.listTables()) {
    lines.push(`table ${t.name}`);
    const client = TableClient.fromConnectionString(connectionString, t.name!, { allowInsecureConnection: true });
    for await (const e of client.listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) lines.push(`row ${t.name} ${e.partitionKey}/${e.rowKey} ${e.etag}`);
  }
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  for await (const c of blobs.listContainers()) {
    lines.push(`container ${c.name}`);
    for await (const b of blobs.getContainerClient(c.name).listBlobsFlat()) lines.push(`blob ${c.name}/${b.name} ${b.properties.etag}`);
  }
  return lines.sort();
}
