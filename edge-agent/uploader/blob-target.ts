import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { UploadTarget } from '../../shared/schemas/agent-config';
import { UploadUrlCache } from './upload-url-cache';
import { UploadUrlsClient } from './upload-urls-client';

/** Where the uploader puts segments: a container it holds a credential for, or per-blob URLs from the cloud. */
export type UploadDestination = { container: ContainerClient } | { uploadUrls: UploadUrlCache };

/**
 * The container the agent uploads into, from the config's `upload` section: a connection string
 * (locally, Azurite) or a blob service URL with an optional SAS token. The agent never creates the
 * container: the cloud side owns it (a device may only create its own blobs).
 * @throws Error for the `apiUrl` variant, which has no container credential (use {@link uploadDestinationFor})
 */
export function containerClientFor(target: UploadTarget): ContainerClient {
  if ('connectionString' in target) {
    return BlobServiceClient.fromConnectionString(target.connectionString).getContainerClient(target.container);
  }
  if ('apiUrl' in target) throw new Error('upload.apiUrl has no container credential: the agent asks the cloud for per-blob URLs');
  const base = target.blobServiceUrl.replace(/\/+$/, '');
  const sas = target.sasToken ? `?${target.sasToken.replace(/^\?/, '')}` : '';
  return new ContainerClient(`${base}/${target.container}${sas}`);
}

/**
 * The uploader's destination for the config's `upload` section: with `apiUrl` + `deviceSecret` (docs/devices.md),
 * create-only URLs fetched just in time from `POST {apiUrl}/devices/{deviceId}/upload-urls`, followed only to the
 * pinned storage (`storageOrigin`, else the first URL's; edge-agent/uploader/upload-url-cache.ts); otherwise {@link
 * containerClientFor}.
 */
export function uploadDestinationFor(target: UploadTarget, deviceId: string): UploadDestination {
  if (!('apiUrl' in target)) return { container: containerClientFor(target) };
  const client = new UploadUrlsClient({ apiUrl: target.apiUrl, deviceId, deviceSecret: target.deviceSecret });
  const pin = target.storageOrigin === undefined ? {} : { storageOrigin: target.storageOrigin };
  return { uploadUrls: new UploadUrlCache({ request: (names) => client.request(names), container: target.container, ...pin }) };
}
