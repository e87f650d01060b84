import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodePreviewFrame } from '../../../../../functions/adapters/ffmpeg/ffmpeg-preview';
import { FFMPEG } from '../../../../helpers/ffmpeg';
import { grayPicture, meanAbsoluteDifference } from '../../../../helpers/gray-frames';

const CMP = { width: 160, height: 120 };

describe('decodePreviewFrame (real ffmpeg)', () => {
  let dir: string;
  let source: string;
  let slow: Buffer;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kw-preview-ffmpeg-'));
    // A camera sending one frame every 2 s (a moving test pattern with a frame counter), 10 s in one MPEG-TS segment.
    source = path.join(dir, 'slow.mkv');
    const make = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=0.5', '-t', '10', '-c:v', 'ffv1', source]);
    assert.equal(make.status, 0, make.stderr.toString());
    const ts = path.join(dir, 'slow.ts');
    const enc = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-i', source, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '5', '-f', 'mpegts', ts]);
    assert.equal(enc.status, 0, enc.stderr.toString());
    slow = readFileSync(ts);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a camera slower than one frame a second: the window before the instant is empty, so the whole segment is searched', async () => {
    const jpeg = await decodePreviewFrame(FFMPEG, slow, 3500, 320); // frames at 0, 2, 4 … s: the one at 2 s
    const mine = await grayPicture(jpeg, CMP);
    const [at2, at4, at0] = await Promise.all([2, 4, 0].map(async (s) => meanAbsoluteDifference(mine, await grayPicture(source, { ...CMP, atS: s }))));
    assert.ok(at2 < 3, `vs the frame at 2 s: ${at2.toFixed(2)}`);
    assert.ok(at4 > at2 && at0 > at2, `vs 4 s ${at4.toFixed(2)}, vs 0 s ${at0.toFixed(2)}`);
  });

  it('an instant exactly on a frame gives that frame', async () => {
    const mine = await grayPicture(await decodePreviewFrame(FFMPEG, slow, 4000, 320), CMP);
    const [at4, at2] = await Promise.all([4, 2].map(async (s) => meanAbsoluteDifference(mine, await grayPicture(source, { ...CMP, atS: s }))));
    assert.ok(at4 < 3 && at2 > at4, `vs 4 s ${at4.toFixed(2)}, vs 2 s ${at2.toFixed(2)}`);
  });

  it('bytes the keyframe cut cannot read (not whole TS packets) are decoded from the segment start, to the same frame', async () => {
    const padded = Buffer.concat([slow, Buffer.alloc(100)]);
    const mine = await grayPicture(await decodePreviewFrame(FFMPEG, padded, 7000, 320), CMP);
    const [at6, at8] = await Promise.all([6, 8].map(async (s) => meanAbsoluteDifference(mine, await grayPicture(source, { ...CMP, atS: s }))));
    assert.ok(at6 < 3 && at8 > at6, `vs 6 s ${at6.toFixed(2)}, vs 8 s ${at8.toFixed(2)}`);
  });

  it('bytes that are not MPEG-TS are an error naming what ffmpeg said', async () => {
    await assert.rejects(decodePreviewFrame(FFMPEG, Buffer.alloc(4096, 7), 1000, 320), /ffmpeg found no frame at or before 1000 ms into the segment/);
  });
});
