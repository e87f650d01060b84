import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { splitLines } from '../../../../edge-agent/recorder/line-splitter';

/** Feeds `chunks` (bytes, as a pipe would cut them) through splitLines and returns the lines it gave. */
async function lines(chunks: Array<string | Buffer>, skip: string[] = []): Promise<string[]> {
  const stream = new PassThrough();
  const got: string[] = [];
  splitLines(stream, skip, (l) => got.push(l));
  for (const c of chunks) stream.write(typeof c === 'string' ? Buffer.from(c) : c);
  stream.end();
  await new Promise((r) => stream.on('end', r));
  return got;
}

describe('splitLines (ffmpeg stderr)', () => {
  it('gives each line once, whole, however the pipe cuts the bytes; CRLF and a last unterminated line included', async () => {
    assert.deepEqual(await lines(['Input #0, rt', 'sp, from ...\nStream #0:0: Vid', 'eo: h264\r\n\nlast']), ['Input #0, rtsp, from ...', 'Stream #0:0: Video: h264', '', 'last']);
  });

  it('skips the lines that start with a given prefix, and only those', async () => {
    const got = await lines(
      ["[noise @ 0x55d] Stream #0 packet 1 pts 3600 - amount 0 drop 0\n[segment @ 0x5] segment:'a.ts' starts with packet stream:0 pts:0 pts_time:0 frame:0\n", ' [noise @ 0x1] not at the start\n[nois', 'e @ 0x2] cut across chunks\n[noise'],
      ['[noise @ '],
    );
    assert.deepEqual(got, ["[segment @ 0x5] segment:'a.ts' starts with packet stream:0 pts:0 pts_time:0 frame:0", ' [noise @ 0x1] not at the start', '[noise']);
  });

  it('never splits a UTF-8 character cut between two chunks', async () => {
    const bytes = Buffer.from('caméra «porte»\n');
    assert.deepEqual(await lines([bytes.subarray(0, 4), bytes.subarray(4, 5), bytes.subarray(5)]), ['caméra «porte»']);
  });

  it('hands over a line without a newline in pieces of at most 64 KiB instead of buffering it without bound', async () => {
    const got = await lines(['x'.repeat(70 * 1024), 'y\n']);
    assert.equal(got.length, 2);
    assert.equal(got[0], 'x'.repeat(70 * 1024));
    assert.equal(got[1], 'y');
  });
});
