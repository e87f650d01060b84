import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InvocationContext } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentUploadedEvent } from '../edge-agent/segment-events';
import { decodePreviewFrame } from '../functions/adapters/ffmpeg/ffmpeg-preview';
import { ingest } from '../functions/ingest/ingest';
import { settings } from '../functions/settings';
import { EventHubFeeder } from '../local/event-hub-feeder';
import { silentLogger } from '../local/host-logger';
import { segmentBlobName, SEGMENT_CONTENT_TYPE } from '../shared/contracts/blob-naming';
import { previewBlobName } from '../shared/contracts/preview-blob-naming';
import { cameraEventsTopic } from '../shared/contracts/topics';
import { toIso } from '../shared/time';
import { cutClipSegments, type ClipSegment } from '../testbed/clip-segments';
import { timeRequests, withBenchStorage } from './bench-host';
import { summarize, type LatencySummary } from './percentiles';

/** Options of {@link runPreviewLatency}. */
export interface PreviewLatencyOptions {
  /** Measured requests per case (after the warm-up). */
  requests: number;
  /** Unmeasured requests per case first. */
  warmupRequests: number;
  ffmpegPath: string;
  /** The real clip of the first camera (768x432, 10 fps). */
  clip: string;
  print: (line: string) => void;
}

/**
 * Targets (docs/benchmarks.md "Preview latency"), for the 1080p25 camera with PT10S segments: a cached preview
 * (index read + one blob read) p95 ≤ 100 ms; a cold preview at any instant (download the segment, decode up to the
 * frame: at worst the whole segment) p95 ≤ 1500 ms; a cold timeline thumbnail (a segment's first frame, a keyframe)
 * p95 ≤ 400 ms.
 */
export const PREVIEW_TARGETS = { cachedP95Ms: 100, coldP95Ms: 1500, thumbnailColdP95Ms: 400 } as const;

/** One measured case. */
export interface PreviewCase {
  camera: string;
  kind: 'cold' | 'cached' | 'thumbnail cold' | 'ffmpeg alone';
  latency: LatencySummary;
  /** JPEG size, bytes (the last measured request's). */
  bodyBytes: number;
}

/** What {@link runPreviewLatency} measured. */
export interface PreviewLatencyResult {
  cases: PreviewCase[];
}

const DEVICE_ID = 'bench-device';
const SEED_START_MS = Date.UTC(2026, 10, 21, 10, 0, 0);
const SEGMENT_S = 10;

interface BenchCamera {
  id: string;
  label: string;
  segments: Array<{ startMs: number; durationMs: number; seg: ClipSegment }>;
}

/**
 * Preview latency: p50/p95 of `GET /api/cameras/{id}/preview?time=…&size=medium` through the local functions host on
 * an in-memory Azurite holding real segments (PT10S, codec copy as the agent records them, testbed/clip-segments.ts):
 * - cameras: the person clip (768x432, 10 fps, H.264 Main) and a 1080p25 H.264 camera (ffmpeg's testsrc2, GOP 2 s);
 * - `cold`: every request a new instant, uniformly spread over the segments (so each decodes: cache miss checked);
 * - `cached`: the same instants again (cache hit checked);
 * - `thumbnail cold`: new instants at segments' first frames (the times `GET …/previews` lists);
 * - `ffmpeg alone` (baseline, same run): the decoder of the cold path on segment bytes in memory, no HTTP, no storage,
 *   at the cold case's offsets — the floor of a cloud-side preview; cold / ffmpeg alone is the service's overhead.
 * Requests one at a time, timed to the last body byte.
 * @throws Error when a request fails or the cache does not answer as expected
 */
