import type { ContainerClient } from '@azure/storage-blob';
import { TransientError } from '../../../shared/errors';
import { rethrowStorageError } from '../storage/storage-errors';

/** Sub-requests per Blob Batch request: the service's limit (learn.microsoft.com/rest/api/storageservices/blob-batch). */
export const BLOB_BATCH_MAX = 256;

/** Batch requests in flight at once. */
export const BLOB_BATCH_CONCURRENCY = 4;

/** What deleting a set of segment blobs did. */
export interface BlobDeleteResult {
  deleted: number;
  /** Blobs that did not exist (404): deleted earlier, e.g. by a run that crashed before deleting their index rows. */
  missing: number;
}

/**
 * Deletes segment blobs with Blob Batch (`BlobBatchClient.deleteBlobs`, container-scoped, snapshots included): up to
 * {@link BLOB_BATCH_MAX} deletes per request, {@link BLOB_BATCH_CONCURRENCY} requests in flight. Each sub-request
 * succeeds or fails on its own; 404 `BlobNotFound` counts as already deleted. Azurite 3.35 serves Blob Batch with
 * this SDK (checked here with 256 deletes and a 404 sub-response).
 */
export class BlobBatchDeleter {
  constructor(private readonly container: ContainerClient) {}

  /**
   * Deletes every named blob of the recordings container (snapshots included); a missing blob counts as deleted.
   * Idempotent. Not atomic: when it throws, some blobs may be gone, which a repeat finishes.
   * @throws TransientError when a delete fails other than with 404
   */
  async deleteBlobs(blobNames: readonly string[]): Promise<BlobDeleteResult> {
    const names = [...new Set(blobNames)];
    const batches: string[][] = [];
    for (let i = 0; i < names.length; i += BLOB_BATCH_MAX) batches.push(names.slice(i, i + BLOB_BATCH_MAX));
    const result: BlobDeleteResult = { deleted: 0, missing: 0 };
    const batchClient = this.container.getBlobBatchClient();
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        let response;
        try {
          response = await batchClient.deleteBlobs(batch.map((n) => this.container.getBlobClient(n)), { deleteSnapshots: 'include' });
        } catch (err) {
          rethrowStorageError(err, `delete a batch of ${batch.length} blobs from ${this.container.containerName}`);
        }
        const failed: string[] = [];
        for (const sub of response.subResponses) {
          if (sub.status === 202 || sub.status === 200) result.deleted++;
          else if (sub.status === 404) result.missing++;
          else failed.push(`${sub._request.url.split('/').slice(-6).join('/')}: HTTP ${sub.status} ${sub.errorCode ?? ''}`.trim());
        }
        if (failed.length > 0) {
          throw new TransientError(`${failed.length} of ${batch.length} blob deletes failed, e.g. ${failed[0]}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BLOB_BATCH_CONCURRENCY, batches.length) }, worker));
    return result;
  }
}
