import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../edge-agent/log';
import { CameraRecorder, type RecordedSegment } from '../../../edge-agent/recorder/camera-recorder';
import { FFMPEG_BINARY, decodeFully } from '../../helpers/ffmpeg';
import { mediaPath } from '../../helpers/rtsp-server';

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
});
