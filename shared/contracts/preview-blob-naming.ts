import type { PreviewSize } from '../previews/preview-sizes';
import { PREVIEW_SIZES } from '../previews/preview-sizes';
import { segmentBlobName } from './blob-naming';
import { toIso } from '../time';

/**
 * Blob names of cached preview images (docs/contracts.md "Blob names", docs/previews.md "Cache"), in the recordings
 * container beside the segments, under the camera's own prefix so that whatever removes a camera's blobs by prefix
 * removes its previews too:
 * `{cameraId}/previews/{yyyy}/{MM}/{dd}/{HH}/{segmentStartIso}/{timeIso}-{size}.jpg`, all UTC. `previews` cannot be a
 * year, so the name never collides with a segment's (`{cameraId}/{yyyy}/…`). The hour and segment are the SEGMENT's
 * (the one the image was decoded from), so retention finds the previews of the segments it deletes by listing the
 * segments' hours ({@link previewHourPrefix}) and matching the segment start ({@link parsePreviewBlobName}).
 */

/** Content type of a cached preview image. */
export const PREVIEW_CONTENT_TYPE = 'image/jpeg';

/**
 * Blob name of the preview of `cameraId` at `timeMs`, decoded from the segment starting at `segmentStartMs`.
 * @param segmentStartMs start of the segment holding the frame, epoch ms UTC
 * @param timeMs the requested instant, epoch ms UTC
 * @throws ValidationError for an invalid camera id or a time outside years 2000..9999 (shared/contracts/blob-naming.ts)
 */
export function previewBlobName(cameraId: string, segmentStartMs: number, timeMs: number, size: PreviewSize): string {
  // Camera id and both times are checked as segment names check them (years 2000..9999, integer ms).
  segmentBlobName(cameraId, segmentStartMs);
  segmentBlobName(cameraId, timeMs);
  return `${previewHourPrefix(cameraId, segmentStartMs)}${toIso(segmentStartMs)}/${toIso(timeMs)}-${size}.jpg`;
}

/**
 * The prefix of every preview decoded from a segment starting in the UTC hour of `segmentStartMs`:
 * `{cameraId}/previews/{yyyy}/{MM}/{dd}/{HH}/`.
 */
export function previewHourPrefix(cameraId: string, segmentStartMs: number): string {
  const iso = toIso(segmentStartMs);
  return `${cameraId}/previews/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/`;
}

/** What a preview blob name says. */
export interface PreviewBlobRef {
  cameraId: string;
  segmentStartMs: number;
  timeMs: number;
  size: PreviewSize;
}

/**
 * Reads a preview blob name back.
 * @returns `undefined` when `name` is not exactly what {@link previewBlobName} makes
 */
export function parsePreviewBlobName(name: string): PreviewBlobRef | undefined {
  const m = /^([a-z0-9-]{1,32})\/previews\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-([a-z]+)\.jpg$/.exec(name);
  if (!m || !(PREVIEW_SIZES as string[]).includes(m[4])) return undefined;
  const ref = { cameraId: m[1], segmentStartMs: Date.parse(m[2]), timeMs: Date.parse(m[3]), size: m[4] as PreviewSize };
  try {
    return previewBlobName(ref.cameraId, ref.segmentStartMs, ref.timeMs, ref.size) === name ? ref : undefined;
  } catch {
    return undefined;
  }
}
