import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticsReader, type RecorderDiagnostic } from '../../../../edge-agent/recorder/ffmpeg-diagnostics';

const feed = (lines: string[]): RecorderDiagnostic[] => {
  const r = new DiagnosticsReader();
  return lines.flatMap((l) => r.line(l));
};

// Lines as ffmpeg 4.1 prints them at -loglevel verbose (copied from real runs).
const CAR_INPUT = [
  "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/srv/clips/car-detection.mp4':",
  '    Stream #0:0(eng): Video: h264 (Baseline), 1 reference frame (avc1 / 0x31637661), yuv420p(tv, smpte170m, left), 768x432, 614 kb/s, 12.50 fps, 12.50 tbr, 25k tbn, 25 tbc (default)',
  '    Stream #0:1(eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 125 kb/s (default)',
  "Output #0, segment, to '/cache/cam1/x-%06d.ts':",
  '    Stream #0:0(eng): Video: h264 (Baseline), 1 reference frame (avc1 / 0x31637661), yuv420p(tv, smpte170m, left), 768x432 (0x0), q=2-31, 614 kb/s, 12.50 fps, 12.50 tbr, 90k tbn, 25k tbc (default)',
  'Stream mapping:',
];

describe('DiagnosticsReader (ffmpeg stderr → AVA-style diagnostics)', () => {
  it('reports the established session once, with the input streams only', () => {
    assert.deepEqual(feed([...CAR_INPUT, ...CAR_INPUT.slice(3)]), [
      {
        kind: 'session-established',
        video: 'h264 (Baseline), 1 reference frame (avc1 / 0x31637661), yuv420p(tv, smpte170m, left), 768x432, 614 kb/s, 12.50 fps, 12.50 tbr, 25k tbn, 25 tbc (default)',
        audio: ['aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 125 kb/s (default)'],
        stream: {
          video: { codec: 'h264', profile: 'Baseline', widthPx: 768, heightPx: 432, fps: 12.5 },
          audio: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 2 },
        },
      },
    ]);
  });

  it('the established session of a camera without audio says audio: null', () => {
    // ffmpeg 5.1 -loglevel verbose on the test RTSP server serving one-by-one-person-detection.mp4.
    const [d] = feed([
      "Input #0, rtsp, from 'rtsp://127.0.0.1:33999/person':",
      '  Stream #0:0: Video: h264 (Main), 1 reference frame, yuv420p(tv, smpte170m, progressive, left), 768x432, 10 fps, 10 tbr, 90k tbn',
      "Output #0, segment, to '/cache/cam1/x-%06d.ts':",
    ]);
    assert.equal(d.kind, 'session-established');
    assert.deepEqual((d as { stream?: unknown }).stream, { video: { codec: 'h264', profile: 'Main', widthPx: 768, heightPx: 432, fps: 10 }, audio: null });
  });

  it('says nothing of why a session ends: refused connections, 401, 404 are named when it is over (session-failure.ts)', () => {
    assert.deepEqual(
      feed([
        '[tcp @ 0x2da01c00] Connection to tcp://127.0.0.1:1?timeout=0 failed: Connection refused',
        'rtsp://127.0.0.1:1/nothing: Connection refused',
        '[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found',
        '[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized',
        'rtsp://admin:s3cret@10.0.0.5/stream: Server returned 401 Unauthorized (authorization failed)',
      ]),
      [],
    );
  });

  it('no unsupported-format from the stream lines: G.711 audio is encoded to AAC, another video codec ends the session', () => {
    const g711 = feed([
      "Input #0, rtsp, from 'rtsp://cam/stream':",
      '    Stream #0:0: Video: h264 (Main), yuv420p(progressive), 1920x1080, 25 fps, 25 tbr, 90k tbn, 50 tbc',
      '    Stream #0:1: Audio: pcm_mulaw, 8000 Hz, mono, s16, 64 kb/s',
      'Stream mapping:',
    ]);
    assert.deepEqual(g711.map((d) => d.kind), ['session-established']);
    assert.match((g711[0] as { audio: string[] }).audio[0], /^pcm_mulaw/);
    // A video codec other than H.264/H.265 ends the session: session-failure.ts names it (cause unsupported-codec).
    assert.deepEqual(feed(["Input #0, rtsp, from 'x':", '    Stream #0:0: Video: mjpeg, yuvj420p(pc), 640x480, 10 fps', 'Stream mapping:']).map((d) => d.kind), ['session-established']);
  });

  it('dropped data once per session, not per packet', () => {
    assert.deepEqual(feed(['[rtsp @ 0x1] RTP: missed 12 packets', '[rtsp @ 0x1] RTP: missed 3 packets', '[rtsp @ 0x1] max delay reached. need to consume packet']), [
      { kind: 'data-dropped', message: 'RTP: missed 12 packets' },
    ]);
    assert.deepEqual(feed(['frame=  100 fps= 25', '[segment @ 0x1] Opening x for writing']), [], 'ordinary lines say nothing');
  });

  it('a cache ffmpeg cannot write: storage-error', () => {
    assert.deepEqual(feed(['[segment @ 0x1] Failure occurred when ending segment \'/cache/cam1/a-000003.ts\'', 'av_interleaved_write_frame(): No space left on device']), [
      { kind: 'storage-error', message: 'av_interleaved_write_frame(): No space left on device', cause: 'storage' },
    ]);
  });
});
