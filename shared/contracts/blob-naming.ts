import { ValidationError } from '../errors';
import { assertId } from '../ids';
import { toIso } from '../time';

/**
 * Blob names of segments, a wire contract (docs/contracts.md "Blob names"): the agent's uploader names each segment
 * blob with {@link segmentBlobName} and asks the cloud for upload URLs by those names; the cloud checks them with
 * {@link parseSegmentBlobName} (shared/schemas/device.ts, the upload-urls request) and derives them again from the
 * segment index ({@link segmentBlobNamer}) for playback and retention. Changing the format breaks agents in the field.
 */

/** File extension and content type of a stored segment: MPEG-TS (docs/adr/0001-segment-format.md). */
export const SEGMENT_EXTENSION = 'ts';
export const SEGMENT_CONTENT_TYPE = 'video/mp2t';

/**
 * Blob name of a segment: `{cameraId}/{yyyy}/{MM}/{dd}/{HH}/{segmentStartIso}.ts`, all UTC
 * (docs/contracts.md "Blob names"). Lexical order of names is chronological order per camera, and a
 * name is a pure function of (camera, start) so a retried upload hits the same blob.
 * @param startMs segment start, epoch ms UTC
 * @throws ValidationError for an invalid camera id or a start outside years 2000..9999
 */
export function segmentBlobName(cameraId: string, startMs: number): string {
  assertId('camera', cameraId);
  if (!Number.isInteger(startMs) || startMs < Date.UTC(2000, 0, 1) || startMs >= Date.UTC(10000, 0, 1)) {
    throw new ValidationError(`segment start ${startMs} is not an epoch ms between 2000 and 9999`);
  }
  const iso = toIso(startMs);
  return `${cameraId}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/${iso}.${SEGMENT_EXTENSION}`;
}

/**
 * {@link segmentBlobName} for many segments of one camera: the camera id is checked once, so a
 * 24 h scan (8,640 names) does not repeat the check per row.
 * @throws ValidationError for an invalid camera id (at once) or start (per call)
 */
export function segmentBlobNamer(cameraId: string): (startMs: number) => string {
  segmentBlobName(cameraId, Date.UTC(2000, 0, 1));
  return (startMs) => {
    if (!Number.isInteger(startMs) || startMs < Date.UTC(2000, 0, 1) || startMs >= Date.UTC(10000, 0, 1)) return segmentBlobName(cameraId, startMs);
    const iso = toIso(startMs);
    return `${cameraId}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/${iso}.${SEGMENT_EXTENSION}`;
  };
}

/**
 * Reads camera and start back from a segment blob name.
 * @returns `undefined` when `name` is not exactly what {@link segmentBlobName} makes
 */
export function parseSegmentBlobName(name: string): { cameraId: string; startMs: number } | undefined {
  const m = /^([a-z0-9-]{1,32})\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\.ts$/.exec(name);
  if (!m) return undefined;
  const startMs = Date.parse(m[2]);
  if (Number.isNaN(startMs)) return undefined;
  try {
    return segmentBlobName(m[1], startMs) === name ? { cameraId: m[1], startMs } : undefined;
  } catch {
    return undefined;
  }
}
