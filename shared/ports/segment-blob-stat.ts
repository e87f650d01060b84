/**
 * What the cloud sees of an existing segment blob: its size, type and creation time (storage's own, which no device
 * can set) and the SHA-256 the uploader put in its metadata.
 */
export interface StoredSegmentBlob {
  /** Content length, bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 from the blob's `sha256` metadata; `undefined` when the blob has none. */
  sha256?: string;
  /** `BlockBlob`, `PageBlob` or `AppendBlob`; `undefined` when storage did not say. */
  blobType?: string;
  /** When storage created the blob, epoch ms UTC (storage's clock); `undefined` when storage did not say. */
  createdOnMs?: number;
}

/**
 * Checks which segment blobs exist, with the cloud's own identity (a device's create-only SAS cannot read, so the
 * device asks the cloud: docs/devices.md). Implemented on Blob Storage by functions/adapters/blob/blob-segment-stat.ts.
 */
export interface SegmentBlobStat {
  /**
   * @param blobNames segment blob names in the recordings container
   * @returns one entry per name, in order: the blob's size and SHA-256, or `undefined` when it does not exist
   * @throws TransientError when storage fails in a way a retry may fix
   */
  stat(blobNames: readonly string[]): Promise<Array<StoredSegmentBlob | undefined>>;
}
