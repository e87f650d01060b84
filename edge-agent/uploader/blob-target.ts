import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { UploadTarget } from '../../shared/schemas/agent-config';

/**
 * The container the agent uploads into, from the config's `upload` section: a connection string
 * (locally, Azurite) or a blob service URL with an optional SAS token. The agent never creates the
 * container: the cloud side owns it (a device may only create its own blobs).
 */
export function containerClientFor(target: UploadTarget): ContainerClient {
  if ('connectionString' in target) {
    return BlobServiceClient.fromConnectionString(target.connectionString).getContainerClient(target.container);
  }
  const base = target.blobServiceUrl.replace(/\/+$/, '');
  const sas = target.sasToken ? `?${target.sasToken.replace(/^\?/, '')}` : '';
  return new ContainerClient(`${base}/${target.container}${sas}`);
}
