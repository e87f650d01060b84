import type { ContainerClient } from '@azure/storage-blob';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** One blob of a camera's archive as a listing shows it: name, size, creation time and metadata. */
export interface ArchiveBlob {
  name: string;
  /** Content length, bytes. */
  bytes: number;
  /** When storage created it, epoch ms UTC; undefined when storage did not say. */
  createdOnMs?: number;
  /** The blob's metadata (the uploader's `cameraid`, `startms`, `durationms`, `sha256` on segments). */
  metadata: Record<string, string>;
}

/**
 * Lists the blobs of a camera's archive in the recordings container, with their metadata (`List Blobs`, 5 000 a page):
 * what the index rebuild reads when the tables are gone.
 */
export class BlobArchiveListing {
  constructor(private readonly container: ContainerClient) {}

  /**
   * Every blob whose name starts with `prefix` (a camera's `{cameraId}/`, or one day's `{cameraId}/{yyyy}/{MM}/{dd}/`), in name order.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async *list(prefix: string): AsyncIterable<ArchiveBlob> {
    try {
      for await (const b of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
        const blob: ArchiveBlob = { name: b.name, bytes: b.properties.contentLength ?? 0, metadata: b.metadata ?? {} };
        if (b.properties.createdOn) blob.createdOnMs = b.properties.createdOn.getTime();
        yield blob;
      }
    } catch (err) {
      if (storageStatus(err) === 404) return; // no container: nothing stored
      rethrowStorageError(err, `list blobs under ${prefix}`);
    }
  }
}
