import type { ContainerClient } from '@azure/storage-blob';
import { BACKSTOP_ELIGIBLE, BACKSTOP_TAG } from '../../../shared/backstop-tag';
import { parsePreviewBlobName, PREVIEW_CONTENT_TYPE, previewHourPrefix } from '../../../shared/contracts/preview-blob-naming';
import { HOUR_MS } from '../../../shared/time';
import { BlobBatchDeleter } from './blob-batch-deleter';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** `Cache-Control` stored with a cached preview: it never changes (a recorded instant's frame is fixed). */
export const IMMUTABLE_CACHE_CONTROL = 'private, max-age=31536000, immutable';

/**
 * The cache of decoded preview images in the recordings container (names: shared/contracts/preview-blob-naming.ts;
 * docs/previews.md "Cache"). Each image is created once (`If-None-Match: *`) and tagged
 * `keepwatch-backstop=eligible`, so the storage lifecycle backstop removes any the retention timer missed (a preview
 * written while its segment was being deleted); retention deletes them with their segments ({@link deleteForSegments}).
 */
export class BlobPreviewCache {
  private readonly deleter: BlobBatchDeleter;

  constructor(private readonly container: ContainerClient) {
    this.deleter = new BlobBatchDeleter(container);
  }

  /**
   * The cached image, or `undefined` when none is stored.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async get(blobName: string): Promise<Buffer | undefined> {
    try {
      return await this.container.getBlobClient(blobName).downloadToBuffer();
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read cached preview ${blobName}`);
    }
  }

  /**
   * Stores an image once; a concurrent request that stored the same name first wins (same instant, same frame).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async put(blobName: string, jpeg: Uint8Array): Promise<void> {
    try {
      await this.container.getBlockBlobClient(blobName).uploadData(jpeg, {
        blobHTTPHeaders: { blobContentType: PREVIEW_CONTENT_TYPE, blobCacheControl: IMMUTABLE_CACHE_CONTROL },
        tags: { [BACKSTOP_TAG]: BACKSTOP_ELIGIBLE },
        conditions: { ifNoneMatch: '*' },
      });
    } catch (err) {
      const status = storageStatus(err);
      if (status === 409 || status === 412) return;
      rethrowStorageError(err, `store preview ${blobName}`);
    }
  }

  /**
   * Deletes the cached previews decoded from the given segments of one camera: lists the previews of each UTC hour
   * the segments start in (one listing per hour, {@link previewHourPrefix}) and deletes those whose segment is named
   * (Blob Batch). Idempotent.
   * @param segmentStartsMs starts of the segments, epoch ms UTC
   * @returns previews deleted
   * @throws TransientError when storage fails; a repeat finishes the job
   */
  async deleteForSegments(cameraId: string, segmentStartsMs: readonly number[]): Promise<number> {
    const starts = new Set(segmentStartsMs);
    const hours = [...new Set(segmentStartsMs.map((ms) => Math.floor(ms / HOUR_MS) * HOUR_MS))];
    const doomed: string[] = [];
    for (const hourMs of hours) {
      try {
        for await (const blob of this.container.listBlobsFlat({ prefix: previewHourPrefix(cameraId, hourMs) })) {
          const ref = parsePreviewBlobName(blob.name);
          if (ref && starts.has(ref.segmentStartMs)) doomed.push(blob.name);
        }
      } catch (err) {
        if (storageStatus(err) === 404) continue; // no container: nothing cached
        rethrowStorageError(err, `list cached previews of camera ${cameraId}`);
      }
    }
    if (doomed.length === 0) return 0;
    return (await this.deleter.deleteBlobs(doomed)).deleted;
  }
}
