/**
 * The `media.erased` integration event (docs/events.md "media.erased"): published once an erasure on demand
 * (`DELETE /api/cameras/{cameraId}/media?start&end`, functions/erasure/media-delete.ts) has removed a range of a
 * camera's archive. CloudEvents 1.0 JSON, `source` {@link MEDIA_ERASURE_SOURCE}, `subject` the camera id, `id`
 * `media-erased-{erasureId}` (a resumed erasure publishes the same id again: consumers dedupe on it).
 */
export const MEDIA_ERASED = 'media.erased';

/** CloudEvents `source` of {@link MEDIA_ERASED}. */
export const MEDIA_ERASURE_SOURCE = '/keepwatch/erasure';

/** The `data` of a {@link MEDIA_ERASED} event; times ISO 8601 UTC with milliseconds, half-open ranges. */
export interface MediaErasedData {
  /** The erasure's id (UUID), as the DELETE answered it. */
  erasureId: string;
  cameraId: string;
  /** The range the request named. */
  requested: { start: string; end: string };
  /**
   * The range that holds no media any more: `requested`, widened to the whole segments that reached outside it
   * (segments are never cut).
   */
  covered: { start: string; end: string };
  /** Segments whose blob and index row were deleted. */
  segments: number;
  /** Their stored bytes (the index's sizes of the stored blobs). */
  bytes: number;
  /** EVR recording rows deleted because their whole window lay inside `covered`. */
  recordingsDeleted: number;
  /** When the erasure was requested. */
  requestedAt: string;
}

/** CloudEvents `id` of the {@link MEDIA_ERASED} event of one erasure. */
export function mediaErasedEventId(erasureId: string): string {
  return `media-erased-${erasureId}`;
}
