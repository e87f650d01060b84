import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FunctionsDeps } from '../../functions/deps';
import { ingest } from '../../functions/ingest/ingest';
import { SEGMENT_CONTENT_TYPE, segmentBlobName } from '../../shared/contracts/blob-naming';
import { mediaPath } from '../../testbed/rtsp-server';
import { FFMPEG } from './ffmpeg';
import { batchContext, segmentEvent, viaEventGrid } from './functions-fixtures';
import { recordingsContainer } from './segment-blob-fixtures';

/** One real MPEG-TS segment: its bytes and its duration as ffmpeg's segment muxer reports it. */
export interface RealSegment {
  bytes: Buffer;
  durationMs: number;
}

/**
 * Cuts the real clip `one-by-one-person-detection.mp4` (H.264 Main, 10 fps, a keyframe every second; test/fixtures/media)
 * into `count` MPEG-TS segments of 2 s with ffmpeg's segment muxer and codec copy, as the agent's recorder does, from
 * `offsetS` seconds in. Durations come from the muxer's own segment list (`-segment_list_type csv`).
 */
export function recordRealSegments(count: number, offsetS = 0): RealSegment[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-real-segments-'));
  try {
    const r = spawnSync(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-ss', String(offsetS), '-i', mediaPath('one-by-one-person-detection.mp4'), '-t', String(count * 2),
      '-map', '0:v:0', '-c', 'copy', '-f', 'segment', '-segment_time', '2', '-segment_format', 'mpegts', '-reset_timestamps', '0',
      '-segment_list', path.join(dir, 'list.csv'), '-segment_list_type', 'csv', path.join(dir, 'seg-%03d.ts'),
    ]);
    assert.equal(r.status, 0, r.stderr.toString());
    const rows = readFileSync(path.join(dir, 'list.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
    assert.ok(files.length >= count, `ffmpeg wrote ${files.length} segments, wanted ${count}`);
    return rows.slice(0, count).map(([file, startS, endS]) => ({ bytes: readFileSync(path.join(dir, file)), durationMs: Math.round((Number(endS) - Number(startS)) * 1000) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lower-case hex SHA-256. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores real segments as the agent's uploader does (the blob under its canonical name, content type and `sha256`
 * metadata), then indexes them through the real ingest handler with `segment.uploaded` events routed by Event Grid.
 * Consecutive segments of `segments` abut from `firstStartMs`.
 * @returns the starts, epoch ms
 */
export async function uploadAndIngest(
  deps: FunctionsDeps,
  cameraId: string,
  firstStartMs: number,
  segments: readonly RealSegment[],
  deviceId = 'dev1',
): Promise<number[]> {
  const container = recordingsContainer(deps.settings);
  await container.createIfNotExists();
  const starts: number[] = [];
  const events: Array<Record<string, unknown>> = [];
  let startMs = firstStartMs;
  for (const s of segments) {
    const sha256 = sha256Hex(s.bytes);
    await container.getBlockBlobClient(segmentBlobName(cameraId, startMs)).uploadData(s.bytes, {
      blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE },
      metadata: { cameraid: cameraId, startms: String(startMs), durationms: String(s.durationMs), sha256 },
      conditions: { ifNoneMatch: '*' },
    });
    events.push(viaEventGrid(segmentEvent({ deviceId, cameraId, startMs, durationMs: s.durationMs, bytes: s.bytes.length, sha256 })));
    starts.push(startMs);
    startMs += s.durationMs;
  }
  const summary = await ingest(events, batchContext(), deps);
  assert.equal(summary.accepted, events.length, `ingest accepted ${summary.accepted} of ${events.length}`);
  return starts;
}
