import { open } from 'node:fs/promises';

/**
 * Largest buffer (bytes) a {@link SegmentReadBuffer} keeps between reads: 16 MiB holds a PT10S segment up to about
 * 12 Mbit/s. A larger file is read into a buffer of its own, dropped after its upload.
 */
export const KEPT_READ_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Reads whole segment files into one buffer that it keeps and reuses, grown to the largest file read (up to
 * `maxKeptBytes`). One per upload worker: a worker uploads one segment at a time, so the bytes of one read are not
 * needed once the next read starts.
 *
 * Why: a fresh buffer per segment (`readFile`) is memory outside V8's heap that V8 counts towards collecting the
 * old generation. With many cameras, whose segments close at the same moment, that churn started several full
 * garbage collections every segment length; measured at 16 cameras (`--trace-gc`, docs/benchmarks.md), 13 full
 * collections in 50 s of recording, besides the page faults of touching new memory each time.
 */
export class SegmentReadBuffer {
  private kept?: Buffer;

  /** @param maxKeptBytes largest buffer kept between reads, bytes (default {@link KEPT_READ_BUFFER_MAX_BYTES}) */
  constructor(private readonly maxKeptBytes = KEPT_READ_BUFFER_MAX_BYTES) {}

  /**
   * The file's bytes as they are now (a file shorter than its size when opened gives what could be read).
   * @returns a view of the kept buffer, **valid until the next `read`**; a file over `maxKeptBytes` gets its own buffer
   * @throws the fs error (ENOENT when the file is gone)
   */
  async read(path: string): Promise<Buffer> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const target = size > this.maxKeptBytes ? Buffer.allocUnsafeSlow(size) : this.bufferOf(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await file.read(target, filled, size - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return target.subarray(0, filled);
    } finally {
      await file.close();
    }
  }

  /** The kept buffer, replaced by a larger one (a quarter more than asked, within the cap) when `size` does not fit. */
  private bufferOf(size: number): Buffer {
    if (!this.kept || this.kept.length < size) this.kept = Buffer.allocUnsafeSlow(Math.min(this.maxKeptBytes, Math.ceil(size * 1.25)));
    return this.kept;
  }
}
