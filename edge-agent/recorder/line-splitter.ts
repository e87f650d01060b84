import type { Readable } from 'node:stream';

/** A line longer than this (bytes) is handed over in pieces rather than buffered without bound. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * Cuts bytes into `\n`-terminated lines (UTF-8, without the `\n` or a trailing `\r`) and calls `onLine` for each,
 * except the lines that start with one of `skipPrefixes`: those are recognised on the bytes and never decoded into
 * strings. Made for ffmpeg's stderr at `-loglevel verbose`, where the start guard's `noise` bitstream filter writes one
 * line per video packet (25 a second for a 25 fps camera) that the recorder never reads (ffmpeg-args.ts
 * `DROP_UNTIMED_START`). A UTF-8 character is never split: lines are cut only at `\n` bytes, which never occur inside a
 * multi-byte character.
 */
export class LineSplitter {
  private readonly prefixes: Buffer[];
  private rest: Buffer | undefined;

  /** @param skipPrefixes ASCII prefixes, e.g. `['[noise @ ']` */
  constructor(
    skipPrefixes: readonly string[],
    private readonly onLine: (line: string) => void,
  ) {
    this.prefixes = skipPrefixes.map((p) => Buffer.from(p, 'latin1'));
  }

  /** Takes the next bytes; `chunk` is not kept (the caller may reuse its memory once this returns). */
  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      this.emit(buf, start, nl);
      start = nl + 1;
    }
    if (buf.length - start > MAX_LINE_BYTES) this.emit(buf, start, buf.length);
    else if (start < buf.length) this.rest = Buffer.from(buf.subarray(start));
  }

  /** The input ended: a last unterminated line is given too. */
  end(): void {
    const rest = this.rest;
    this.rest = undefined;
    if (rest?.length) this.emit(rest, 0, rest.length);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === 0x0d) end--;
    for (const p of this.prefixes) {
      if (end - start >= p.length && buf.compare(p, 0, p.length, start, start + p.length) === 0) return;
    }
    this.onLine(buf.toString('utf8', start, end));
  }
}

/**
 * Calls `onLine` for each `\n`-terminated line of `stream` (the last unterminated line at the stream's end too), except
 * the lines that start with one of `skipPrefixes` ({@link LineSplitter}).
 * @param skipPrefixes ASCII prefixes, e.g. `['[noise @ ']`
 */
export function splitLines(stream: Readable, skipPrefixes: readonly string[], onLine: (line: string) => void): void {
  const splitter = new LineSplitter(skipPrefixes, onLine);
  stream.on('data', (chunk: Buffer) => splitter.push(chunk));
  stream.on('end', () => splitter.end());
}
