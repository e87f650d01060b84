import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { tarEnd, tarHeader, tarPadding } from '../../shared/export/tar-header';

/** One member of a bundle: bytes in memory, or a file on local disk of a known size. */
export type BundleMember = { name: string; bytes: Buffer } | { name: string; path: string; size: number };

/**
 * The evidence export bundle as one tar stream (shared/export/tar-header.ts): each member's header, its bytes, its
 * padding, then the end blocks. Files are streamed from disk, never held whole in memory.
 * @param mtimeMs the members' modification time, epoch ms UTC
 */
export function bundleTarStream(members: readonly BundleMember[], mtimeMs: number): Readable {
  return Readable.from(
    (async function* () {
      for (const m of members) {
        const size = 'bytes' in m ? m.bytes.length : m.size;
        yield tarHeader({ name: m.name, size, mtimeMs });
        if ('bytes' in m) yield m.bytes;
        else {
          let read = 0;
          for await (const chunk of createReadStream(m.path)) {
            read += (chunk as Buffer).length;
            yield chunk as Buffer;
          }
          if (read !== size) throw new Error(`bundle member ${m.name} changed while it was archived: ${read} bytes, expected ${size}`);
        }
        yield tarPadding(size);
      }
      yield tarEnd();
    })(),
    { objectMode: false },
  );
}
