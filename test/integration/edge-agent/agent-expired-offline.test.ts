import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { SegmentJournal } from '../../../edge-agent/journal/segment-journal';
import { createLogger } from '../../../edge-agent/log';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { SegmentUploader } from '../../../edge-agent/uploader/segment-uploader';
import { UploadUrlCache } from '../../../edge-agent/uploader/upload-url-cache';
import { UploadUrlsClient } from '../../../edge-agent/uploader/upload-urls-client';
import { ingest } from '../../../functions/ingest/ingest';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { EventHubFeeder } from '../../../local/event-hub-feeder';
import { silentLogger } from '../../../local/host-logger';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { DAY_MS, HOUR_MS, MINUTE_MS, toIso } from '../../../shared/time';
import { mediaPath } from '../../../testbed/rtsp-server';
import { startTestHost, type TestHost } from '../../helpers/test-host';
import { until } from '../../helpers/wait';

const API_KEY = 'expired-offline-key';
const SEGMENT_MS = 10_000;

interface Reported {
  type: string;
  data: { cameraId: string; start: string; end?: string; durationMs?: number; cause?: string };
}

/**
 * An agent back after longer than the cloud's offline horizon (KEEPWATCH_OFFLINE_HORIZON P31D here): upload-urls refuses
 * its oldest cached segments for good (400 `TimeOutOfRange`). They leave the cache as `expired-offline` gaps, which
 * ingest accepts (a gap hides no media) and the gaps API lists; the refusal is not retried; segments within the horizon
 * upload as before; a refusal that is not for good (a start ahead of the cloud's clock, a wrong secret) is retried.
 * Real components: the local Functions host over Azurite, the aedes broker, the feeder into ingest, the agent with
 * ffmpeg; the upload-urls calls pass a counting HTTP relay.
 */
