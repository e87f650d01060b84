import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GapTracker } from '../../../../edge-agent/gaps/gap-tracker';
import { EventOutbox, readOutbox } from '../../../../edge-agent/journal/event-outbox';
import { SegmentJournal } from '../../../../edge-agent/journal/segment-journal';
import { createLogger } from '../../../../edge-agent/log';
import type { RecordedSegment } from '../../../../edge-agent/segments/recorded-segment';
import { SegmentLifecycle } from '../../../../edge-agent/segments/segment-lifecycle';
import type { UploadUrlCache } from '../../../../edge-agent/uploader/upload-url-cache';
import { parseAgentConfig } from '../../../../shared/schemas/agent-config';

const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const NOW = T0 + 60_000;
const BYTES = 100;
const SHA256 = createHash('sha256').update(Buffer.alloc(BYTES)).digest('hex');

/**
 * A lifecycle over a real journal, outbox and cache folder; the cloud answers every upload with "already stored, same
 * bytes", so an upload needs no network. Every journal line and outbox event is recorded in `steps`, in order, with
 * whether the segment's file still existed then.
 */
function setup(maxBytes = 10_000) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-lifecycle-'));
  const logger = createLogger('silent');
  const config = parseAgentConfig({
    deviceId: 'site-l',
    cameras: [{ id: 'cvr-1', url: 'rtsp://x' }, { id: 'evr-1', url: 'rtsp://y', mode: 'evr' }],
    segmentLength: 'PT2S',
    broker: { url: 'mqtt://127.0.0.1:1', password: 'pw' },
    upload: { connectionString: 'UseDevelopmentStorage=true' },
  });
  const steps: string[] = [];
  const journal = new SegmentJournal(dir, logger);
  journal.open();
  const recorded = journal.recorded.bind(journal);
  journal.recorded = (seg) => {
    steps.push(`journal recorded ${seg.cameraId}@${seg.startMs - T0}`);
    recorded(seg);
  };
  const done = journal.done.bind(journal);
  journal.done = (seg, outcome) => {
    steps.push(`journal done ${outcome} ${seg.cameraId}@${seg.startMs - T0} file:${existsSync(seg.path)}`);
    done(seg, outcome);
  };
  const outboxDir = path.join(dir, 'outbox');
  const outbox = new EventOutbox({ dir: outboxDir, publish: async () => {}, logger });
  const add = outbox.add.bind(outbox);
  outbox.add = (topic, event) => {
    steps.push(`event ${(event as { type: string; id: string }).type} ${(event as { id: string }).id}`);
    add(topic, event);
  };
  const counted: string[] = [];
  const metrics = {
    segmentRecorded: (c: string) => counted.push(`recorded ${c}`),
    segmentUploaded: (c: string) => counted.push(`uploaded ${c}`),
    segmentEvicted: (c: string) => counted.push(`evicted ${c}`),
    evrSegmentDropped: (c: string) => counted.push(`dropped ${c}`),
  };
  const uploadUrls = { target: async () => ({ exists: { bytes: BYTES, sha256: SHA256 } }), forget: () => {} } as unknown as UploadUrlCache;
  const lifecycle = new SegmentLifecycle({
    deviceId: 'site-l',
    journal,
    outbox,
    gaps: new GapTracker(),
    metrics,
    cache: { maxBytes, logger },
    uploader: { uploadUrls, logger },
    evr: {
      deviceId: 'site-l',
      cameras: config.cameras,
      cacheDir: dir,
      ffmpegPath: 'ffmpeg',
      horizonMs: 10_000,
      segmentLengthMs: 2000,
      cloudCaughtUp: () => false,
      connectedSinceMs: () => undefined,
      logger,
    },
    signalsThrough: () => undefined,
    diagnostic: (cameraId, d) => steps.push(`diagnostic ${cameraId} ${d.kind}`),
    logger,
    now: () => NOW,
  });
  const segment = (cameraId: string, offsetMs: number): RecordedSegment => {
    mkdirSync(path.join(dir, cameraId), { recursive: true });
    const p = path.join(dir, cameraId, `s-${offsetMs}.ts`);
    writeFileSync(p, Buffer.alloc(BYTES));
    return { cameraId, path: p, startMs: T0 + offsetMs, durationMs: 2000, bytes: BYTES };
  };
  const events = () => readOutbox(outboxDir).map((e) => e.event as { type: string; time: string; data: Record<string, unknown> });
  return { lifecycle, journal, steps, counted, segment, events };
}

