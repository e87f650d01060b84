/**
 * Reads stored segment bytes (MPEG-TS) for the MP4 export. Implemented on Blob Storage by
 * functions/adapters/blob/blob-segment-reader.ts.
 */
export interface SegmentReader {
  /**
   * Streams one segment blob's bytes, in order.
   * @param blobName a segment blob name in the recordings container
   * @throws NotFoundError `SegmentMissing` when the blob is gone (e.g. deleted by retention since the index was read);
   *   TransientError when storage fails in a way a retry may fix
   */
  readSegment(blobName: string): AsyncIterable<Uint8Array>;
}
