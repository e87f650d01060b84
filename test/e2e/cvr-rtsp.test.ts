import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { segmentBlobName } from '../../shared/blob-naming';
import { agentSegments } from '../helpers/e2e';
import { waitFor } from '../helpers/wait';
import { decodeFully } from '../helpers/ffmpeg';
import { mediaPath, startRtspServer, type RtspServer } from '../helpers/rtsp-server';

/** How long the camera is recorded (issue 2: ≥ 40 s). */
const RECORD_MS = 42_000;
const SEGMENT_LENGTH = 'PT4S';
const CAMERA = 'cam-e2e';


describe('CVR end to end: real RTSP camera → agent → cache → Blob → index → signed HLS', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  const printed: string[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kw-e2e-'));

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/person': mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir,
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: rtsp.urls['/person'] }],
      segmentLength: SEGMENT_LENGTH,
      agentLogLevel: 'debug',
      print: (l) => printed.push(l),
    });
  });

  after(async () => {
    await stack?.stop();
    await rtsp?.stop();
  });

  it('records ≥ 40 s, stores every segment once, indexes them without gap or overlap, and plays them back', async () => {
    await new Promise((r) => setTimeout(r, RECORD_MS));
    // Stop the agent as an operator would: it closes and uploads its last segment first.
    const exited = new Promise((r) => stack.agent.once('exit', r));
    stack.agent.kill('SIGTERM');
    await exited;

    const produced = agentSegments(stack, CAMERA);
    assert.ok(produced.length >= 9, `expected ≥ 9 segments of ${SEGMENT_LENGTH} in ${RECORD_MS} ms, got ${produced.length}\n${printed.slice(-20).join('\n')}`);
    const firstStart = produced[0].startMs;
    const last = produced[produced.length - 1];
    const lastEnd = last.startMs + last.durationMs;
    assert.ok(lastEnd - firstStart >= 38_000, `recorded span ${lastEnd - firstStart} ms`);

    // Times are UTC and on the wall clock: a segment is complete (logged) when its end has passed.
    for (const s of produced) {
      const lag = s.loggedAtMs - (s.startMs + s.durationMs);
      assert.ok(Math.abs(lag) <= 1000, `segment ${new Date(s.startMs).toISOString()} is ${lag} ms off the wall clock`);
    }

    // The index reaches the last segment (events go agent → broker → Event Hubs batch → ingest).
    const headers = { 'x-functions-key': stack.apiKey };
    await waitFor('the last segment in the index', 15_000, async () => {
      const body = (await (await fetch(`${stack.apiBase}/cameras`, { headers })).json()) as { cameras: Array<{ id: string; lastRecorded?: string }> };
      const cam = body.cameras.find((c) => c.id === CAMERA);
      return cam?.lastRecorded && Date.parse(cam.lastRecorded) >= lastEnd ? true : undefined;
    });

    // Blob: exactly the agent's segments, byte for byte in size, under their canonical UTC names.
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(stack.container);
    const blobs = new Map<string, number>();
    for await (const b of container.listBlobsFlat({ prefix: `${CAMERA}/` })) blobs.set(b.name, b.properties.contentLength ?? -1);
    assert.equal(blobs.size, produced.length, 'one blob per recorded segment');
    for (const s of produced) {
      const name = segmentBlobName(CAMERA, s.startMs);
      assert.match(name, /Z\.ts$/);
      assert.equal(blobs.get(name), s.bytes, `blob ${name} has the bytes ffmpeg wrote`);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.equal(sum([...blobs.values()]), sum(produced.map((s) => s.bytes)));

    // Index: one row per segment, contiguous (no overlap, no gap).
    const table = TableClient.fromConnectionString(stack.connectionString, 'kwSegments', { allowInsecureConnection: true });
    const rows: Array<{ startMs: number; durationMs: number }> = [];
    const sha256ByBlob = new Map<string, string>();
    for await (const e of table.listEntities<{ startMs: number; durationMs: number; blobName: string; sha256: string }>({ queryOptions: { filter: `PartitionKey ge '${CAMERA}_' and PartitionKey le '${CAMERA}_9999'` } })) {
      rows.push({ startMs: Number(e.startMs), durationMs: Number(e.durationMs) });
      sha256ByBlob.set(e.blobName, e.sha256);
    }
    rows.sort((a, b) => a.startMs - b.startMs);
    assert.deepEqual(rows, produced.map((s) => ({ startMs: s.startMs, durationMs: s.durationMs })));
    // Each row's SHA-256 is the stored blob's: the index describes exactly the bytes that were uploaded.
    for (const name of blobs.keys()) {
      const stored = await container.getBlockBlobClient(name).downloadToBuffer();
      assert.equal(sha256ByBlob.get(name), createHash('sha256').update(stored).digest('hex'), `index row of ${name} has the blob's SHA-256`);
    }
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i].startMs, rows[i - 1].startMs + rows[i - 1].durationMs, `row ${i} abuts row ${i - 1}`);

    // Playback: a signed HLS URL that a plain player (ffmpeg) decodes end to end.
    const q = new URLSearchParams({ start: new Date(firstStart).toISOString(), end: new Date(lastEnd).toISOString() });
    const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/playback?${q}`, { headers });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { hlsUrl: string; expiresAt: string; ranges: Array<{ start: string; end: string }> };
    assert.deepEqual(body.ranges, [{ start: new Date(firstStart).toISOString(), end: new Date(lastEnd).toISOString() }]);
    assert.ok(Date.parse(body.expiresAt) > Date.now());
    const playlist = await (await fetch(body.hlsUrl)).text();
    assert.match(playlist, /#EXT-X-ENDLIST/);
    assert.doesNotMatch(playlist, /#EXT-X-DISCONTINUITY/, 'one continuous session has no discontinuity');
    assert.equal((playlist.match(/#EXTINF/g) ?? []).length, produced.length);
    const decoded = await decodeFully(body.hlsUrl);
    assert.equal(decoded.code, 0);
    assert.deepEqual(decoded.errors, [], 'ffmpeg decodes the playlist without errors');
    const spanS = (lastEnd - firstStart) / 1000;
    const longestSegmentS = Math.max(...produced.map((s) => s.durationMs)) / 1000;
    assert.ok(Math.abs(decoded.decodedS - spanS) <= longestSegmentS, `decoded ${decoded.decodedS} s of a ${spanS} s span`);

    // The agent's cache is empty: uploaded segments leave it (CVR), the last one included.
    assert.ok(!printed.some((l) => /incomplete segment left/.test(l)), 'the last segment was closed and uploaded');
    const cacheDir = path.join(dataDir, 'cache', CAMERA);
    assert.ok(existsSync(cacheDir), `the camera's cache folder ${cacheDir} was used`);
    assert.deepEqual(readdirSync(cacheDir), [], 'no segment is left in the cache');

    // Issue 6 §3: the agent held neither a storage key nor the API key; it uploaded through create-only URLs the
    // cloud signed for its device secret, and neither the secret nor a SAS signature reached a log.
    const agentConfig = JSON.parse(readFileSync(path.join(dataDir, 'agent.json'), 'utf8')) as { upload: Record<string, string> };
    assert.deepEqual(Object.keys(agentConfig.upload).sort(), ['apiUrl', 'container', 'deviceSecret']);
    assert.equal(agentConfig.upload.apiUrl, stack.apiBase);
    const log = [...printed, ...stack.agentLog].join('\n');
    assert.ok(printed.some((l) => /upload urls signed/.test(l)), 'the host signed upload URLs for the agent');
    assert.ok(!log.includes(stack.deviceSecret), 'the device secret is never logged');
    assert.doesNotMatch(log, /[?&]sig=(?!\*\*\*)/, 'no SAS signature in the logs');
    assert.doesNotMatch(log, /AccountKey=(?!\*\*\*)/, 'no account key in the logs');
  });
});
