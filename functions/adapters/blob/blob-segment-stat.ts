import type { ContainerClient } from '@azure/storage-blob';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** Parallel `Get Blob Properties` calls per {@link BlobSegmentStat.stat} (a batch is at most 100 names). */
const STAT_CONCURRENCY = 16;

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
 * device asks the cloud: docs/devices.md), over the recordings container: one `Get Blob Properties` (HEAD) per name.
 */
export class BlobSegmentStat {
  constructor(private readonly container: ContainerClient) {}

  /**
   * @param blobNames segment blob names in the recordings container
   * @returns one entry per name, in order: the blob's size and SHA-256, or `undefined` when it does not exist
   * @throws TransientError when storage fails in a way a retry may fix
   */
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
