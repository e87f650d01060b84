import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAudioDescription, parseStreamLine, parseVideoDescription, streamInfoFromDescriptions } from '../../../../edge-agent/recorder/ffmpeg-stream-info';
import { streamInfoSchema, type AudioStreamInfo, type VideoStreamInfo } from '../../../../shared/contracts/stream-info';

// Every line below was copied from a real run of `ffmpeg -hide_banner -nostats -loglevel verbose [-rtsp_transport tcp]
// -i INPUT -t 1 -map 0 -c copy -f mpegts /dev/null`, with Debian's ffmpeg 5.1.9 ("5.1") and the 2018 static build in
// node_modules/@ffmpeg-installer ("4.1", N-47683). INPUT was:
// - rtsp-server: testbed/rtsp-server.py serving the media clips and files made with
//   `ffmpeg -f lavfi -i testsrc2=… [-f lavfi -i sine=…] -c:v libx264|libx265 -profile:v … [-c:a aac|pcm_mulaw]`;
// - gst: gst-rtsp-server with a launch line `videotestsrc ! x264enc|x265enc ! rtph26Xpay audiotestsrc ! mulawenc|alawenc ! rtppcmXpay`
//   (rtsp-server.py serves no G.711);
// - file: the clip or made file itself.
const VIDEO_CASES: { source: string; line: string; want: VideoStreamInfo }[] = [
  {
    source: '5.1, rtsp-server, H.264 High 720p25 yuvj420p (testsrc2, libx264 -profile:v high -pix_fmt yuvj420p)',
    line: '  Stream #0:0: Video: h264 (High), 1 reference frame, yuvj420p(pc, progressive, left), 1280x720 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 90k tbn',
    want: { codec: 'h264', profile: 'High', widthPx: 1280, heightPx: 720, fps: 25 },
  },
  {
    source: '4.1, rtsp-server, same stream',
    line: '    Stream #0:0: Video: h264 (High), 1 reference frame, yuvj420p(pc, progressive, left), 1280x720 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 90k tbn, 50 tbc',
    want: { codec: 'h264', profile: 'High', widthPx: 1280, heightPx: 720, fps: 25 },
  },
  {
    source: '5.1, file, the same H.264 High MP4 (codec tag, bitrate, stream id and language)',
    line: '  Stream #0:0[0x1](und): Video: h264 (High), 1 reference frame (avc1 / 0x31637661), yuvj420p(pc, progressive, left), 1280x720 [SAR 1:1 DAR 16:9], 2957 kb/s, 25 fps, 25 tbr, 12800 tbn (default)',
    want: { codec: 'h264', profile: 'High', widthPx: 1280, heightPx: 720, fps: 25 },
  },
  {
    source: '5.1, rtsp-server, bottle-detection.mp4 (High, B-frames, 29.83 fps, coded 640x368)',
    line: '  Stream #0:0: Video: h264 (High), 1 reference frame, yuv420p(progressive, left), 640x360 (640x368) [SAR 1:1 DAR 16:9], 29.83 fps, 29.83 tbr, 90k tbn',
    want: { codec: 'h264', profile: 'High', widthPx: 640, heightPx: 360, fps: 29.83 },
  },
  {
    source: '4.1, file, bottle-detection.mp4',
    line: '    Stream #0:0(eng): Video: h264 (High), 1 reference frame (avc1 / 0x31637661), yuv420p(left), 640x360 (640x368) [SAR 1:1 DAR 16:9], 98 kb/s, 29.83 fps, 29.83 tbr, 11456 tbn, 59.67 tbc (default)',
    want: { codec: 'h264', profile: 'High', widthPx: 640, heightPx: 360, fps: 29.83 },
  },
  {
    source: '5.1, rtsp-server, car-detection.mp4 (Baseline, 12.50 fps)',
    line: '  Stream #0:0: Video: h264 (Baseline), 1 reference frame, yuv420p(tv, smpte170m, progressive, left), 768x432, 12.50 fps, 12.50 tbr, 90k tbn',
    want: { codec: 'h264', profile: 'Baseline', widthPx: 768, heightPx: 432, fps: 12.5 },
  },
  {
    source: '4.1, rtsp-server, one-by-one-person-detection.mp4 (Main, 10 fps)',
    line: '    Stream #0:0: Video: h264 (Main), 1 reference frame, yuv420p(tv, smpte170m, progressive, left), 768x432, 10 fps, 10 tbr, 90k tbn, 20 tbc',
    want: { codec: 'h264', profile: 'Main', widthPx: 768, heightPx: 432, fps: 10 },
  },
  {
    source: '5.1, rtsp-server, H.264 Main 1080p30, no audio (coded 1920x1088)',
    line: '  Stream #0:0: Video: h264 (Main), 1 reference frame, yuv420p(progressive, left), 1920x1080 (1920x1088) [SAR 1:1 DAR 16:9], 30 fps, 30 tbr, 90k tbn',
    want: { codec: 'h264', profile: 'Main', widthPx: 1920, heightPx: 1080, fps: 30 },
  },
  {
    source: '5.1, gst, H.264 Constrained Baseline 640x480 15 fps (+ PCMU)',
    line: '  Stream #0:0: Video: h264 (Constrained Baseline), 1 reference frame, yuv420p(tv, smpte170m, progressive, center), 640x480 [SAR 1:1 DAR 4:3], 15 fps, 15 tbr, 90k tbn',
    want: { codec: 'h264', profile: 'Constrained Baseline', widthPx: 640, heightPx: 480, fps: 15 },
  },
  {
    source: '5.1, rtsp-server, H.265 Main 768x432 25 fps (libx265)',
    line: '  Stream #0:0: Video: hevc (Main), 1 reference frame, yuv420p(tv, left), 768x432 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 90k tbn',
    want: { codec: 'hevc', profile: 'Main', widthPx: 768, heightPx: 432, fps: 25 },
  },
  {
    source: '4.1, file, the same H.265 MP4 (hvc1 tag)',
    line: '    Stream #0:0(und): Video: hevc (Main), 1 reference frame (hvc1 / 0x31637668), yuv420p(tv, progressive), 768x432 [SAR 1:1 DAR 16:9], 713 kb/s, 25 fps, 25 tbr, 12800 tbn, 25 tbc (default)',
    want: { codec: 'hevc', profile: 'Main', widthPx: 768, heightPx: 432, fps: 25 },
  },
  {
    source: '4.1, gst, H.265 Rext 1080p20 (x265enc, 4:4:4 12 bit)',
    line: '    Stream #0:0: Video: hevc (Rext), 1 reference frame, yuv444p12le(tv, bt709), 1920x1080 [SAR 1:1 DAR 16:9], 20 fps, 20 tbr, 90k tbn, 20 tbc',
    want: { codec: 'hevc', profile: 'Rext', widthPx: 1920, heightPx: 1080, fps: 20 },
  },
  {
    source: '5.1, file, raw H.264 with its SPS/PPS removed (filter_units): no profile, `unspecified size`',
    line: '  Stream #0:0: Video: h264, 1 reference frame, none, 25.17 fps, 25 tbr, 1200k tbn',
    want: { codec: 'h264', profile: null, widthPx: null, heightPx: null, fps: 25.17 },
  },
  {
    source: '4.1, file, the same',
    line: '    Stream #0:0: Video: h264, 1 reference frame, none(left), 25.17 fps, 25 tbr, 1200k tbn, 50 tbc',
    want: { codec: 'h264', profile: null, widthPx: null, heightPx: null, fps: 25.17 },
  },
];

