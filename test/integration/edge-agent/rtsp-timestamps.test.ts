import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../edge-agent/log';
import { CameraRecorder } from '../../../edge-agent/recorder/camera-recorder';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { FFMPEG_BINARY, decodeFully } from '../../helpers/ffmpeg';
import { mediaPath, startRtspServer } from '../../../testbed/rtsp-server';

/** RTP video clock (Hz). */
const RTP_CLOCK = 90_000;
/** The RTP timestamps wrap this far into the stream (ms). */
const WRAP_AFTER_MS = 6_000;

describe('recording across what an RTSP camera does to its timestamps (real GStreamer server, real ffmpeg)', () => {
  it('a B-frame stream started for the client at its first keyframe, whose 32-bit RTP timestamps wrap: one session, contiguous, decodable', async () => {
    // A plain gst-rtsp-server launch line: the stream starts when the client connects (on a keyframe), and rtph264pay's
    // timestamp-offset puts the RTP clock 6 s before its 2^32 wrap, as a camera that has been up ~13 h would be.
    const offset = 2 ** 32 - (WRAP_AFTER_MS / 1000) * RTP_CLOCK;
    const line = `( filesrc location="${mediaPath('one-by-one-person-detection.mp4')}" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 timestamp-offset=${offset} )`;
    const server = await startRtspServer({ launches: { '/wrap': line } });
    try {
      const rec = new CameraRecorder({
        camera: { id: 'cam-wrap', url: server.urls['/wrap'], rtspTransport: 'tcp', inputOptions: [], mode: 'cvr' },
        segmentLengthMs: 2000,
        cameraDir: mkdtempSync(path.join(os.tmpdir(), 'kw-rec-wrap-')),
        ffmpeg: FFMPEG_BINARY,
        logger: createLogger('silent'),
      });
      const segments: RecordedSegment[] = [];
      let sessions = 0;
      rec.on('segment', (s: RecordedSegment) => segments.push(s));
      rec.on('session-start', () => sessions++);
      rec.start();
      await new Promise((r) => setTimeout(r, 16_000));
      await rec.stop();

      assert.equal(sessions, 1, 'the session survives its start on a keyframe and the wrap');
      assert.ok(segments.length >= 4, `${segments.length} segments`);
      for (let i = 1; i < segments.length; i++) {
        assert.equal(segments[i].startMs, segments[i - 1].startMs + segments[i - 1].durationMs, `segment ${i} abuts segment ${i - 1} (no overlap, no false gap)`);
      }
      const spanMs = segments.at(-1)!.startMs + segments.at(-1)!.durationMs - segments[0].startMs;
      // The person clip has B-frames and 1 s GOPs at 10 fps: the session drops up to 20 frames and a GOP (3 s); the
      // wrap at 6 s is then well inside what was recorded.
      assert.ok(spanMs >= 10_000, `recorded ${spanMs} ms across the wrap`);
      for (const s of segments) {
        const d = await decodeFully(s.path);
        assert.deepEqual(d.errors, [], `segment ${path.basename(s.path)} decodes cleanly`);
      }
    } finally {
      await server.stop();
    }
  });
});
