import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Mode of every file the agent writes into its cache folder: owner only (some hold secrets, docs/security.md). */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Replaces `file` with `text` so that a crash (SIGKILL, power loss) leaves either the old or the new content, never a
 * mix: write `{file}.tmp` (mode 0600, whatever the umask or a leftover temp file's mode), fsync it, rename it over
 * `file`, fsync the folder (so the rename itself is durable). The order is asserted from a syscall trace in
 * test/integration/edge-agent/crash-fsync-order.test.ts.
 * @throws the file system's error (disk full, read-only); the old file is then unchanged
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE); // the open's mode applies only to a file it creates
    let written = 0;
    const bytes = Buffer.from(text, 'utf8');
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
}

/**
 * fsyncs a folder, making the creation, rename or removal of its entries durable (POSIX leaves a rename's durability
 * to the folder's fsync; ext4 and XFS need it, docs/crash-safety.md).
 * @throws the file system's error
 */
export function fsyncDirectory(dir: string): void {
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * fsyncs an existing file's data and metadata (its size), opened read-only: a file another process wrote (ffmpeg's
 * segment) reaches the disk before anything that refers to it is written.
 * @throws the file system's error (ENOENT when it is gone)
 */
export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
