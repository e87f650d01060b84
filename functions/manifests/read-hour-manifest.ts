import { archiveHourManifestSchema, type ArchiveHourManifest } from '../../shared/contracts/manifest';
import { hourManifestBlobName } from '../../shared/contracts/manifest-naming';
import type { FunctionsDeps } from '../deps';

/**
 * Reads and checks one version of an archive hour's JSON manifest (shared/contracts/manifest.ts).
 * @returns the manifest, or `undefined` when the blob is gone (a newer version replaced it since its row was read),
 *   is not a manifest, or describes another camera, hour or version: the caller then scans the index instead
 * @throws TransientError when storage fails in a way a retry may fix
 */
export async function readHourManifest(cameraId: string, hourStartMs: number, version: number, deps: Pick<FunctionsDeps, 'manifestBlobs'>): Promise<ArchiveHourManifest | undefined> {
  const text = await deps.manifestBlobs.read(hourManifestBlobName(cameraId, hourStartMs, version, 'json'));
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = archiveHourManifestSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  return m.cameraId === cameraId && Date.parse(m.start) === hourStartMs && m.version === version ? m : undefined;
}
