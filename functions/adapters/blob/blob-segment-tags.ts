import type { ContainerClient } from '@azure/storage-blob';
import { BACKSTOP_TAG, type BackstopTagValue } from '../../../shared/backstop-tag';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** Parallel `Set Blob Tags` calls per {@link BlobSegmentTags.setBackstop}. */
const TAG_CONCURRENCY = 16;

/**
 * Sets the backstop tag of segment blobs (shared/backstop-tag.ts) with the cloud's identity; a device's create-only SAS
 * cannot (Set Blob Tags needs the `t` permission). Over the recordings container: one `Set Blob Tags` per blob (there
 * is no batch form; Blob Batch takes only Delete and Set Blob Tier). Needs Storage Blob Data Owner, which the
 * functions' identity has (infra/modules/functions-roles.bicep); Azurite 3.35 implements blob tags.
 */
export class BlobSegmentTags {
  constructor(private readonly container: ContainerClient) {}

  /**
   * Replaces each blob's tags with `{ keepwatch-backstop: value }`. Idempotent.
   * @param blobNames segment blob names in the recordings container
   * @returns how many of them did not exist (deleted meanwhile: nothing to protect or expire)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async setBackstop(blobNames: readonly string[], value: BackstopTagValue): Promise<{ missing: number }> {
    let missing = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < blobNames.length) {
        const name = blobNames[next++];
        try {
          await this.container.getBlobClient(name).setTags({ [BACKSTOP_TAG]: value });
        } catch (err) {
          if (storageStatus(err) === 404) missing++;
          else rethrowStorageError(err, `set the backstop tag of segment blob ${name}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(TAG_CONCURRENCY, blobNames.length) }, worker));
    return { missing };
  }
}
