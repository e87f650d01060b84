import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegmentListLine, parseSegmentStartLine } from '../../../../edge-agent/recorder/ffmpeg-output';
import { listedStartWallMs, nextFileName } from '../../../../edge-agent/recorder/camera-recorder';

describe('ffmpeg output parsing', () => {
  it('reads CSV segment list entries, quoted or not', () => {
    assert.deepEqual(parseSegmentListLine('s-000001.ts,4.100000,8.100000'), { fileName: 's-000001.ts', startS: 4.1, endS: 8.1 });
    assert.deepEqual(parseSegmentListLine('"a,""b"".ts",0.000000,2.5'), { fileName: 'a,"b".ts', startS: 0, endS: 2.5 });
    assert.equal(parseSegmentListLine('frame=  10 fps=0.0'), undefined);
    assert.equal(parseSegmentListLine(''), undefined);
  });

  it('reads the segment muxer start line (ffmpeg 4.x verbose format)', () => {
    const line = "[segment @ 0x19033bc0] segment:'seg/dir/s-000001.ts' starts with packet stream:0 pts:369000 pts_time:4.1 frame:40";
    assert.deepEqual(parseSegmentStartLine(line), { fileName: 's-000001.ts', ptsTimeS: 4.1 });
    assert.equal(parseSegmentStartLine("[segment @ 0x1] segment:'s-000000.ts' count:0 ended"), undefined);
  });

  it('names the next segment file of the %06d pattern', () => {
    assert.equal(nextFileName('20261121T100000Z-ab12-000009.ts'), '20261121T100000Z-ab12-000010.ts');
    assert.equal(nextFileName('x-999999.ts'), 'x-1000000.ts');
  });

  it('a start line read in a batch is observed at the read time of its predecessor\'s list line, and only its first one', () => {
    const listed = { fileName: 's-000004.ts', wallMs: 1_000 };
    assert.equal(listedStartWallMs('s-000005.ts', listed, false), 1_000, 'the next segment: the list line was written as its first packet was muxed');
    assert.equal(listedStartWallMs('s-000005.ts', listed, true), undefined, 'a repeated start line (audio packet) comes later: no observation');
    assert.equal(listedStartWallMs('s-000006.ts', listed, false), undefined, 'not the segment after the listed one');
    assert.equal(listedStartWallMs('s-000005.ts', undefined, false), undefined, 'nothing listed yet');
  });
});