describe('Segments older than the offline horizon: dropped once as expired-offline gaps, never retried', () => {
  let t: TestHost;
  let broker: LocalBroker;
  let feeder: EventHubFeeder;
  let relay: http.Server;
  let relayUrl = '';
  let deviceSecret = '';
  let container: ContainerClient;
  const events: Reported[] = [];
  /** Each upload-urls request through the relay: the names asked and the status answered. */
  const calls: Array<{ names: string[]; status: number }> = [];

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'expired', env: { KEEPWATCH_OFFLINE_HORIZON: 'P31D' } });
    container = BlobServiceClient.fromConnectionString(t.azurite.connectionString).getContainerClient('recordings');
    await container.createIfNotExists();
    const res = await fetch(`${t.api}/devices`, { method: 'POST', headers: { 'x-functions-key': API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ deviceId: 'site-x', cameras: ['cam-x'] }) });
    assert.equal(res.status, 201, await res.clone().text());
    deviceSecret = ((await res.json()) as { secret: string }).secret;
    // Routed as Event Grid would, into the registered ingest over the host's Azurite.
    feeder = new EventHubFeeder({ handler: async (messages, context) => void (await ingest(messages as unknown[], context)), maxWaitMs: 20, logger: silentLogger });
    broker = await startLocalBroker({
      port: 0,
      devices: { 'site-x': 'pw' },
      onMessage: (m: BrokerMessage) => {
        feeder.push(m);
        if (m.topic.includes('/events/')) events.push(JSON.parse(m.payload.toString()) as Reported);
      },
      logger: silentLogger,
    });
    relay = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        void fetch(`${t.api.replace(/\/api$/, '')}${req.url}`, { method: req.method, headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' }, body: body.length ? body : undefined })
          .then(async (answer) => {
            if (req.url?.endsWith('/upload-urls')) calls.push({ names: (JSON.parse(body.toString()) as { blobs: string[] }).blobs, status: answer.status });
            res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
            res.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => res.destroy());
      });
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/api`;
  });
  after(async () => {
    await new Promise((r) => relay?.close(r));
    await broker?.close();
    await feeder?.close();
    await t?.stop();
  });

  /** A cached segment file of camera cam-x (bytes of its own: no other segment has them). */
  function seed(dir: string, startMs: number): RecordedSegment {
    const folder = path.join(dir, 'cam-x');
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `seed-${startMs}.ts`);
    const text = `segment of cam-x recorded at ${toIso(startMs)}`;
    writeFileSync(file, text);
    return { cameraId: 'cam-x', path: file, startMs, durationMs: SEGMENT_MS, bytes: Buffer.byteLength(text) };
  }

  it('an agent back after 40 days: its 40-day-old segments are refused once, leave cache and journal, become expired-offline gap rows; its 30-day-old and 1-hour-old ones upload', async () => {
    const now = Date.now();
    const old0 = Math.floor((now - 40 * DAY_MS) / 1000) * 1000;
    const oldStarts = [old0, old0 + SEGMENT_MS, old0 + 2 * SEGMENT_MS];
    const keptStarts = [Math.floor((now - 30 * DAY_MS) / 1000) * 1000, Math.floor((now - HOUR_MS) / 1000) * 1000];
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kw-expired-'));
    // What the previous run left: five journaled segments, then a clean stop.
    const journal = new SegmentJournal(cacheDir, createLogger('silent'));
    journal.open();
    const old = oldStarts.map((s) => seed(cacheDir, s));
    const kept = keptStarts.map((s) => seed(cacheDir, s));
    for (const seg of [...old, ...kept]) journal.recorded(seg);
    journal.markStopped(now - HOUR_MS + SEGMENT_MS);

    const logged: string[] = [];
    const config = parseAgentConfig({
      deviceId: 'site-x',
      cameras: [{ id: 'cam-x', url: mediaPath('car-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'] }],
      segmentLength: 'PT2S',
      localMediaCachePath: cacheDir,
      broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
      upload: { apiUrl: relayUrl, deviceSecret, container: 'recordings' },
      metrics: false,
    });
    const oldNames = new Set(oldStarts.map((s) => segmentBlobName('cam-x', s)));
    const askedForOld = () => calls.filter((c) => c.names.some((n) => oldNames.has(n))).length;
    const expiredGaps = () => events.filter((e) => e.type === 'gap' && e.data.cause === 'expired-offline');
    const uploadedStarts = () => new Set(events.filter((e) => e.type === 'segment.uploaded').map((e) => Date.parse(e.data.start)));
    const agent = new Agent(config, createLogger('warn', { write: (l: string) => void logged.push(l) }));
    await agent.start();
    let askedWhenReported = 0;
    try {
      await until('three expired-offline gaps and the two segments within the horizon uploaded', 30_000, () => expiredGaps().length >= 3 && keptStarts.every((s) => uploadedStarts().has(s)));
      askedWhenReported = askedForOld();
      // Live segments go on uploading meanwhile; the refused ones are never asked for again.
      await until('a live segment uploaded after the refusals', 20_000, () => [...uploadedStarts()].some((s) => s > now));
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(askedForOld(), askedWhenReported, 'no upload-urls request names an expired segment once it was refused');
    } finally {
      await agent.stop();
    }

    // Refused for good, and asked for a bounded number of times: a batch holding them, then each alone at most once.
    assert.ok(calls.some((c) => c.status === 400), 'the cloud refused them');
    assert.ok(askedWhenReported >= 1 && askedWhenReported <= 2 * oldStarts.length, `upload-urls asked for the expired segments ${askedWhenReported} times`);
    // Reported: one gap per segment, exactly its span; logged once each, at error, with camera, start and the cloud's words.
    assert.deepEqual(
      expiredGaps().map((g) => [g.data.cameraId, g.data.start, g.data.end]).sort(),
      oldStarts.map((s) => ['cam-x', toIso(s), toIso(s + SEGMENT_MS)]),
    );
    for (const s of oldStarts) {
      const lines = logged.map((l) => JSON.parse(l) as { level: number; msg: string; cameraId?: string; segmentStartMs?: number }).filter((l) => l.segmentStartMs === s && l.msg.startsWith('segment upload abandoned'));
      assert.equal(lines.length, 1, `one log line for ${toIso(s)}`);
      assert.equal(lines[0].level, 50);
      assert.equal(lines[0].cameraId, 'cam-x');
      assert.match(lines[0].msg, /KEEPWATCH_OFFLINE_HORIZON\) in the past: accepted /, 'the cloud\'s message');
    }
    // Out of the cache and the journal (as an eviction leaves it), and never stored.
    for (const seg of old) assert.equal(existsSync(seg.path), false, `${seg.path} deleted`);
    const outcomes = readFileSync(path.join(cacheDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { op: string; file?: string; outcome?: string });
    for (const seg of old) assert.ok(outcomes.some((r) => r.op === 'done' && r.outcome === 'expired' && r.file === path.relative(cacheDir, seg.path)), `journal: ${seg.path} done, expired`);
    const reopened = new SegmentJournal(cacheDir, createLogger('silent'));
    assert.deepEqual(reopened.open().filter((s) => s.startMs < now - 31 * DAY_MS), [], 'the next run does not resume them');
    reopened.close();
    for (const s of oldStarts) assert.equal(await container.getBlockBlobClient(segmentBlobName('cam-x', s)).exists(), false);
    for (const s of keptStarts) assert.equal(await container.getBlockBlobClient(segmentBlobName('cam-x', s)).exists(), true);

    // Ingest accepted the gaps, though their range is 40 days old: the gaps API lists them.
    await feeder.flush();
    const q = new URLSearchParams({ start: toIso(old0 - MINUTE_MS), end: toIso(old0 + HOUR_MS) });
    const listed = await fetch(`${t.api}/cameras/cam-x/gaps?${q}`, { headers: { 'x-functions-key': API_KEY } });
    assert.equal(listed.status, 200, await listed.clone().text());
    assert.deepEqual(((await listed.json()) as { gaps: unknown[] }).gaps, oldStarts.map((s) => ({ start: toIso(s), end: toIso(s + SEGMENT_MS), cause: 'expired-offline' })));
  });

  it('refusals that are not for good are retried with backoff, the segment kept: a start ahead of the cloud\'s clock, a wrong secret', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-refused-'));
    for (const [what, secret, startMs] of [
      ['10 min ahead', deviceSecret, Math.floor((Date.now() + 10 * MINUTE_MS) / 1000) * 1000],
      ['wrong secret', 'x'.repeat(43), Math.floor((Date.now() - MINUTE_MS) / 1000) * 1000],
    ] as const) {
      const seg = seed(dir, startMs);
      const name = segmentBlobName('cam-x', startMs);
      const expired: string[] = [];
      const client = new UploadUrlsClient({ apiUrl: relayUrl, deviceId: 'site-x', deviceSecret: secret });
      const up = new SegmentUploader({ uploadUrls: new UploadUrlCache({ request: (names) => client.request(names), container: 'recordings' }), logger: createLogger('silent'), retryDelayMs: 50, maxRetryDelayMs: 200, onExpired: (s) => void expired.push(toIso(s.startMs)), onUploaded: async () => {} });
      up.enqueue(seg);
      try {
        await until(`${what}: asked three times`, 10_000, () => calls.filter((c) => c.names.includes(name)).length >= 3);
      } finally {
        up.stop();
      }
      assert.ok(calls.filter((c) => c.names.includes(name)).every((c) => c.status === (what === 'wrong secret' ? 401 : 400)), what);
      assert.deepEqual(expired, [], `${what}: not expired`);
      assert.ok(existsSync(seg.path), `${what}: the file is kept`);
      assert.equal(up.pending, 1, `${what}: still queued`);
    }
  });
});
