/** What deleting a set of segment blobs did. */
export interface BlobDeleteResult {
  deleted: number;
  /** Blobs that did not exist (404): deleted earlier, e.g. by a run that crashed before deleting their index rows. */
  missing: number;
}

/**
 * Deletes segment blobs. Implemented with Blob Batch (≤ 256 deletes per request) by
 * functions/adapters/blob/blob-batch-deleter.ts.
 */
export interface SegmentBlobDeleter {
  /**
   * Deletes every named blob of the recordings container (snapshots included); a missing blob counts as deleted.
   * Idempotent. Not atomic: when it throws, some blobs may be gone, which a repeat finishes.
   * @throws TransientError when a delete fails other than with 404
   */
  deleteBlobs(blobNames: readonly string[]): Promise<BlobDeleteResult>;
}
