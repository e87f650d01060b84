import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../journal/atomic-file';
import path from 'node:path';
import type { UploadWindowsState } from '../../shared/evr/upload-windows';
import type { UploadWindow } from '../../shared/contracts/upload-window';
import { RECORDING_ID_PATTERN } from '../../shared/contracts/upload-window';
import type { Logger } from '../log';

/** File name of the stored upload windows inside `localMediaCachePath`. */
export const WINDOWS_FILE = 'evr-windows.json';

function isWindow(w: unknown): w is UploadWindow {
  const x = w as UploadWindow;
  return (
    !!x &&
    typeof x.cameraId === 'string' &&
    typeof x.recordingId === 'string' &&
    RECORDING_ID_PATTERN.test(x.recordingId) &&
    Number.isSafeInteger(x.startMs) &&
    Number.isSafeInteger(x.endMs) &&
    x.endMs > x.startMs &&
    typeof x.final === 'boolean' &&
    Number.isSafeInteger(x.sequence)
  );
}

/**
 * Crash-safe storage of the agent's EVR upload windows: `{localMediaCachePath}/evr-windows.json`
 * (`{windows: UploadWindow[], forgotten: {recordingId: sequence}}`), replaced atomically on every change
 * (temp file, fsync, rename, fsync of the folder), so after SIGKILL or power loss the next start holds
 * either the old or the new set, never a torn one.
 */
export class WindowStore {
  constructor(
    private readonly cacheDir: string,
    private readonly logger: Logger,
  ) {}

  /** Absolute path of the file. */
  get file(): string {
    return path.join(this.cacheDir, WINDOWS_FILE);
  }

  /** The stored state; an unreadable file is logged and treated as empty (windows then come again from the cloud only). */
  load(): UploadWindowsState {
    if (!existsSync(this.file)) return { windows: [], forgotten: {} };
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<UploadWindowsState>;
      const windows = (Array.isArray(raw.windows) ? raw.windows : []).filter(isWindow);
      const forgotten = Object.fromEntries(Object.entries(raw.forgotten ?? {}).filter(([id, seq]) => RECORDING_ID_PATTERN.test(id) && Number.isSafeInteger(seq)));
      return { windows, forgotten };
    } catch (err) {
      this.logger.error({ err, file: this.file }, 'stored upload windows unreadable; starting without them');
      return { windows: [], forgotten: {} };
    }
  }

  /** Replaces the stored state atomically. @throws the write error (ENOSPC…); the previous file stays intact */
  save(state: UploadWindowsState): void {
    writeFileAtomic(this.file, JSON.stringify(state));
  }
}
