import { previewBlobName } from '../../shared/contracts/preview-blob-naming';
import { NotFoundError } from '../../shared/errors';
import { locatePreview, nearestRecorded } from '../../shared/previews/locate-preview';
import { PREVIEW_WIDTHS, type PreviewSize } from '../../shared/previews/preview-sizes';
import { DAY_MS, toIso } from '../../shared/time';
import { decodePreviewFrame } from '../adapters/ffmpeg/ffmpeg-preview';
import type { FunctionsDeps } from '../deps';

export type PreviewImageDeps = Pick<FunctionsDeps, 'cameras' | 'availability' | 'segmentIndex' | 'segmentReader' | 'previewCache' | 'ffmpegPath'>;

/** One preview image and where it came from. */
export interface PreviewImage {
  jpeg: Buffer;
  /** The instant asked for, epoch ms UTC (the image is the frame shown then). */
  timeMs: number;
  /** True when it was read from the cache, false when decoded now (and stored). */
  cached: boolean;
}

/**
 * The JPEG of what camera `cameraId` showed at `timeMs`: the last frame at or before the instant, from the stored
 * segment that holds it (docs/previews.md). Read from the preview cache when stored; else the segment is read,
 * ffmpeg decodes the frame (functions/adapters/ffmpeg/ffmpeg-preview.ts) and the image is cached before it is
 * returned; a failed cache write is logged by `onCacheError` and the image still returned.
 * @throws NotFoundError `CameraNotFound` (never recorded); `NoMediaAtTime` (no stored segment holds the instant: a gap,
 *   before the first or after the last recording, or deleted by retention) with `details` `{ before?, after? }`, the
 *   nearest recorded instants within a day (ISO); `SegmentMissing` (the blob went after the index was read);
 *   TransientError when storage fails; Error when ffmpeg cannot decode the segment
 */
export async function previewImage(
  deps: PreviewImageDeps,
  cameraId: string,
  timeMs: number,
  size: PreviewSize,
  onCacheError: (err: unknown) => void = () => {},
): Promise<PreviewImage> {
  const location = locatePreview(await deps.segmentIndex.listSegmentSpans(cameraId, timeMs, timeMs + 1), timeMs);
  if (!location) {
    if (!(await deps.cameras.getCamera(cameraId))) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    const near = nearestRecorded(await deps.availability.listRanges(cameraId, timeMs - DAY_MS, timeMs + DAY_MS), timeMs);
    const details = { ...(near.beforeMs === undefined ? {} : { before: toIso(near.beforeMs) }), ...(near.afterMs === undefined ? {} : { after: toIso(near.afterMs) }) };
    const hint = [details.before && `last recorded before it: ${details.before}`, details.after && `next recorded: ${details.after}`].filter(Boolean).join('; ');
    throw new NotFoundError(`camera '${cameraId}' has no recorded media at ${toIso(timeMs)}${hint ? ` (${hint})` : ' (nothing recorded within a day of it)'}`, 'NoMediaAtTime', details);
  }
  const name = previewBlobName(cameraId, location.segment.startMs, timeMs, size);
  const stored = await deps.previewCache.get(name);
  if (stored) return { jpeg: stored, timeMs, cached: true };
  const chunks: Uint8Array[] = [];
  for await (const chunk of deps.segmentReader.readSegment(location.segment.blobName)) chunks.push(chunk);
  const jpeg = await decodePreviewFrame(deps.ffmpegPath(), Buffer.concat(chunks), location.offsetMs, PREVIEW_WIDTHS[size]);
  try {
    await deps.previewCache.put(name, jpeg);
  } catch (err) {
    onCacheError(err);
  }
  return { jpeg, timeMs, cached: false };
}
