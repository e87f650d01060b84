import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../edge-agent/log';
import { CameraRecorder, type NotRecording } from '../../../edge-agent/recorder/camera-recorder';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { DEBIAN_FFPROBE, cameraClip } from '../../helpers/camera-clips';
import { FFMPEG_BINARY, decodeFully } from '../../helpers/ffmpeg';
import { startRtspServer } from '../../../testbed/rtsp-server';

/** The codecs of a stored segment, from ffprobe. */
function storedCodecs(file: string): string[] {
  // JSON: its `streams` lists each stream once (the CSV form repeats an MPEG-TS program's streams).
  const r = spawnSync(DEBIAN_FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { streams: Array<{ codec_name: string }> }).streams.map((x) => x.codec_name).sort();
}

/**
 * A camera with audio and video is read through the agent's RTSP relay (edge-agent/recorder/rtsp-relay.ts) from its
 * second session on: ffmpeg re-times sessions with more than one stream from the camera's RTCP sender reports, which
 * the relay keeps off ffmpeg's timing (docs/adr/0003-recording-any-camera.md). GStreamer's RTSP server asking for a
 * password (HTTP Digest, as most cameras) serves an H.264 High + B-frames + AAC camera over TCP; the recorder's
 * credentials reach the camera through the relay; when the camera goes away, the failure names the camera's address,
 * not the relay's.
 */
describe('CameraRecorder through the RTSP relay (a camera with audio and video)', () => {
  it('the first session finds audio and video and restarts at once through the relay; segments keep both streams, decode cleanly and abut; a camera gone is named by its own address', async () => {
    const clip = await cameraClip('h264-high-bframes-aac-720p25');
    const server = await startRtspServer({ mounts: { '/cam': clip.path }, auth: 'viewer:s3cret', authDigest: true });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-rec-relay-'));
    const rec = new CameraRecorder({
      camera: { id: 'cam-av', url: server.urls['/cam'], username: 'viewer', password: 's3cret', rtspTransport: 'tcp', inputOptions: [], mode: 'cvr' },
      segmentLengthMs: 2000,
      cameraDir: dir,
      ffmpeg: FFMPEG_BINARY,
      logger: createLogger('silent'),
      restartDelayMs: 500,
    });
    const segments: RecordedSegment[] = [];
    const sessions: string[] = [];
    const ends: Array<{ segments: number }> = [];
    const notRecording: NotRecording[] = [];
    rec.on('segment', (s: RecordedSegment) => segments.push(s));
    rec.on('session-start', ({ sessionId }: { sessionId: string }) => sessions.push(sessionId));
    rec.on('session-end', (e: { segments: number }) => ends.push(e));
    rec.on('not-recording', (n: NotRecording) => notRecording.push(n));
    try {
      rec.start();
      await new Promise((r) => setTimeout(r, 16_000));

      assert.ok(sessions.length >= 2, `${sessions.length} sessions`);
      assert.equal(ends[0]?.segments, 0, 'the first (direct) session ended at its description, storing nothing');
      assert.equal(notRecording.length, 0, `the restart for the relay is not a failure: ${JSON.stringify(notRecording)}`);
      assert.ok(segments.length >= 4, `${segments.length} segments through the relay`);
      for (let i = 1; i < segments.length; i++) {
        assert.equal(segments[i].startMs, segments[i - 1].startMs + segments[i - 1].durationMs, `segment ${i} abuts segment ${i - 1}`);
      }
      for (const s of segments) {
        assert.equal(readFileSync(s.path).length, s.bytes);
        assert.deepEqual(storedCodecs(s.path), ['aac', 'h264'], `${path.basename(s.path)} keeps video and audio (codec copy)`);
        const d = await decodeFully(s.path);
        assert.deepEqual(d.errors, [], `segment ${path.basename(s.path)} decodes cleanly`);
      }

      await server.stop();
      const deadline = Date.now() + 20_000;
      while (!notRecording.some((n) => n.cause === 'connection-refused') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const refused = notRecording.find((n) => n.cause === 'connection-refused');
      assert.ok(refused, `a refused reconnect is named: ${JSON.stringify(notRecording)}`);
      assert.equal(refused.message, `connection refused by 127.0.0.1:${server.port}`, 'the camera address, not the relay on loopback');
    } finally {
      await rec.stop();
      await server.stop();
    }
  });
});