const AUDIO_CASES: { source: string; line: string; want: AudioStreamInfo }[] = [
  {
    source: '5.1 and 4.1, rtsp-server, AAC LC 48 kHz stereo',
    line: '  Stream #0:1: Audio: aac (LC), 48000 Hz, stereo, fltp',
    want: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 2 },
  },
  {
    source: '5.1, rtsp-server, AAC LC 48 kHz mono (with the H.265 stream)',
    line: '  Stream #0:1: Audio: aac (LC), 48000 Hz, mono, fltp',
    want: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 1 },
  },
  {
    source: '4.1, file, car-detection.mp4',
    line: '    Stream #0:1(eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 125 kb/s (default)',
    want: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 2 },
  },
  {
    source: '5.1 and 4.1, gst, PCMU (G.711 µ-law)',
    line: '  Stream #0:1: Audio: pcm_mulaw, 8000 Hz, mono, s16, 64 kb/s',
    want: { codec: 'pcm_mulaw', profile: null, sampleRateHz: 8000, channels: 1 },
  },
  {
    source: '5.1, gst, PCMA (G.711 A-law)',
    line: '  Stream #0:1: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s',
    want: { codec: 'pcm_alaw', profile: null, sampleRateHz: 8000, channels: 1 },
  },
  {
    source: '5.1, file, PCMU in Matroska (codec tag in brackets, which is not a profile)',
    line: '  Stream #0:1: Audio: pcm_mulaw ([7][0][0][0] / 0x0007), 8000 Hz, mono, s16, 64 kb/s',
    want: { codec: 'pcm_mulaw', profile: null, sampleRateHz: 8000, channels: 1 },
  },
  {
    source: '5.1, file, raw µ-law with -guess_layout_max 0: the count without a layout',
    line: '  Stream #0:0: Audio: pcm_mulaw, 8000 Hz, 1 channels, s16, 64 kb/s',
    want: { codec: 'pcm_mulaw', profile: null, sampleRateHz: 8000, channels: 1 },
  },
  {
    source: '4.1, file, the same with -ac 2',
    line: '    Stream #0:0: Audio: pcm_mulaw, 8000 Hz, 2 channels, s16, 128 kb/s',
    want: { codec: 'pcm_mulaw', profile: null, sampleRateHz: 8000, channels: 2 },
  },
  {
    source: '5.1, file, raw µ-law with -ac 3 (layout guessed as 2.1)',
    line: '  Stream #0:0: Audio: pcm_mulaw, 8000 Hz, 2.1, s16, 192 kb/s',
    want: { codec: 'pcm_mulaw', profile: null, sampleRateHz: 8000, channels: 3 },
  },
  {
    source: '5.1, file, AAC 44.1 kHz 5.1(side)',
    line: '  Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, 5.1, fltp, 189 kb/s (default)',
    want: { codec: 'aac', profile: 'LC', sampleRateHz: 44100, channels: 6 },
  },
];

