import type { ExtensionImageFormat } from '../../shared/schemas/http-extension';

/** Largest image the splitter accepts (bytes): a 4096² BMP (bgr24) with its header. */
export const IMAGE_MAX_BYTES = 4096 * 4096 * 3 + 1024;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Thrown when the stream is not a sequence of images of the format: the pipe is out of step and must restart. */
export class ImageStreamError extends Error {}

/**
 * Cuts ffmpeg's `-f image2pipe` output (images back to back, nothing between them) into whole images:
 * - JPEG: SOI `FF D8`, marker segments (each with its 2-byte length) up to SOS `FF DA`, then entropy-coded data in
 *   which `FF` is followed by `00` (stuffing) or `D0..D7` (restart markers) until EOI `FF D9` (ITU T.81 §B.1);
 * - PNG: the 8-byte signature, then chunks (4-byte big-endian length, type, data, CRC) up to `IEND` (RFC 2083 §3);
 * - BMP: `BM` and the file size as a 32-bit little-endian number at offset 2 (BITMAPFILEHEADER).
 * Pure: no I/O.
 * @throws ImageStreamError from `push` when the bytes are not such an image or one is larger than IMAGE_MAX_BYTES
 */
export class ImageStreamSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** A BMP's size is known from its header: no need to look again before that many bytes (large images, many chunks). */
  private needed = 0;

  constructor(private readonly format: ExtensionImageFormat) {}

  /** Adds bytes; returns the images completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > IMAGE_MAX_BYTES) throw new ImageStreamError(`image larger than ${IMAGE_MAX_BYTES} bytes`);
    if (this.buffered < this.needed) return [];
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const out: Buffer[] = [];
    for (;;) {
      const end = this.imageEnd(buf);
      if (end === undefined) break;
      out.push(Buffer.from(buf.subarray(0, end)));
      buf = buf.subarray(end);
    }
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
    this.needed = this.format === 'bmp' && buf.length >= 6 ? buf.readUInt32LE(2) : 0;
    return out;
  }

  /** Bytes held that do not yet make a whole image. */
  get pending(): number {
    return this.buffered;
  }

  /** End offset (exclusive) of the first image in `b`, or undefined while incomplete. */
  private imageEnd(b: Buffer): number | undefined {
    if (this.format === 'jpeg') return jpegEnd(b);
    if (this.format === 'png') return pngEnd(b);
    return bmpEnd(b);
  }
}

function jpegEnd(b: Buffer): number | undefined {
  if (b.length < 2) return undefined;
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new ImageStreamError('expected a JPEG start of image (FF D8)');
  let i = 2;
  // marker segments up to the start of scan
  for (;;) {
    if (i + 4 > b.length) return undefined;
    if (b[i] !== 0xff) throw new ImageStreamError(`expected a JPEG marker at byte ${i}`);
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd9) return i + 2; // EOI without a scan
    const len = b.readUInt16BE(i + 2);
    if (len < 2) throw new ImageStreamError(`bad JPEG segment length ${len} at byte ${i}`);
    i += 2 + len;
    if (marker === 0xda) break;
  }
  // entropy-coded data (possibly several scans)
  for (; i + 1 < b.length; i++) {
    if (b[i] !== 0xff) continue;
    const next = b[i + 1];
    if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) continue;
    if (next === 0xd9) return i + 2;
    // another marker segment between scans (DHT, SOS of a progressive JPEG…): skip it
    if (i + 4 > b.length) return undefined;
    i += 1 + b.readUInt16BE(i + 2);
  }
  return undefined;
}

function pngEnd(b: Buffer): number | undefined {
  if (b.length < 8) return undefined;
  if (!b.subarray(0, 8).equals(PNG_SIGNATURE)) throw new ImageStreamError('expected a PNG signature');
  let i = 8;
  for (;;) {
    if (i + 8 > b.length) return undefined;
    const len = b.readUInt32BE(i);
    if (len > IMAGE_MAX_BYTES) throw new ImageStreamError(`PNG chunk of ${len} bytes`);
    const type = b.toString('latin1', i + 4, i + 8);
    const end = i + 12 + len;
    if (end > b.length) return undefined;
    if (type === 'IEND') return end;
    i = end;
  }
}

function bmpEnd(b: Buffer): number | undefined {
  if (b.length < 6) return undefined;
  if (b[0] !== 0x42 || b[1] !== 0x4d) throw new ImageStreamError('expected a BMP header (BM)');
  const size = b.readUInt32LE(2);
  if (size < 26 || size > IMAGE_MAX_BYTES) throw new ImageStreamError(`BMP of ${size} bytes`);
  return size <= b.length ? size : undefined;
}
