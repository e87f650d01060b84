/**
 * The blob index tag the storage lifecycle backstop filters on (infra/modules/storage.bicep, rule
 * `segments-retention-backstop`; docs/security.md "Holds hold in Azure too"). Lifecycle filters can only include
 * blobs (a tag equal to a value), never exclude them, so the backstop deletes only segment blobs tagged
 * {@link BACKSTOP_ELIGIBLE}: ingest tags each segment it indexes, and a hold re-tags the segments it covers
 * {@link BACKSTOP_HELD} (functions/retention/segment-backstop.ts). A blob without the tag is never deleted by the backstop.
 * Tag keys and values: 1..128 and 0..256 characters of letters, digits, space and `+ - . / : = _`.
 */
export const BACKSTOP_TAG = 'keepwatch-backstop';
/** The backstop may delete the blob once it is older than the longest allowed retention plus the margin. */
export const BACKSTOP_ELIGIBLE = 'eligible';
/** A hold covers the segment: the backstop must never delete it. */
export const BACKSTOP_HELD = 'held';
export type BackstopTagValue = typeof BACKSTOP_ELIGIBLE | typeof BACKSTOP_HELD;
