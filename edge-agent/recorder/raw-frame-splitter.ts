/**
 * Cuts ffmpeg's `-f rawvideo` byte stream (one grey byte per pixel, frames back to back, no header) into frames of
 * `width * height` bytes. Bytes that arrive before the size is known are kept and cut once `setSize` is called
 * (ffmpeg prints the size on stderr, which may be read after the first frame's bytes). Pure: no I/O.
 */
export class RawFrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameBytes = 0;

  /** Sets the frame size (px); returns the frames already complete. */
  setSize(width: number, height: number): Buffer[] {
    this.frameBytes = width * height;
    return this.push(Buffer.alloc(0));
  }

  /** Size of one frame in bytes, 0 while unknown. */
  get bytesPerFrame(): number {
    return this.frameBytes;
  }

  /** Adds bytes from the pipe; returns the frames completed, in order (each its own copy). */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    if (!this.frameBytes || this.buffered < this.frameBytes) return [];
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const out: Buffer[] = [];
    let at = 0;
    for (; at + this.frameBytes <= all.length; at += this.frameBytes) out.push(Buffer.from(all.subarray(at, at + this.frameBytes)));
    const rest = all.subarray(at);
    this.chunks = rest.length ? [Buffer.from(rest)] : [];
    this.buffered = rest.length;
    return out;
  }
}
