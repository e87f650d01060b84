import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileSink } from '../../../edge-agent/evr/file-sink';
import { createLogger } from '../../../edge-agent/log';
import { FFMPEG, decodeFully } from '../../helpers/ffmpeg';
import { mediaPath } from '../../../testbed/rtsp-server';

/** Cuts `seconds` of a sample clip into MPEG-TS segments as the recorder does (codec copy), and lists them in order. */
function tsSegments(dir: string, clip: string, seconds: number, extra: string[] = []): string[] {
  const r = spawnSync(FFMPEG, ['-v', 'error', '-i', mediaPath(clip), '-t', String(seconds), '-map', '0:v:0', '-map', '0:a?', '-c', 'copy', ...extra, '-f', 'segment', '-segment_time', '2', '-segment_format', 'mpegts', path.join(dir, 's-%03d.ts')]);
  assert.equal(r.status, 0, r.stderr?.toString());
  return readdirSync(dir).filter((n) => n.endsWith('.ts')).sort().map((n) => path.join(dir, n));
}

/** Stream codec names of a file, from ffmpeg's own description. */
function streams(file: string): string[] {
  const out = spawnSync(FFMPEG, ['-hide_banner', '-i', file]).stderr.toString();
  return [...out.matchAll(/Stream #\d+:\d+.*?: (Video|Audio): (\w+)/g)].map((m) => `${m[1]}:${m[2]}`);
}

describe('FileSink', () => {
  it('writes one playable MP4 with video and AAC audio from TS segments, named by the pattern, without a partial file left', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-sink-'));
    const segs = tsSegments(dir, 'car-detection.mp4', 10);
    const sinkDir = path.join(dir, 'sink');
    const sink = new FileSink({ settings: { baseDirectoryPath: sinkDir, fileNamePattern: '${cameraId}-${System.Runtime.DateTime}', maximumSizeMiB: 100 }, ffmpegPath: FFMPEG, logger: createLogger('silent') });
    const file = await sink.write({ cameraId: 'car', recordingId: '1795276431626-3f2a9c0d1b4e', startMs: Date.UTC(2026, 10, 21, 10, 0, 0), endMs: Date.UTC(2026, 10, 21, 10, 0, 10), final: true, sequence: 1 }, segs);
    assert.equal(path.basename(file), 'car-20261121T100000Z.mp4');
    assert.deepEqual(readdirSync(sinkDir), ['car-20261121T100000Z.mp4'], 'no temporary file left');
    assert.deepEqual(streams(file), ['Video:h264', 'Audio:aac']);
    const decoded = await decodeFully(file);
    assert.deepEqual(decoded.errors, []);
    assert.ok(Math.abs(decoded.decodedS - 10) < 1, `about the segments' 10 s: ${decoded.decodedS}`);
  });

  it('writes MP2 audio without aac_adtstoasc, and fails cleanly (nothing left) on a missing segment', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-sink-'));
    const segs = tsSegments(dir, 'car-detection.mp4', 4, ['-c:a', 'mp2']);
    const sinkDir = path.join(dir, 'sink');
    const logged: string[] = [];
    const logger = createLogger('info', { write: (l: string) => logged.push(l) });
    const sink = new FileSink({ settings: { baseDirectoryPath: sinkDir, fileNamePattern: '${recordingId}', maximumSizeMiB: 100 }, ffmpegPath: FFMPEG, logger });
    const w = { cameraId: 'car', recordingId: '1795276431626-3f2a9c0d1b4e', startMs: 0, endMs: 4000, final: true, sequence: 0 };
    const file = await sink.write(w, segs);
    // MPEG-1 Layer II in MP4 is described by ffmpeg as mp3 (one MPEG audio object type).
    assert.match(streams(file).join(), /^Video:h264,Audio:mp[23]$/);
    assert.ok(logged.some((l) => l.includes('writing without aac_adtstoasc')), 'the retry without the AAC filter happened');
    await assert.rejects(sink.write({ ...w, recordingId: '1795276431626-000000000000' }, [path.join(dir, 'missing.ts')]), /ffmpeg exited/);
    assert.equal(existsSync(path.join(sinkDir, '1795276431626-000000000000.mp4')), false);
    assert.deepEqual(readdirSync(sinkDir), ['1795276431626-3f2a9c0d1b4e.mp4']);
  });
});
