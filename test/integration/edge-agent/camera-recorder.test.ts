import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../edge-agent/log';
import { CameraRecorder } from '../../../edge-agent/recorder/camera-recorder';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { FFMPEG, FFMPEG_BINARY, decodeFully } from '../../helpers/ffmpeg';
import { mediaPath } from '../../../testbed/rtsp-server';

describe('CameraRecorder with real ffmpeg', () => {
  it('records a live-paced input into complete, contiguous, keyframe-first MPEG-TS segments on the UTC timeline', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-rec-'));
    const rec = new CameraRecorder({
      camera: { id: 'cam-a', url: mediaPath('one-by-one-person-detection.mp4'), rtspTransport: 'tcp', inputOptions: ['-re'], mode: 'cvr' },
      segmentLengthMs: 2000,
      cameraDir: dir,
      ffmpeg: FFMPEG_BINARY,
      logger: createLogger('silent'),
    });
    const segments: Array<RecordedSegment & { seenAtMs: number }> = [];
    rec.on('segment', (s: RecordedSegment) => segments.push({ ...s, seenAtMs: Date.now() }));
    const startedAt = Date.now();
    rec.start();
    await new Promise((r) => setTimeout(r, 9000));
    await rec.stop();

    assert.ok(segments.length >= 4, `expected ≥ 4 segments, got ${segments.length}`);
    for (let i = 1; i < segments.length; i++) {
      assert.equal(segments[i].startMs, segments[i - 1].startMs + segments[i - 1].durationMs, `segment ${i} abuts segment ${i - 1}`);
    }
    // The clip has a keyframe every 1.0 s, so 2 s segments are 2 s long (the last one is cut by stop).
    for (const s of segments.slice(0, -1)) assert.ok(Math.abs(s.durationMs - 2000) <= 50, `duration ${s.durationMs}`);
    // Placed on the wall clock: the first segment starts when recording started (±1 s), and each
    // segment is complete no earlier than its end.
    assert.ok(Math.abs(segments[0].startMs - startedAt) < 1000, `first start ${segments[0].startMs - startedAt} ms from start`);
    for (const s of segments) assert.ok(s.seenAtMs >= s.startMs + s.durationMs - 500, 'emitted only once complete (B-frame reorder delay and -re read-ahead allow ~0.3 s)');
    for (const s of segments) {
      assert.equal(readFileSync(s.path).length, s.bytes);
      const d = await decodeFully(s.path);
      assert.deepEqual(d.errors, [], `segment ${path.basename(s.path)} decodes cleanly from its first packet`);
      assert.ok(d.frames > 0);
    }
  });

  it('a camera with G.711 audio: the next session encodes only the audio to AAC, the video stays a copy', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-rec-pcmu-'));
    // A camera's stream: H.264 Baseline 320x240 10 fps with G.711 µ-law 8 kHz mono (as many IP cameras send), in MKV.
    const clip = path.join(dir, 'pcmu.mkv');
    const made = spawnSync(FFMPEG, ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', '6',
      '-c:v', 'libx264', '-profile:v', 'baseline', '-g', '10', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_mulaw', '-ac', '1', clip]);
    assert.equal(made.status, 0, String(made.stderr));
    const rec = new CameraRecorder({
      camera: { id: 'cam-g711', url: clip, rtspTransport: 'tcp', inputOptions: ['-re', '-stream_loop', '-1'], mode: 'cvr' },
      segmentLengthMs: 2000,
      cameraDir: path.join(dir, 'cache'),
      ffmpeg: FFMPEG_BINARY,
      logger: createLogger('silent'),
    });
    const segments: RecordedSegment[] = [];
    const sessions: string[] = [];
    rec.on('segment', (s: RecordedSegment) => segments.push(s));
    rec.on('session-start', ({ sessionId }: { sessionId: string }) => sessions.push(sessionId));
    rec.start();
    await new Promise((r) => setTimeout(r, 9000));
    await rec.stop();

    assert.equal(sessions.length, 2, 'one restart, at once, to switch the audio; none after');
    const ofSecond = segments.filter((s) => path.basename(s.path).startsWith(sessions[1]));
    assert.ok(ofSecond.length >= 2, `${ofSecond.length} segments of the second session`);
    for (const s of ofSecond) {
      const probe = spawnSync(FFMPEG, ['-hide_banner', '-i', s.path], { encoding: 'utf8' }).stderr;
      assert.match(probe, /Video: h264 \(Constrained Baseline\)[^\n]*320x240/, 'video copied as sent');
      assert.match(probe, /Audio: aac \(LC\)[^\n]*8000 Hz, mono/, 'audio encoded to AAC at the camera\'s rate');
      const d = await decodeFully(s.path);
      assert.deepEqual(d.errors, [], `segment ${path.basename(s.path)} decodes cleanly`);
    }
  });
});
