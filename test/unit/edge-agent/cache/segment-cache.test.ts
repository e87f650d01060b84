import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SegmentCache } from '../../../../edge-agent/cache/segment-cache';
import { createLogger } from '../../../../edge-agent/log';

describe('SegmentCache', () => {
  it('evicts the oldest segment first when over its cap, sparing segments being uploaded, and deletes files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-cache-'));
    const seg = (cameraId: string, startMs: number) => {
      const p = path.join(dir, `${cameraId}-${startMs}.ts`);
      writeFileSync(p, Buffer.alloc(400));
      return { cameraId, path: p, startMs, durationMs: 1000, bytes: 400 };
    };
    const evictedSeen: number[] = [];
    const cache = new SegmentCache(1000, createLogger('silent'), (s) => evictedSeen.push(s.startMs));
    const a = seg('a', 1000);
    const b = seg('b', 2000);
    cache.add(b);
    cache.add(a);
    assert.equal(cache.totalBytes, 800);
    const c = seg('a', 3000);
    const evicted = cache.add(c, (s) => s === a); // a (oldest) is uploading: b goes instead
    assert.deepEqual(evicted.map((s) => s.startMs), [2000]);
    assert.deepEqual(evictedSeen, [2000]);
    assert.equal(existsSync(b.path), false);
    assert.equal(cache.totalBytes, 800);
    cache.remove(a);
    assert.equal(existsSync(a.path), false);
    assert.equal(cache.size, 1);
    cache.remove(a); // twice: no double accounting
    assert.equal(cache.totalBytes, 400);
  });

  it('evicts lower keepRank first (EVR: window segments last), oldest first within a rank, uploading ones last of all', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-cache-'));
    const seg = (startMs: number) => {
      const p = path.join(dir, `w-${startMs}.ts`);
      writeFileSync(p, Buffer.alloc(400));
      return { cameraId: 'a', path: p, startMs, durationMs: 1000, bytes: 400 };
    };
    const [s1, s2, s3, s4] = [seg(1000), seg(2000), seg(3000), seg(4000)];
    const inWindow = new Set([s1, s2]);
    const cache = new SegmentCache(1300, createLogger('silent'), () => {}, (s) => (inWindow.has(s) ? 1 : 0));
    cache.add(s1);
    cache.add(s2);
    cache.add(s3);
    assert.deepEqual(cache.add(s4).map((s) => s.startMs), [3000], 'the oldest outside the window goes, not the older window segments');
    assert.deepEqual(cache.evictOldest(2, (s) => s === s1).map((s) => s.startMs), [4000, 2000], 'then the rest by rank; the uploading one stays');
    assert.deepEqual(cache.list().map((s) => s.startMs), [1000]);
  });
});
