import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { segmentBlobName, SEGMENT_CONTENT_TYPE } from '../../shared/contracts/blob-naming';
import type { FunctionsDeps } from '../../functions/deps';
import type { FunctionsSettings } from '../../functions/settings';
import { mediaPath } from '../../testbed/rtsp-server';
import { FFMPEG } from './ffmpeg';
import { batchContext, segmentEvent, viaEventGrid } from './functions-fixtures';
import { ingestStored, recordingsContainer } from './segment-blob-fixtures';

/** One MPEG-TS segment cut from a fixture clip: its bytes and its duration, ms (from ffmpeg's segment list). */
export interface FixtureSegment {
  bytes: Buffer;
  durationMs: number;
}

/**
 * Cuts a real clip of test/fixtures/media into MPEG-TS segments as the recorder does (ffmpeg codec copy, `-f segment`,
 * cut on keyframes at or after each `segmentSeconds`). `bottle-detection.mp4` (640x360 H.264 High with B-frames,
 * 40 s, a keyframe every 8.4 s) gives five segments.
 */
export function fixtureSegments(clip = 'bottle-detection.mp4', segmentSeconds = 8): FixtureSegment[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-fixture-segments-'));
  try {
    const source = mediaPath(clip);
    const r = spawnSync(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-i', source, '-map', '0:v:0', '-map', '0:a?', '-c', 'copy', '-bsf:v', 'h264_mp4toannexb',
      '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', 'mpegts',
      '-segment_list', path.join(dir, 'list.csv'), '-segment_list_type', 'csv', path.join(dir, 'seg-%03d.ts'),
    ]);
    if (r.status !== 0) throw new Error(`ffmpeg could not segment ${clip}: ${r.stderr.toString()}`);
    return readFileSync(path.join(dir, 'list.csv'), 'utf8').trim().split('\n').map((line) => {
      const [name, start, end] = line.split(',');
      return { bytes: readFileSync(path.join(dir, name!)), durationMs: Math.round((Number(end) - Number(start)) * 1000) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Stores `segments` back to back from `firstMs` as camera `cameraId`'s blobs (as the agent uploads them: canonical
 * name, content type, SHA-256 metadata) and indexes them through the real ingest handler.
 * @returns each segment's start, epoch ms UTC
 */
export async function storeAndIngest(settings: FunctionsSettings, deps: FunctionsDeps, cameraId: string, firstMs: number, segments: readonly FixtureSegment[]): Promise<number[]> {
  const container = recordingsContainer(settings);
  await container.createIfNotExists();
  const starts: number[] = [];
  const events: unknown[] = [];
  let atMs = firstMs;
  for (const s of segments) {
    const sha256 = createHash('sha256').update(s.bytes).digest('hex');
    await container.getBlockBlobClient(segmentBlobName(cameraId, atMs)).uploadData(s.bytes, { blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE }, metadata: { sha256 } });
    events.push(viaEventGrid(segmentEvent({ cameraId, startMs: atMs, durationMs: s.durationMs, bytes: s.bytes.length, sha256 })));
    starts.push(atMs);
    atMs += s.durationMs;
  }
  const r = await ingestStored(events, batchContext(), deps);
  if (r.accepted !== segments.length) throw new Error(`ingest accepted ${r.accepted} of ${segments.length} segments`);
  return starts;
}
