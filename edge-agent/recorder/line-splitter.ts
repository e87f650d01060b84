import type { Readable } from 'node:stream';

/** A line longer than this (bytes) is handed over in pieces rather than buffered without bound. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * Calls `onLine` for each `\n`-terminated line of `stream` (UTF-8, without its `\n` or a trailing `\r`; the last
 * unterminated line at the stream's end too), except the lines that start with one of `skipPrefixes`: those are
 * recognised on the bytes and never decoded into strings. Made for ffmpeg's stderr at `-loglevel verbose`, where the
 * start guard's `noise` bitstream filter writes one line per video packet (25 a second for a 25 fps camera) that the
 * recorder never reads (ffmpeg-args.ts `DROP_UNTIMED_START`): `readline` would make a string and an event of each.
 * A UTF-8 character is never split: lines are cut only at `\n` bytes, which never occur inside a multi-byte character.
 * @param skipPrefixes ASCII prefixes, e.g. `['[noise @ ']`
 */
export function splitLines(stream: Readable, skipPrefixes: readonly string[], onLine: (line: string) => void): void {
  const prefixes = skipPrefixes.map((p) => Buffer.from(p, 'latin1'));
  let rest: Buffer | undefined;
  const emit = (buf: Buffer, start: number, end: number): void => {
    if (end > start && buf[end - 1] === 0x0d) end--;
    for (const p of prefixes) {
      if (end - start >= p.length && buf.compare(p, 0, p.length, start, start + p.length) === 0) return;
    }
    onLine(buf.toString('utf8', start, end));
  };
  stream.on('data', (chunk: Buffer) => {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    rest = undefined;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      emit(buf, start, nl);
      start = nl + 1;
    }
    if (buf.length - start > MAX_LINE_BYTES) emit(buf, start, buf.length);
    else if (start < buf.length) rest = Buffer.from(buf.subarray(start));
  });
  stream.on('end', () => {
    if (rest?.length) emit(rest, 0, rest.length);
    rest = undefined;
  });
}
