import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparePackets, parseFramemd5 } from '../../../../shared/export/packet-hashes';

/** framemd5 text in ffmpeg 5.1's layout; packets as [stream, size, md5 digit]. */
function framemd5(packets: Array<[number, number, string]>, extradata = 'ac4e083c48f9cd79793036d2c3b6df68'): string {
  return [
    '#format: frame checksums',
    '#version: 2',
    '#hash: MD5',
    `#extradata 0,                              47, ${extradata}`,
    '#tb 0: 1/90000',
    '#stream#, dts,        pts, duration,     size, hash',
    ...packets.map(([s, size, d], i) => `${s},      ${i * 3000},          ${i * 3000},     3000,     ${size}, ${d.repeat(32)}`),
  ].join('\n');
}

describe('parseFramemd5 and comparePackets', () => {
  const reference = parseFramemd5(framemd5([[0, 5249, 'a'], [1, 300, 'f'], [0, 631, 'b'], [0, 206, 'c'], [1, 301, 'e']]));

  it('parses packets per stream in order, with the extradata line', () => {
    assert.deepEqual(reference.streams.get(0), [{ size: 5249, md5: 'a'.repeat(32) }, { size: 631, md5: 'b'.repeat(32) }, { size: 206, md5: 'c'.repeat(32) }]);
    assert.equal(reference.streams.get(1)?.length, 2);
    assert.equal(reference.extradata.get(0), '47 ac4e083c48f9cd79793036d2c3b6df68');
    assert.throws(() => parseFramemd5('0, 1, 2, 3\n'), /line 1 is not a packet line/);
  });

  it('accepts the same packets, or the first ones of each stream (the export cut at its end)', () => {
    assert.deepEqual(comparePackets(reference, reference).problems, []);
    const cut = comparePackets(parseFramemd5(framemd5([[0, 5249, 'a'], [1, 300, 'f'], [0, 631, 'b']])), reference);
    assert.deepEqual([cut.problems, [...cut.matched]], [[], [[0, 2], [1, 1]]]);
  });

  it('refuses a changed packet, a packet left out in between, an added one, another stream or codec configuration', () => {
    const changed = comparePackets(parseFramemd5(framemd5([[0, 5249, 'a'], [1, 300, 'f'], [0, 631, 'd']])), reference);
    assert.match(changed.problems.join('\n'), /stream 0: packet 1 differs/);
    const skipped = comparePackets(parseFramemd5(framemd5([[0, 5249, 'a'], [1, 300, 'f'], [0, 206, 'c']])), reference);
    assert.match(skipped.problems.join('\n'), /stream 0: packet 1 differs/);
    const added = comparePackets(parseFramemd5(framemd5([[0, 5249, 'a'], [1, 300, 'f'], [0, 631, 'b'], [0, 206, 'c'], [0, 10, 'c'], [1, 301, 'e']])), reference);
    assert.match(added.problems.join('\n'), /stream 0: the MP4 has 4 packets, the segments only 3/);
    const videoOnly = comparePackets(parseFramemd5(framemd5([[0, 5249, 'a']])), reference);
    assert.match(videoOnly.problems.join('\n'), /streams \[0\], the segments \[0,1\]/);
    const otherConfig = comparePackets(parseFramemd5(framemd5([[0, 5249, 'a'], [1, 300, 'f']], '0'.repeat(32))), reference);
    assert.match(otherConfig.problems.join('\n'), /stream 0: codec configuration/);
  });
});
