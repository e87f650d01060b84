/**
 * POSIX ustar headers (IEEE Std 1003.1 "pax" archive format, ustar interchange format): the evidence export bundle is
 * a plain tar that `tar -xf` unpacks anywhere. Only regular files, names ≤ 100 bytes (no prefix field), sizes below
 * 8 GiB (11 octal digits). Pure: bytes in, bytes out.
 */

/** Bytes per tar block: headers are one block, data is padded to whole blocks, the archive ends with two zero blocks. */
export const TAR_BLOCK = 512;

/** Largest file size a ustar header holds (11 octal digits): 8 GiB − 1. */
export const TAR_MAX_FILE_BYTES = 8 ** 11 - 1;

/** One member of the archive as its header says. */
export interface TarEntryHeader {
  /** Path inside the archive, `/`-separated, ≤ 100 bytes of UTF-8. */
  name: string;
  size: number;
  /** Modification time, epoch ms UTC (seconds precision in the header). */
  mtimeMs: number;
}

/**
 * The 512-byte ustar header of a regular file (mode 0644, uid/gid 0, owner `keepwatch`).
 * @throws RangeError when the name is empty, longer than 100 bytes or contains `..`/a leading `/`, or the size is
 *   negative or over {@link TAR_MAX_FILE_BYTES}
 */
export function tarHeader(entry: TarEntryHeader): Buffer {
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length === 0 || name.length > 100 || entry.name.startsWith('/') || entry.name.split('/').includes('..')) {
    throw new RangeError(`tar member name ${JSON.stringify(entry.name)} must be a relative path of 1..100 bytes without '..'`);
  }
  if (!Number.isInteger(entry.size) || entry.size < 0 || entry.size > TAR_MAX_FILE_BYTES) throw new RangeError(`tar member size ${entry.size} is outside 0..${TAR_MAX_FILE_BYTES}`);
  const h = Buffer.alloc(TAR_BLOCK, 0);
  name.copy(h, 0);
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, entry.size);
  octal(h, 136, 12, Math.floor(entry.mtimeMs / 1000));
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156, 'latin1'); // typeflag: regular file
  h.write('ustar\u000000', 257, 'latin1');
  h.write('keepwatch', 265, 'latin1');
  h.write('keepwatch', 297, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

/** Zero bytes that pad a member of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK, 0);
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * TAR_BLOCK, 0);
}

/**
 * Reads one 512-byte header block.
 * @returns the member, or `undefined` for a zero block (the end of the archive)
 * @throws Error when the block is not a ustar header of a regular file (bad checksum, other type)
 */
export function parseTarHeader(block: Uint8Array): TarEntryHeader | undefined {
  if (block.length !== TAR_BLOCK) throw new Error(`a tar header is ${TAR_BLOCK} bytes, got ${block.length}`);
  const b = Buffer.from(block.buffer, block.byteOffset, block.length);
  if (b.every((x) => x === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  const stored = parseInt(b.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/g, ''), 8);
  if (stored !== sum) throw new Error(`tar header checksum ${stored} does not match its bytes (${sum}): not a tar archive, or a damaged one`);
  const type = String.fromCharCode(b[156]!);
  if (type !== '0' && type !== '\0') throw new Error(`tar member type '${type}' is not a regular file`);
  const end = b.indexOf(0, 0);
  const name = b.subarray(0, end < 0 || end > 100 ? 100 : end).toString('utf8');
  return { name, size: parseInt(text(b, 124, 12), 8), mtimeMs: parseInt(text(b, 136, 12), 8) * 1000 };
}

function text(b: Buffer, at: number, len: number): string {
  return b.subarray(at, at + len).toString('latin1').replace(/[\0 ]+$/g, '').trim() || '0';
}

function octal(h: Buffer, at: number, len: number, value: number): void {
  h.write(`${value.toString(8).padStart(len - 1, '0')}\u0000`, at, 'latin1');
}