describe('parseStreamLine (ffmpeg input stream lines → StreamInfo)', () => {
  for (const c of VIDEO_CASES) {
    it(`video: ${c.source}`, () => {
      assert.deepEqual(parseStreamLine(c.line), { type: 'video', video: c.want });
      assert.ok(streamInfoSchema.safeParse({ video: c.want, audio: null }).success, 'what the parser makes, the event schema takes');
    });
  }
  for (const c of AUDIO_CASES) {
    it(`audio: ${c.source}`, () => {
      assert.deepEqual(parseStreamLine(c.line), { type: 'audio', audio: c.want });
    });
  }

  it('other lines are not streams', () => {
    for (const line of [
      "Input #0, rtsp, from 'rtsp://127.0.0.1:33999/high':",
      '  Stream #0:0 -> #0:0 (copy)',
      '  Stream #0:2: Data: none',
      '  Stream #0:2: Subtitle: mov_text (tx3g / 0x67337874), 0 kb/s (default)',
      '    Metadata:',
      '[rtsp @ 0x55ab6aa2e900] method SETUP failed: 461 Unsupported transport',
      'frame=  100 fps= 25 q=-1.0 size=     512kB time=00:00:04.00 bitrate=1048.6kbits/s speed=   1x',
    ]) {
      assert.equal(parseStreamLine(line), undefined, line);
    }
  });
});

describe('streamInfoFromDescriptions', () => {
  it('first video, first audio; no audio is null', () => {
    assert.deepEqual(streamInfoFromDescriptions('hevc (Main), 1 reference frame, yuv420p(tv, left), 768x432 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 90k tbn', ['aac (LC), 48000 Hz, mono, fltp', 'pcm_mulaw, 8000 Hz, mono, s16, 64 kb/s']), {
      video: { codec: 'hevc', profile: 'Main', widthPx: 768, heightPx: 432, fps: 25 },
      audio: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 1 },
    });
    assert.deepEqual(streamInfoFromDescriptions('h264 (Main), yuv420p, 1920x1080, 30 fps', []), {
      video: { codec: 'h264', profile: 'Main', widthPx: 1920, heightPx: 1080, fps: 30 },
      audio: null,
    });
  });

  it('a description without a codec name is no stream info', () => {
    assert.equal(streamInfoFromDescriptions('', []), undefined);
    assert.equal(parseVideoDescription('H264?'), undefined);
    assert.equal(parseAudioDescription(', 8000 Hz'), undefined);
  });

  it('unknown layouts and absurd values are null, not guessed', () => {
    assert.deepEqual(parseAudioDescription('aac, 0 Hz, 0 channels, fltp'), { codec: 'aac', profile: null, sampleRateHz: null, channels: null });
    assert.deepEqual(parseAudioDescription('opus, 48000 Hz, FL+FR+BC, fltp'), { codec: 'opus', profile: null, sampleRateHz: 48000, channels: null });
    assert.deepEqual(parseVideoDescription('h264 (High), yuv420p, 0x0, 90000 fps'), { codec: 'h264', profile: 'High', widthPx: null, heightPx: null, fps: null });
  });
});
