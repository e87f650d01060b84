import type { ContainerClient } from '@azure/storage-blob';
import type { SegmentBlobStat, StoredSegmentBlob } from '../../../shared/ports/segment-blob-stat';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** Parallel `Get Blob Properties` calls per {@link BlobSegmentStat.stat} (a batch is at most 100 names). */
const STAT_CONCURRENCY = 16;

/** {@link SegmentBlobStat} over the recordings container: one `Get Blob Properties` (HEAD) per name. */
export class BlobSegmentStat implements SegmentBlobStat {
  constructor(private readonly container: ContainerClient) {}

  async stat(blobNames: readonly string[]): Promise<Array<StoredSegmentBlob | undefined>> {
    const out: Array<StoredSegmentBlob | undefined> = new Array(blobNames.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < blobNames.length) {
        const i = next++;
        out[i] = await this.statOne(blobNames[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, blobNames.length) }, worker));
    return out;
  }

  private async statOne(name: string): Promise<StoredSegmentBlob | undefined> {
    try {
      const props = await this.container.getBlobClient(name).getProperties();
      const stored: StoredSegmentBlob = { bytes: props.contentLength ?? 0 };
      if (props.metadata?.sha256 !== undefined) stored.sha256 = props.metadata.sha256;
      if (props.blobType !== undefined) stored.blobType = props.blobType;
      if (props.createdOn !== undefined) stored.createdOnMs = props.createdOn.getTime();
      return stored;
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read the properties of segment blob ${name}`);
    }
  }
}
