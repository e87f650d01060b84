import { segmentBlobName } from './blob-naming';
import { RECORDING_ID_PATTERN } from './upload-window';
import { assertId } from '../ids';
import { HOUR_MS } from '../time';

/**
 * Blob names of asset manifests, a contract (docs/contracts.md "Asset manifests"): each closed hour of a camera's
 * archive has an HLS media playlist and a JSON manifest in the hour's own folder, beside its segments:
 * `{cameraId}/{yyyy}/{MM}/{dd}/{HH}/manifest-v{NNNN}.m3u8` and `.json`, `NNNN` the manifest's version (1, then +1 each
 * time late segments, retention or erasure re-open the hour). Every name is created once (`If-None-Match: *`) and never
 * overwritten: a new version is a new name, and the writer deletes the older versions after the newer one is recorded.
 * No segment blob name matches (shared/contracts/blob-naming.ts), so a device's upload URL can never name a manifest.
 */

/** File name prefix of manifests in an hour folder (`manifest-v0001.json`); lexical order = version order. */
export const MANIFEST_PREFIX = 'manifest-v';
/** Highest manifest version (4 digits). */
export const MANIFEST_VERSION_MAX = 9999;
export const MANIFEST_JSON_CONTENT_TYPE = 'application/json';
export const MANIFEST_PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';

/** Either manifest of a version: the JSON manifest or its HLS media playlist. */
export type ManifestKind = 'json' | 'm3u8';

/**
 * The folder of an archive hour: `{cameraId}/{yyyy}/{MM}/{dd}/{HH}/` (with the trailing slash), where its segments are.
 * @param hourStartMs any instant of the hour, epoch ms UTC
 * @throws ValidationError for an invalid camera id or an instant outside years 2000..9999
 */
export function archiveHourFolder(cameraId: string, hourStartMs: number): string {
  const name = segmentBlobName(cameraId, hourStart(hourStartMs));
  return name.slice(0, name.lastIndexOf('/') + 1);
}

/**
 * Blob name of an archive hour's manifest: `{archiveHourFolder}manifest-v{NNNN}.{json|m3u8}`.
 * @throws RangeError for a version outside 1..9999; ValidationError as {@link archiveHourFolder}
 */
export function hourManifestBlobName(cameraId: string, hourStartMs: number, version: number, kind: ManifestKind): string {
  if (!Number.isInteger(version) || version < 1 || version > MANIFEST_VERSION_MAX) throw new RangeError(`manifest version ${version} is outside 1..${MANIFEST_VERSION_MAX}`);
  return `${archiveHourFolder(cameraId, hourStartMs)}${MANIFEST_PREFIX}${String(version).padStart(4, '0')}.${kind}`;
}

/**
 * Reads camera, hour, version and kind back from a manifest blob name.
 * @returns `undefined` when `name` is not exactly what {@link hourManifestBlobName} makes
 */
export function parseHourManifestBlobName(name: string): { cameraId: string; hourStartMs: number; version: number; kind: ManifestKind } | undefined {
  const m = /^([a-z0-9-]{1,32})\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/manifest-v(\d{4})\.(json|m3u8)$/.exec(name);
  if (!m) return undefined;
  const hourStartMs = Date.parse(`${m[2]}-${m[3]}-${m[4]}T${m[5]}:00:00.000Z`);
  const version = Number(m[6]);
  if (Number.isNaN(hourStartMs) || version < 1) return undefined;
  try {
    assertId('camera', m[1]);
    const kind = m[7] as ManifestKind;
    return hourManifestBlobName(m[1], hourStartMs, version, kind) === name ? { cameraId: m[1], hourStartMs, version, kind } : undefined;
  } catch {
    return undefined;
  }
}

/** Start of the UTC hour holding `ms`, epoch ms. */
export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * The URI of a segment in a manifest of the same folder: `./{segment file name}`. Relative, so a copied folder plays
 * anywhere; `./` because a first path segment with a colon (`2026-11-21T10:00:00.000Z.ts`) would read as a URI
 * scheme (RFC 3986 §4.2).
 * @throws ValidationError as shared/contracts/blob-naming.ts `segmentBlobName`
 */
export function segmentUriInFolder(cameraId: string, startMs: number): string {
  const name = segmentBlobName(cameraId, startMs);
  return `./${name.slice(name.lastIndexOf('/') + 1)}`;
}

/**
 * Blob name of an EVR recording's manifest: `{cameraId}/recordings/{recordingId}/manifest-v{NNNN}.{json|m3u8}`, beside
 * the camera's hour folders; its segment URIs go up to them (`../../{yyyy}/{MM}/{dd}/{HH}/{start}.ts`), so a copy of
 * the camera's folder plays it.
 * @throws RangeError for a version outside 1..9999 or a recording id that is not `{13 digits}-{12 hex}`
 */
export function recordingManifestBlobName(cameraId: string, recordingId: string, version: number, kind: ManifestKind): string {
  assertId('camera', cameraId);
  if (!RECORDING_ID_PATTERN.test(recordingId)) throw new RangeError(`recording id ${JSON.stringify(recordingId)} is not {13 digits}-{12 hex}`);
  if (!Number.isInteger(version) || version < 1 || version > MANIFEST_VERSION_MAX) throw new RangeError(`manifest version ${version} is outside 1..${MANIFEST_VERSION_MAX}`);
  return `${cameraId}/recordings/${recordingId}/${MANIFEST_PREFIX}${String(version).padStart(4, '0')}.${kind}`;
}

/** Reads the version back from a recording manifest blob name; `undefined` for any other name. */
export function parseRecordingManifestVersion(name: string): number | undefined {
  const m = /^[a-z0-9-]{1,32}\/recordings\/\d{13}-[0-9a-f]{12}\/manifest-v(\d{4})\.(json|m3u8)$/.exec(name);
  return m && Number(m[1]) >= 1 ? Number(m[1]) : undefined;
}

/**
 * The URI of a segment in a recording's manifest: `../../{yyyy}/{MM}/{dd}/{HH}/{start}.ts`, relative to
 * `{cameraId}/recordings/{recordingId}/`.
 * @throws ValidationError as shared/contracts/blob-naming.ts `segmentBlobName`
 */
export function segmentUriFromRecording(cameraId: string, startMs: number): string {
  return `../../${segmentBlobName(cameraId, startMs).slice(cameraId.length + 1)}`;
}
