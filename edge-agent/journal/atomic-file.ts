import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Replaces `file` with `text` so that a crash (SIGKILL, power loss) leaves either the old or the new content, never a
 * mix: write `{file}.tmp`, fsync it, rename it over `file`, fsync the folder (so the rename itself is durable).
 * @throws the file system's error (disk full, read-only); the old file is then unchanged
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let written = 0;
    const bytes = Buffer.from(text, 'utf8');
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
