import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SegmentCache } from '../../../edge-agent/cache/segment-cache';
import { EvrController } from '../../../edge-agent/evr/evr-controller';
import { createLogger } from '../../../edge-agent/log';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { uploadWindowCommand, type UploadWindow } from '../../../shared/contracts/upload-window';
import { cameraCommandsTopic } from '../../../shared/contracts/topics';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const HORIZON = 10_000;

/** An EVR controller over a real cache folder, with the agent's callbacks recorded and a clock the test moves. */
function setup(dir: string) {
  const config = parseAgentConfig({
    deviceId: 'site-u',
    cameras: [{ id: 'evr-1', url: 'rtsp://x', mode: 'evr' }, { id: 'cvr-1', url: 'rtsp://y' }],
    segmentLength: 'PT2S',
    evrCacheHorizon: 'PT10S',
    broker: { url: 'mqtt://127.0.0.1:1', password: 'pw' },
    upload: { connectionString: 'UseDevelopmentStorage=true' },
  });
  const clock = { now: T0, caughtUp: true };
  const uploads: number[] = [];
  const drops: number[] = [];
  const cache = new SegmentCache(10 * 1024 * 1024, createLogger('silent'), () => {}, (s) => evr.keepRank(s));
  const evr: EvrController = new EvrController({
    deviceId: 'site-u',
    cameras: config.cameras,
    cacheDir: dir,
    ffmpegPath: 'ffmpeg',
    horizonMs: HORIZON,
    segmentLengthMs: 2000,
    segments: {
      cached: () => cache.list(),
      upload: (s) => uploads.push(s.startMs),
      uploading: () => false,
      drop: (s) => {
        drops.push(s.startMs);
        cache.remove(s);
      },
      release: (s) => cache.remove(s),
    },
    cloudCaughtUp: () => clock.caughtUp,
    connectedSinceMs: () => T0 - 60_000,
    logger: createLogger('silent'),
    now: () => clock.now,
  });
  return { evr, cache, clock, uploads, drops };
}

function segment(dir: string, cameraId: string, startMs: number): RecordedSegment {
  mkdirSync(path.join(dir, cameraId), { recursive: true });
  const p = path.join(dir, cameraId, `${startMs}.ts`);
  writeFileSync(p, Buffer.alloc(100));
  return { cameraId, path: p, startMs, durationMs: 2000, bytes: 100 };
}

const command = (w: UploadWindow) => Buffer.from(JSON.stringify(uploadWindowCommand(w, T0)));

describe('EvrController', () => {
  it('uploads windowed segments (also later ones), keeps the rest until past the cache horizon and the cloud caught up, and restores windows in a new run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-evrc-'));
    const { evr, cache, clock, uploads, drops } = setup(dir);
    const segs = [0, 2000, 4000, 6000].map((o) => segment(dir, 'evr-1', T0 + o));
    for (const s of segs) {
      cache.add(s);
      evr.segmentAdded(s);
    }
    const w: UploadWindow = { cameraId: 'evr-1', recordingId: `${T0 + 2500}-0123456789ab`, startMs: T0 + 2500, endMs: T0 + 9000, final: false, sequence: 0 };
    evr.onCommand(cameraCommandsTopic('site-u', 'evr-1'), command(w));
    assert.deepEqual(uploads, [T0 + 2000, T0 + 4000, T0 + 6000], 'overlapping segments, oldest first');
    assert.equal(evr.keepRank(segs[1]), 1, 'window segments are evicted last');
    assert.equal(evr.keepRank(segs[0]), 0);

    // Commands for a CVR camera or another device change nothing.
    evr.onCommand(cameraCommandsTopic('site-u', 'cvr-1'), command({ ...w, cameraId: 'cvr-1' }));
    evr.onCommand(cameraCommandsTopic('site-v', 'evr-1'), command(w));
    assert.equal(evr.windowsHeld, 1);

    // A segment recorded later inside the window goes at once.
    const later = segment(dir, 'evr-1', T0 + 8000);
    cache.add(later);
    evr.segmentAdded(later);
    assert.deepEqual(uploads.at(-1), T0 + 8000);

    // The first segment: kept while the cloud lags, dropped once past the cache horizon and it caught up.
    clock.now = T0 + 2000 + HORIZON - 1;
    evr.sweep();
    assert.deepEqual(drops, []);
    clock.now = T0 + 2000 + HORIZON;
    clock.caughtUp = false;
    evr.sweep();
    assert.deepEqual(drops, [], 'offline or events queued: kept');
    assert.equal(evr.evicted(segs[0]), 'gap', 'evicting it now would lose a segment the cloud may still want');
    clock.caughtUp = true;
    assert.equal(evr.evicted(segs[0]), 'dropped', 'evicting it now loses nothing');
    evr.sweep();
    assert.deepEqual(drops, [T0]);
    assert.equal(existsSync(segs[0].path), false);

    // A new run over the same folder holds the window (stored before the command was acknowledged).
    const next = setup(dir);
    assert.equal(next.evr.windowsHeld, 1);
    const s2 = segment(dir, 'evr-1', T0 + 2000);
    next.cache.add(s2);
    next.evr.segmentAdded(s2);
    assert.deepEqual(next.uploads, [T0 + 2000]);
  });

  it('forgets a final window once the camera recorded past it and its segments are uploaded', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-evrc-'));
    const { evr, cache } = setup(dir);
    const w: UploadWindow = { cameraId: 'evr-1', recordingId: `${T0}-0123456789ab`, startMs: T0, endMs: T0 + 3000, final: true, sequence: 2 };
    const a = segment(dir, 'evr-1', T0);
    cache.add(a);
    evr.segmentAdded(a);
    evr.onCommand(cameraCommandsTopic('site-u', 'evr-1'), command(w));
    evr.sweep();
    assert.equal(evr.windowsHeld, 1, 'not recorded past its end yet');
    const b = segment(dir, 'evr-1', T0 + 2000);
    cache.add(b);
    evr.segmentAdded(b);
    evr.sweep();
    assert.equal(evr.windowsHeld, 1, 'segments still uploading');
    for (const s of [a, b]) {
      assert.equal(evr.uploaded(s), false, 'no file sink: the agent removes it now');
      cache.remove(s);
    }
    evr.sweep();
    assert.equal(evr.windowsHeld, 0);
    // A redelivery of the final command after that does not bring it back.
    evr.onCommand(cameraCommandsTopic('site-u', 'evr-1'), command(w));
    assert.equal(evr.windowsHeld, 0);
  });

  it('forgets a window whose final command never came once it cannot grow any more (61 min after its start)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-evrc-'));
    const { evr, clock } = setup(dir);
    evr.onCommand(cameraCommandsTopic('site-u', 'evr-1'), command({ cameraId: 'evr-1', recordingId: `${T0}-0123456789ab`, startMs: T0, endMs: T0 + 3000, final: false, sequence: 0 }));
    clock.now = T0 + 61 * 60_000;
    evr.sweep();
    assert.equal(evr.windowsHeld, 1, 'it might still be extended');
    clock.now = T0 + 61 * 60_000 + 2 * 2000 + 10_001;
    evr.sweep();
    assert.equal(evr.windowsHeld, 0);
  });
});