describe('SegmentLifecycle', () => {
  it('CVR: admitted (journaled), uploaded: segment.uploaded event first, then the journal line, then the file', async () => {
    const { lifecycle, journal, steps, counted, segment, events } = setup();
    const seg = segment('cvr-1', 0);
    lifecycle.admit(seg);
    assert.equal(await lifecycle.uploadsIdle(5000), true);
    assert.deepEqual(steps, ['journal recorded cvr-1@0', 'event segment.uploaded segment-cvr-1-' + T0, 'journal done uploaded cvr-1@0 file:true']);
    assert.equal(existsSync(seg.path), false, 'the file goes last');
    assert.equal(journal.has(seg), false);
    assert.equal(lifecycle.cacheSegments, 0);
    assert.deepEqual(counted, ['recorded cvr-1', 'uploaded cvr-1']);
    assert.equal(events()[0].time, new Date(NOW).toISOString(), 'event time from the clock given');
    lifecycle.stopUploads();
  });

  it('EVR: segment.recorded for each admitted segment; a gap before a late one; the cache cap evicts the oldest as an eviction gap', () => {
    const { lifecycle, steps, counted, segment, events } = setup(250);
    const a = segment('evr-1', 0);
    lifecycle.admit(a);
    lifecycle.admit(segment('evr-1', 2000));
    lifecycle.admit(segment('evr-1', 9000)); // 5 s after the last one ended; the cache (250 bytes) evicts the oldest
    assert.deepEqual(steps, [
      'journal recorded evr-1@0',
      `event segment.recorded recorded-evr-1-${T0}`,
      'journal recorded evr-1@2000',
      `event segment.recorded recorded-evr-1-${T0 + 2000}`,
      'journal recorded evr-1@9000',
      `event gap gap-evr-1-${T0 + 4000}`,
      `event segment.recorded recorded-evr-1-${T0 + 9000}`,
      'journal done evicted evr-1@0 file:false',
      `event gap gap-evr-1-${T0}`,
    ]);
    assert.deepEqual(events().filter((e) => e.type === 'gap').map((e) => e.data.cause), ['camera-unavailable', 'eviction']);
    assert.equal(existsSync(a.path), false);
    assert.deepEqual(lifecycle.cached().map((s) => s.startMs - T0), [2000, 9000]);
    assert.deepEqual(counted, ['recorded evr-1', 'recorded evr-1', 'recorded evr-1', 'evicted evr-1']);
    assert.equal(lifecycle.oldestPendingEndMs(), undefined, 'held EVR segments are not late');
    assert.equal(lifecycle.drained(new Set(['evr-1'])), true, 'kept EVR segments do not hold a pipeline back');
  });

  it('EVR route: drop (journal dropped, file, counted) and release (journal uploaded, file)', () => {
    const { lifecycle, steps, counted, segment } = setup();
    const a = segment('evr-1', 0);
    const b = segment('evr-1', 2000);
    lifecycle.admit(a);
    lifecycle.admit(b);
    steps.length = 0;
    lifecycle.drop(a);
    lifecycle.release(b);
    assert.deepEqual(steps, ['journal done dropped evr-1@0 file:true', 'journal done uploaded evr-1@2000 file:true']);
    assert.equal(existsSync(a.path) || existsSync(b.path), false);
    assert.equal(lifecycle.cacheSegments, 0);
    assert.deepEqual(counted.slice(2), ['dropped evr-1']);
  });
});
