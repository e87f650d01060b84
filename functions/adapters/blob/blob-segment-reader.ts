import type { ContainerClient } from '@azure/storage-blob';
import { NotFoundError } from '../../../shared/errors';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/**
 * Reads stored segment bytes (MPEG-TS) for the MP4 export, from the recordings container: one streaming `Get Blob`
 * per segment.
 */
export class BlobSegmentReader {
  constructor(private readonly container: ContainerClient) {}

  /**
   * Streams one segment blob's bytes, in order.
   * @param blobName a segment blob name in the recordings container
   * @throws NotFoundError `SegmentMissing` when the blob is gone (e.g. deleted by retention since the index was read);
   *   TransientError when storage fails in a way a retry may fix
   */
  async *readSegment(blobName: string): AsyncIterable<Uint8Array> {
    try {
      const response = await this.container.getBlobClient(blobName).download();
      for await (const chunk of response.readableStreamBody!) yield chunk as Uint8Array;
    } catch (err) {
      if (storageStatus(err) === 404) throw new NotFoundError(`segment blob ${blobName} is gone (deleted since the index was read)`, 'SegmentMissing');
      rethrowStorageError(err, `read segment blob ${blobName}`);
    }
  }
}