export async function runPreviewLatency(opts: PreviewLatencyOptions): Promise<PreviewLatencyResult> {
  const { print } = opts;
  const work = mkdtempSync(path.join(os.tmpdir(), 'kw-bench-preview-'));
  try {
    const hdClip = path.join(work, 'hd.mp4');
    const made = spawnSync(opts.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-t', '40', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-pix_fmt', 'yuv420p', hdClip]);
    if (made.status !== 0) throw new Error(`making the 1080p clip failed: ${made.stderr.toString()}`);
    const cameras: BenchCamera[] = [];
    for (const [id, label, clip] of [['person', 'person clip 768x432 10 fps', opts.clip], ['hd', '1080p25 testsrc2', hdClip]] as const) {
      const cut = await cutClipSegments(opts.ffmpegPath, clip, SEGMENT_S);
      cameras.push({
        id,
        label,
        segments: cut.map((seg) => {
          const startMs = SEED_START_MS + Math.round(seg.startS * 1000);
          return { startMs, durationMs: SEED_START_MS + Math.round((seg.startS + seg.durationS) * 1000) - startMs, seg };
        }),
      });
    }
    return await withBenchStorage(async (storage) => {
      await seed(cameras);
      const { api, apiKey } = await storage.startHost();
      const cases: PreviewCase[] = [];
      const total = opts.requests + opts.warmupRequests;
      print(`requests one at a time: ${opts.warmupRequests} warm-up, then ${opts.requests} measured per case; size medium (640 px); time to the last body byte`);
      print(`${'camera'.padEnd(8)} ${'case'.padEnd(15)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'min ms'.padStart(9)} ${'max ms'.padStart(9)} ${'JPEG bytes'.padStart(11)}`);
      for (const camera of cameras) {
        const recordedMs = camera.segments.reduce((sum, s) => sum + s.durationMs, 0);
        // Distinct instants spread evenly over the recording, none on a segment start (those are the thumbnails').
        const instants = Array.from({ length: total }, (_, i) => {
          const atMs = Math.floor(((i + 0.5) * recordedMs) / total) + 37;
          return SEED_START_MS + atMs;
        });
        const request = (cache: 'hit' | 'miss') => {
          let i = 0;
          return async () => {
            const t = instants[i++ % instants.length];
            const res = await fetch(`${api}/cameras/${camera.id}/preview?time=${toIso(t)}&size=medium`, { headers: { 'x-functions-key': apiKey } });
            const body = Buffer.from(await res.arrayBuffer());
            if (res.status !== 200) throw new Error(`preview ${camera.id} ${toIso(t)}: HTTP ${res.status} ${body.toString('utf8', 0, 300)}`);
            if (res.headers.get('keepwatch-preview-cache') !== cache) throw new Error(`preview ${camera.id} ${toIso(t)}: cache ${res.headers.get('keepwatch-preview-cache')}, expected ${cache}`);
            return body.length;
          };
        };
        const row = (c: PreviewCase) => {
          cases.push(c);
          print(`${c.camera.padEnd(8)} ${c.kind.padEnd(15)} ${c.latency.p50Ms.toFixed(1).padStart(9)} ${c.latency.p95Ms.toFixed(1).padStart(9)} ${c.latency.minMs.toFixed(1).padStart(9)} ${c.latency.maxMs.toFixed(1).padStart(9)} ${String(c.bodyBytes).padStart(11)}`);
        };
        row({ camera: camera.id, kind: 'cold', ...(await timeRequests(opts, request('miss'))) });
        row({ camera: camera.id, kind: 'cached', ...(await timeRequests(opts, request('hit'))) });
        // Thumbnails: segment starts, each request a miss (its cache blob deleted first, untimed).
        const container = BlobServiceClient.fromConnectionString(process.env.KEEPWATCH_STORAGE_CONNECTION_STRING!).getContainerClient(settings().recordingsContainer);
        const thumbSamples: number[] = [];
        let thumbBytes = 0;
        for (let n = 0; n < total; n++) {
          const t = camera.segments[n % camera.segments.length].startMs;
          await container.deleteBlob(previewBlobName(camera.id, t, t, 'medium')).catch(() => {});
          const t0 = performance.now();
          const res = await fetch(`${api}/cameras/${camera.id}/preview?time=${toIso(t)}&size=medium`, { headers: { 'x-functions-key': apiKey } });
          const body = Buffer.from(await res.arrayBuffer());
          const ms = performance.now() - t0;
          if (res.status !== 200) throw new Error(`thumbnail ${camera.id} ${toIso(t)}: HTTP ${res.status}`);
          if (res.headers.get('keepwatch-preview-cache') !== 'miss') throw new Error(`thumbnail ${camera.id} ${toIso(t)}: cache hit, expected a miss`);
          thumbBytes = body.length;
          if (n >= opts.warmupRequests) thumbSamples.push(ms);
        }
        row({ camera: camera.id, kind: 'thumbnail cold', latency: summarize(thumbSamples), bodyBytes: thumbBytes });
        // Baseline: the same decoder on the same segments' bytes, at the cold case's offsets.
        let j = 0;
        const samples: number[] = [];
        let bytes = 0;
        for (let n = 0; n < total; n++) {
          const t = instants[j++];
          const holder = camera.segments.find((s) => s.startMs <= t && t < s.startMs + s.durationMs)!;
          const t0 = performance.now();
          bytes = (await decodePreviewFrame(opts.ffmpegPath, holder.seg.bytes, t - holder.startMs, 640)).length;
          if (n >= opts.warmupRequests) samples.push(performance.now() - t0);
        }
        row({ camera: camera.id, kind: 'ffmpeg alone', latency: summarize(samples), bodyBytes: bytes });
      }
      for (const camera of cameras) {
        const get = (kind: PreviewCase['kind']) => cases.find((c) => c.camera === camera.id && c.kind === kind)!;
        print(`  ${camera.id} (${camera.label}): cold p50 / ffmpeg alone p50 = ${(get('cold').latency.p50Ms / get('ffmpeg alone').latency.p50Ms).toFixed(2)}; cached p50 / cold p50 = ${(get('cached').latency.p50Ms / get('cold').latency.p50Ms).toFixed(3)}`);
      }
      const hd = (kind: PreviewCase['kind']) => cases.find((c) => c.camera === 'hd' && c.kind === kind)!.latency.p95Ms;
      for (const [kind, target] of [['cached', PREVIEW_TARGETS.cachedP95Ms], ['cold', PREVIEW_TARGETS.coldP95Ms], ['thumbnail cold', PREVIEW_TARGETS.thumbnailColdP95Ms]] as const) {
        print(`  hd ${kind}: p95 ${hd(kind).toFixed(1)} ms = ${(hd(kind) / target).toFixed(2)} × the ${target} ms target (${hd(kind) <= target ? 'met' : 'MISSED'})`);
      }
      return { cases };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Stores each camera's segments as the agent uploads them, then indexes them through ingest (Event Hubs batch shape). */
async function seed(cameras: readonly BenchCamera[]): Promise<void> {
  const container = BlobServiceClient.fromConnectionString(process.env.KEEPWATCH_STORAGE_CONNECTION_STRING!).getContainerClient(settings().recordingsContainer);
  await container.createIfNotExists();
  let accepted = 0;
  let expected = 0;
  const feeder = new EventHubFeeder({
    logger: silentLogger,
    handler: async (messages, context: InvocationContext) => {
      accepted += (await ingest(messages as unknown[], context)).accepted;
    },
  });
  for (const camera of cameras) {
    for (const s of camera.segments) {
      const blobName = segmentBlobName(camera.id, s.startMs);
      const sha256 = createHash('sha256').update(s.seg.bytes).digest('hex');
      await container.getBlockBlobClient(blobName).uploadData(s.seg.bytes, { blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE }, metadata: { sha256 } });
      const event = segmentUploadedEvent(DEVICE_ID, { cameraId: camera.id, path: '', startMs: s.startMs, durationMs: s.durationMs, bytes: s.seg.bytes.length, blobName, sha256 }, s.startMs + s.durationMs + 500);
      feeder.push({ authenticationName: DEVICE_ID, topic: cameraEventsTopic(DEVICE_ID, camera.id), payload: Buffer.from(JSON.stringify(event)) });
      expected++;
    }
  }
  await feeder.close();
  if (accepted !== expected) throw new Error(`seeding: ingest accepted ${accepted} of ${expected} segments`);
}
