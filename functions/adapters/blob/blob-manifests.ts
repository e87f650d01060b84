import type { ContainerClient } from '@azure/storage-blob';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/**
 * Asset manifests in the recordings container (docs/contracts.md "Asset manifests"): create-only writes, whole reads,
 * and listings of an hour folder's manifest names. Deletes go through BlobBatchDeleter like segments.
 */
export class BlobManifests {
  constructor(private readonly container: ContainerClient) {}

  /**
   * Creates a manifest blob `If-None-Match: *` with its content type: a manifest name is written once, never
   * overwritten.
   * @returns `created`, or `exists` when a blob of that name is already stored (left as it is)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async create(blobName: string, body: string, contentType: string): Promise<'created' | 'exists'> {
    try {
      await this.container.getBlockBlobClient(blobName).upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: contentType, blobCacheControl: 'private, max-age=31536000, immutable' },
        conditions: { ifNoneMatch: '*' },
      });
      return 'created';
    } catch (err) {
      const status = storageStatus(err);
      if (status === 409 || status === 412) return 'exists';
      rethrowStorageError(err, `create manifest blob ${blobName}`);
    }
  }

  /**
   * A manifest blob's text (UTF-8), or `undefined` when it does not exist (e.g. replaced by a newer version since its
   * row was read).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async read(blobName: string): Promise<string | undefined> {
    try {
      return (await this.container.getBlobClient(blobName).downloadToBuffer()).toString('utf8');
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read manifest blob ${blobName}`);
    }
  }

  /**
   * Names of the blobs starting with `prefix` (e.g. an hour folder + `manifest-v`), sorted.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const b of this.container.listBlobsFlat({ prefix })) names.push(b.name);
    } catch (err) {
      if (storageStatus(err) === 404) return names; // no container yet
      rethrowStorageError(err, `list blobs under ${prefix}`);
    }
    return names.sort();
  }
}
