import path from 'node:path';
import { ValidationError } from '../../shared/errors';
import type { CameraConfig } from '../../shared/schemas/agent-config';

/** Folder of the file sinks inside the cache folder when the config sets no `fileSinkRoot`. */
export const DEFAULT_FILE_SINK_FOLDER = 'file-sinks';

/**
 * The folder every camera's `fileSink.baseDirectoryPath` must be inside (docs/security.md: a topology or a live
 * pipeline command must not make the agent write, or trim, MP4s anywhere on the device): the config's
 * `fileSinkRoot`, else `{localMediaCachePath}/file-sinks`; absolute.
 */
export function fileSinkRootOf(config: { fileSinkRoot?: string; localMediaCachePath: string }): string {
  return path.resolve(config.fileSinkRoot ?? path.join(config.localMediaCachePath, DEFAULT_FILE_SINK_FOLDER));
}

/** True when `folder` is `root` or inside it, compared on normalised absolute paths (`..` resolved; not symlinks). */
export function isInsideFolder(folder: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(folder));
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * @param what names the camera's origin in the message ("agent config", "live pipeline 'p1'")
 * @throws ValidationError when a camera's file sink folder is outside `root`, naming the camera, the folder and the root
 */
export function verifyFileSinkFolders(cameras: readonly CameraConfig[], root: string, what: string): void {
  for (const c of cameras) {
    const folder = c.fileSink?.baseDirectoryPath;
    if (folder !== undefined && !isInsideFolder(folder, root)) {
      throw new ValidationError(`${what}: camera '${c.id}': fileSink.baseDirectoryPath ${folder} is outside the file sink root ${root} (agent config fileSinkRoot)`);
    }
  }
}
