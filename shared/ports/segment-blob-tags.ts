import type { BackstopTagValue } from '../backstop-tag';

/**
 * Sets the backstop tag of segment blobs (shared/backstop-tag.ts) with the cloud's identity; a device's create-only
 * SAS cannot (Set Blob Tags needs the `t` permission). Implemented on Blob Storage by
 * functions/adapters/blob/blob-segment-tags.ts.
 */
export interface SegmentBlobTags {
  /**
   * Replaces each blob's tags with `{ keepwatch-backstop: value }`. Idempotent.
   * @param blobNames segment blob names in the recordings container
   * @returns how many of them did not exist (deleted meanwhile: nothing to protect or expire)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  setBackstop(blobNames: readonly string[], value: BackstopTagValue): Promise<{ missing: number }>;
}
