import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewCutArgs, previewFrameArgs } from '../../../../../functions/adapters/ffmpeg/ffmpeg-preview';

describe('previewFrameArgs', () => {
  it('keeps the frames from the window start to the instant (inclusive, whole ms), scales without enlarging, writes the last one as one JPEG', () => {
    const args = previewFrameArgs(2300, 320, 1300);
    assert.deepEqual(args.slice(args.indexOf('-i'), args.indexOf('-i') + 2), ['-i', 'pipe:0']);
    assert.equal(args[args.indexOf('-vf') + 1], "setpts=PTS-STARTPTS,trim=start=1.3000:end=2.3005,scale='min(320,iw)':-2,reverse");
    assert.deepEqual(args.slice(args.indexOf('-frames:v'), args.indexOf('-frames:v') + 2), ['-frames:v', '1']);
    assert.deepEqual(args.slice(-5), ['-q:v', '3', '-f', 'image2pipe', 'pipe:1']);
    assert.ok(args.includes('mjpeg'));
  });

  it('from 0 searches the whole segment up to the instant', () => {
    const args = previewFrameArgs(0, 1280, 0);
    assert.match(args[args.indexOf('-vf') + 1], /trim=start=0\.0000:end=0\.0005,scale='min\(1280,iw\)':-2/);
  });
});

describe('previewCutArgs', () => {
  it('keeps the stream\'s own timestamps and trims by PTS (90 kHz) up to half a millisecond past the instant', () => {
    const args = previewCutArgs(1_755_000, 1_782_000, 640);
    assert.ok(args.indexOf('-copyts') < args.indexOf('-i'), '-copyts is an input-side option');
    assert.equal(args[args.indexOf('-vf') + 1], "trim=start=19.500000:end=19.800500,scale='min(640,iw)':-2,reverse");
    assert.deepEqual(args.slice(-7), ['-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2pipe', 'pipe:1'].slice(-7));
  });
});
