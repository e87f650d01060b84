/** A complete segment file in the cache, placed on the UTC timeline. */
export interface RecordedSegment {
  cameraId: string;
  /** Absolute path of the segment file in the cache. */
  path: string;
  /** UTC start, epoch ms. */
  startMs: number;
  /** Duration, ms. */
  durationMs: number;
  /** File size in bytes, as ffmpeg wrote it. */
  bytes: number;
}

/** A segment whose blob exists, with what the `segment.uploaded` event reports. */
export interface UploadedSegment extends RecordedSegment {
  blobName: string;
  sha256: string;
}

/**
 * Why a segment left the journal's pending set (and the cache): `uploaded` (its blob exists and its event is in the
 * outbox), `evicted` (the cache cap or a full disk: an `eviction` gap), `lost` (its file was missing or changed after a
 * restart), `dropped` (an EVR segment outside every upload window, deleted past the cache horizon: by design, not a gap),
 * `expired` (the cloud refused it for good as older than its offline horizon: an `expired-offline` gap).
 */
export type SegmentOutcome = 'uploaded' | 'evicted' | 'lost' | 'dropped' | 'expired';
