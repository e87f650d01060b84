import type { ContainerClient } from '@azure/storage-blob';
import { NotFoundError } from '../../../shared/errors';
import type { SegmentReader } from '../../../shared/ports/segment-reader';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** {@link SegmentReader} over the recordings container: one streaming `Get Blob` per segment. */
export class BlobSegmentReader implements SegmentReader {
  constructor(private readonly container: ContainerClient) {}

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
