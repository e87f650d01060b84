import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extensionSampleOutputArgs, extensionScaleFilter, motionFrameOutputArgs, recorderArgs } from '../../../../edge-agent/recorder/ffmpeg-args';
import { parseDecodedFrameInfo, parseOutputVideoSize, parseVideoStartPts } from '../../../../edge-agent/recorder/ffmpeg-output';
import { FrameClock } from '../../../../edge-agent/recorder/frame-clock';
import { RawFrameSplitter } from '../../../../edge-agent/recorder/raw-frame-splitter';
import { parseAgentConfig } from '../../../../shared/schemas/agent-config';

const camera = (extra: Record<string, unknown>) =>
  parseAgentConfig({ deviceId: 'd', cameras: [{ id: 'c', url: 'rtsp://h/s', ...extra }], broker: { url: 'mqtt://h' }, upload: { connectionString: 'x' } }).cameras[0];

describe('recorder decoded outputs: ffmpeg arguments', () => {
  it('without motion or extension the arguments end at the segment output (recording unchanged)', () => {
    const args = recorderArgs(camera({}), 10_000, '/c/s-%06d.ts', 'drop-untimed');
    assert.equal(args.at(-1), '/c/s-%06d.ts');
    assert.equal(args.filter((a) => a === '-map').length, 2);
  });

  it('motion adds a grey rawvideo output on fd 5 after the codec-copy output', () => {
    const args = recorderArgs(camera({ motionDetection: { frameWidth: 160, frameRate: 2 } }), 10_000, '/c/s-%06d.ts', 'genpts');
    const seg = args.indexOf('/c/s-%06d.ts');
    assert.deepEqual(args.slice(seg + 1), ['-map', '0:v:0', '-an', '-vf', 'scale=160:-2,fps=2,format=gray', '-f', 'rawvideo', 'pipe:5']);
    assert.deepEqual(args.slice(args.indexOf('-c'), args.indexOf('-c') + 2), ['-c', 'copy']);
    assert.ok(args.indexOf('-c') < seg);
    assert.deepEqual(motionFrameOutputArgs({ frameWidth: 320, frameRate: 5 }).slice(3, 5), ['-vf', 'scale=320:-2,fps=5,format=gray']);
  });

  it('a guarded RTSP session logs the first decoded output\'s frames (showinfo), once: its segments start later than its decoding', () => {
    const both = recorderArgs(camera({ motionDetection: { frameWidth: 160, frameRate: 2 }, httpExtension: { url: 'http://h/x', maximumSamplesPerSecond: 2 } }), 10_000, '/c/s-%06d.ts', 'drop-untimed');
    assert.deepEqual(both.filter((a) => a.includes('showinfo')), ['scale=160:-2,fps=2,format=gray,showinfo=checksum=0']);
    const ext = recorderArgs(camera({ httpExtension: { url: 'http://h/x', maximumSamplesPerSecond: 2 } }), 10_000, '/c/s-%06d.ts', 'drop-untimed');
    assert.deepEqual(ext.filter((a) => a.includes('showinfo')), ['fps=2,showinfo=checksum=0,format=yuvj420p']);
    const legacy = recorderArgs(camera({ motionDetection: {} }), 10_000, '/c/s-%06d.ts', 'genpts');
    assert.ok(!legacy.some((a) => a.includes('showinfo')), 'the 2018 build has no showinfo checksum option and drops nothing');
    assert.deepEqual(parseDecodedFrameInfo('[Parsed_showinfo_3 @ 0x563d0c3d3a80] n:   0 pts:      1 pts_time:0.2     pos:       -1 fmt:gray sar:0/1 s:320x180 i:P iskey:1 type:I'), { index: 0, ptsTimeS: 0.2 });
    assert.deepEqual(parseDecodedFrameInfo('[Parsed_showinfo_3 @ 0x563d0c3d3a80] n:  12 pts:     13 pts_time:2.6     pos:       -1 fmt:gray'), { index: 12, ptsTimeS: 2.6 });
    assert.equal(parseDecodedFrameInfo('[segment @ 0x5] segment:\'a.ts\' starts with packet stream:0 pts:198000 pts_time:2.2 frame:0'), undefined);
  });

  it('the extension output encodes at maximumSamplesPerSecond in the configured format on fd 6', () => {
    const x = (image: Record<string, unknown>) => camera({ httpExtension: { url: 'http://h/x', maximumSamplesPerSecond: 2, image } }).httpExtension!;
    assert.deepEqual(extensionSampleOutputArgs(x({})), ['-map', '0:v:0', '-an', '-vf', 'fps=2,format=yuvj420p', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:6']);
    assert.deepEqual(extensionSampleOutputArgs(x({ quality: 100 })).slice(7, 9), ['-q:v', '2']);
    assert.deepEqual(extensionSampleOutputArgs(x({ quality: 0 })).slice(7, 9), ['-q:v', '31']);
    assert.deepEqual(extensionSampleOutputArgs(x({ format: 'png' })).slice(3, 7), ['-vf', 'fps=2,format=rgb24', '-c:v', 'png']);
    assert.deepEqual(extensionSampleOutputArgs(x({ format: 'bmp' })).slice(3, 7), ['-vf', 'fps=2,format=bgr24', '-c:v', 'bmp']);
  });

  it('scale modes follow AVA: stretch, pad (bars), preserveAspectRatio with one or two sides', () => {
    assert.deepEqual(extensionScaleFilter(undefined), []);
    assert.deepEqual(extensionScaleFilter({ mode: 'stretch', width: 300, height: 200 }), ['scale=300:200']);
    assert.deepEqual(extensionScaleFilter({ mode: 'pad', width: 416, height: 416 }), ['scale=416:416:force_original_aspect_ratio=decrease', 'pad=416:416:(ow-iw)/2:(oh-ih)/2']);
    assert.deepEqual(extensionScaleFilter({ mode: 'preserveAspectRatio', width: 400 }), ['scale=400:-2']);
    assert.deepEqual(extensionScaleFilter({ mode: 'preserveAspectRatio', height: 240 }), ['scale=-2:240']);
    assert.deepEqual(extensionScaleFilter({ mode: 'preserveAspectRatio', width: 400, height: 400 }), ['scale=400:400:force_original_aspect_ratio=decrease']);
  });
});

describe('recorder decoded outputs: ffmpeg stderr', () => {
  it('reads the output size from the output dump, not from the FourCC or another output', () => {
    const line = '    Stream #1:0(eng): Video: rawvideo, 1 reference frame (Y800 / 0x30303859), gray(left), 320x180, q=2-31, 2304 kb/s, 5 fps, 5 tbn, 5 tbc (default)';
    assert.deepEqual(parseOutputVideoSize(line, 1), { width: 320, height: 180 });
    assert.equal(parseOutputVideoSize(line, 2), undefined);
    assert.equal(parseOutputVideoSize('  Stream #0:0 -> #1:0 (h264 (native) -> rawvideo (native))', 1), undefined);
    assert.deepEqual(parseOutputVideoSize('    Stream #1:0: Video: rawvideo (Y800 / 0x30303859), gray, 160x90, q=2-31', 1), { width: 160, height: 90 });
  });

  it('takes the first video packet time, not an audio one', () => {
    assert.equal(parseVideoStartPts("[segment @ 0x1] segment:'/c/s-000000.ts' starts with packet stream:0 pts:126000 pts_time:1.4 frame:0"), 1.4);
    assert.equal(parseVideoStartPts("[segment @ 0x1] segment:'/c/s-000000.ts' starts with packet stream:1 pts:0 pts_time:0 frame:0"), undefined);
  });
});

describe('RawFrameSplitter', () => {
  it('holds bytes until the size is known, then cuts whole frames across chunk borders', () => {
    const s = new RawFrameSplitter();
    const stream = Buffer.from(Array.from({ length: 14 }, (_, i) => i));
    assert.deepEqual(s.push(stream.subarray(0, 5)), []);
    assert.deepEqual(s.setSize(2, 2), [stream.subarray(0, 4)]);
    assert.deepEqual(s.push(stream.subarray(5, 13)), [stream.subarray(4, 8), stream.subarray(8, 12)]);
    assert.deepEqual(s.push(stream.subarray(13)), []);
  });
});

describe('FrameClock', () => {
  it('places frame n at base + n × interval, holding frames until the base is known and dropping the oldest beyond the cap', () => {
    const out: Array<[string, number]> = [];
    const c = new FrameClock<string>(200, 2, (f, at) => out.push([f, at]));
    assert.equal(c.add('a'), 0);
    assert.equal(c.add('b'), 0);
    assert.equal(c.add('c'), 1); // 'a' dropped
    assert.deepEqual(out, []);
    c.setBase(10_000);
    c.add('d');
    assert.deepEqual(out, [['b', 10_200], ['c', 10_400], ['d', 10_600]]);
    c.setBase(10_050); // re-anchored: later frames move with it
    c.add('e');
    assert.deepEqual(out.at(-1), ['e', 10_850]);
  });
});
