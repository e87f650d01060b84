import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** Segments hashed at once by {@link BlobSegmentHasher.hashAll}. */
const HASH_CONCURRENCY = 8;

/** What storage holds of one segment blob: its size and the SHA-256 of its bytes, as read back now. */
export interface StoredSegmentHash {
  bytes: number;
  /** Lower-case hex SHA-256 of the bytes read. */
  sha256: string;
}

/**
 * Hashes stored segment blobs with the cloud's identity (the asset manifests' `sha256`): each blob is streamed once
 * with `Get Blob` and hashed as it arrives. The blob's own `sha256` metadata is the uploader's claim, and a device can
 * set it; only bytes read back from storage are evidence.
 */
export class BlobSegmentHasher {
  constructor(private readonly container: ContainerClient) {}

  /**
   * @returns one entry per name, in order; `undefined` for a blob that does not exist (deleted since it was indexed)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async hashAll(blobNames: readonly string[]): Promise<Array<StoredSegmentHash | undefined>> {
    const out: Array<StoredSegmentHash | undefined> = new Array(blobNames.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < blobNames.length) {
        const i = next++;
        out[i] = await this.hashOne(blobNames[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, blobNames.length) }, worker));
    return out;
  }

  private async hashOne(name: string): Promise<StoredSegmentHash | undefined> {
    try {
      const response = await this.container.getBlobClient(name).download();
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of response.readableStreamBody!) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      return { bytes, sha256: hash.digest('hex') };
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `hash segment blob ${name}`);
    }
  }
}
