import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { parseTarHeader, TAR_BLOCK } from '../shared/export/tar-header';

/** One member unpacked from a bundle: where it now is, its size and the SHA-256 of its bytes. */
export interface UnpackedMember {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * Unpacks an evidence export bundle (a ustar archive, shared/export/tar-header.ts) into `dir`, hashing each member
 * (SHA-256) as it is written, reading the file in 1 MiB pieces (bundles may be gigabytes).
 * @returns the members in archive order
 * @throws Error when the file is not a tar of regular files, a member is cut short, a name is repeated or escapes `dir`
 */
export async function unpackBundle(file: string, dir: string): Promise<UnpackedMember[]> {
  const fh = await open(file, 'r');
  try {
    const members: UnpackedMember[] = [];
    const seen = new Set<string>();
    let offset = 0;
    const header = Buffer.alloc(TAR_BLOCK);
    const piece = Buffer.alloc(1024 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(header, 0, TAR_BLOCK, offset);
      if (bytesRead === 0) break; // no end blocks: tolerated, every member was whole
      if (bytesRead < TAR_BLOCK) throw new Error(`${file}: cut short inside a tar header at byte ${offset}`);
      const entry = parseTarHeader(header);
      offset += TAR_BLOCK;
      if (!entry) break;
      const target = path.resolve(dir, entry.name);
      if (!target.startsWith(path.resolve(dir) + path.sep) || seen.has(entry.name)) throw new Error(`${file}: member name ${JSON.stringify(entry.name)} is repeated or escapes the bundle`);
      seen.add(entry.name);
      await mkdir(path.dirname(target), { recursive: true });
      const out = createWriteStream(target);
      const hash = createHash('sha256');
      let left = entry.size;
      while (left > 0) {
        const { bytesRead: n } = await fh.read(piece, 0, Math.min(piece.length, left), offset);
        if (n === 0) throw new Error(`${file}: member ${entry.name} is cut short (${entry.size - left} of ${entry.size} bytes)`);
        const chunk = Buffer.from(piece.subarray(0, n));
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
        offset += n;
        left -= n;
      }
      out.end();
      await once(out, 'close');
      offset += (TAR_BLOCK - (entry.size % TAR_BLOCK)) % TAR_BLOCK;
      members.push({ name: entry.name, path: target, bytes: entry.size, sha256: hash.digest('hex') });
    }
    return members;
  } finally {
    await fh.close();
  }
}
