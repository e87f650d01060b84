import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvocationContext } from '@azure/functions';
import { HttpRequest } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentBlobName, SEGMENT_CONTENT_TYPE } from '../../../../shared/contracts/blob-naming';
import { createDeps, defaultDeps } from '../../../../functions/deps';
import { exportMp4 } from '../../../../functions/playback/export-mp4';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { parseSettings, resetSettings } from '../../../../functions/settings';
import { startFunctionsHost, type FunctionsHost } from '../../../../local/functions-host';
import { silentLogger } from '../../../../local/host-logger';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { decodeFully, FFMPEG } from '../../../helpers/ffmpeg';
import { batchContext, segmentEvent, TEST_SECRET, viaEventGrid } from '../../../helpers/functions-fixtures';

const API_KEY = 'export-test-key-77';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const SEGMENT_MS = 2000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Real TS segments from ffmpeg (H.264 with a 1 s GOP + AAC), `count` × 2 s, one recorder session. */
function recordSession(dir: string, count: number): Buffer[] {
  const r = spawnSync(FFMPEG, [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', String((count * SEGMENT_MS) / 1000),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-f', 'segment', '-segment_time', String(SEGMENT_MS / 1000), '-segment_format', 'mpegts',
    path.join(dir, 'seg-%03d.ts'),
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  assert.equal(files.length, count);
  return files.map((f) => readFileSync(path.join(dir, f)));
}

describe('GET /api/cameras/{cameraId}/export.mp4 (real ffmpeg, Azurite, local host)', () => {
  let azurite: AzuriteInstance;
  let host: FunctionsHost;
  let api: string;
  let tmp: string;
  const savedEnv = { ...process.env };
  /** cam1: session A 6 × 2 s at T0..T0+12 s, a gap, session B 3 × 2 s at T0+20..T0+26 s (timestamps restart). */
  const starts: number[] = [];

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kw-export-'));
    azurite = await startAzurite();
    Object.assign(process.env, {
      KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
      KEEPWATCH_TABLE_PREFIX: 'export',
      KEEPWATCH_EXPORT_MAX_DURATION: 'PT5M',
      KEEPWATCH_OFFLINE_HORIZON: 'P3650D', // the seed has fixed dates
    });
    resetSettings();
    host = await startFunctionsHost({ port: 0, host: '127.0.0.1', apiKey: API_KEY, logger: silentLogger, timers: false }); // no retention run over the fixed-date seed
    api = `${host.url}/api`;

    const sessions = [
      { firstMs: T0, bytes: recordSession(mkdtempSync(path.join(tmp, 'a-')), 6) },
      { firstMs: T0 + 20_000, bytes: recordSession(mkdtempSync(path.join(tmp, 'b-')), 3) },
    ];
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    const events: Array<Record<string, unknown>> = [];
    for (const s of sessions) {
      for (const [i, bytes] of s.bytes.entries()) {
        const startMs = s.firstMs + i * SEGMENT_MS;
        starts.push(startMs);
        await container.getBlockBlobClient(segmentBlobName('cam1', startMs)).uploadData(bytes, { blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE } });
        events.push(viaEventGrid(segmentEvent({ startMs, durationMs: SEGMENT_MS, bytes: bytes.length })));
      }
    }
    // Indexed but broken: T0+40 s has no blob (deleted since), T0+50 s holds bytes that are not MPEG-TS.
    await container.getBlockBlobClient(segmentBlobName('cam1', T0 + 50_000)).uploadData(Buffer.alloc(4096, 7), { blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE } });
    events.push(viaEventGrid(segmentEvent({ startMs: T0 + 40_000, durationMs: SEGMENT_MS })), viaEventGrid(segmentEvent({ startMs: T0 + 50_000, durationMs: SEGMENT_MS, bytes: 4096 })));
    assert.equal((await ingest(events, batchContext(), defaultDeps())).accepted, starts.length + 2);
    await container.getBlockBlobClient(segmentBlobName('cam1', T0 + 40_000)).delete(); // stored when it was uploaded, gone since
  });

  after(async () => {
    await host?.close();
    await azurite?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    process.env = savedEnv;
    resetSettings();
  });

  const exportUrl = (startMs: number, endMs: number, extra = '') =>
    `${api}/cameras/cam1/export.mp4?start=${encodeURIComponent(iso(startMs))}&end=${encodeURIComponent(iso(endMs))}${extra}`;
  const withKey = (url: string) => fetch(url, { headers: { 'x-functions-key': API_KEY } });
  async function expectError(res: Response, status: number, code: string, message?: RegExp) {
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    if (message) assert.match(body.error.message, message);
  }
  async function saveMp4(res: Response, name: string): Promise<string> {
    const file = path.join(tmp, name);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return file;
  }

  it('streams an MP4 of a range inside one session that decodes fully, from the keyframe opening the segment of start', async () => {
    const res = await withKey(exportUrl(T0 + 3000, T0 + 9000));
    assert.equal(res.status, 200, res.status === 200 ? '' : await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="cam1_2026-11-21T10-00-03Z_PT6S.mp4"');
    assert.equal(res.headers.get('keepwatch-gaps'), '');
    const file = await saveMp4(res, 'inside.mp4');
    const head = readFileSync(file).subarray(4, 8).toString('latin1');
    assert.equal(head, 'ftyp', 'an MP4 file');
    const decoded = await decodeFully(file);
    assert.equal(decoded.code, 0);
    assert.deepEqual(decoded.errors, []);
    // From the segment at T0+2 s (keyframe) to T0+9 s: 7 s, within one frame of packet rounding.
    assert.ok(Math.abs(decoded.decodedS - 7) <= 0.2, `decoded ${decoded.decodedS} s`);
  });

  it('across a gap (timestamps restart in the second session): one continuous MP4, the gap in Keepwatch-Gaps, name in tz', async () => {
    const res = await withKey(exportUrl(T0 + 8000, T0 + 24_000, '&tz=Europe/Berlin'));
    assert.equal(res.status, 200, res.status === 200 ? '' : await res.clone().text());
    assert.equal(res.headers.get('keepwatch-gaps'), `${iso(T0 + 12_000)}/${iso(T0 + 20_000)}`);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="cam1_2026-11-21T11-00-08+01-00_PT16S.mp4"');
    const decoded = await decodeFully(await saveMp4(res, 'gap.mp4'));
    assert.equal(decoded.code, 0);
    assert.deepEqual(decoded.errors, []);
    // 4 s before the gap (T0+8..12) and 4 s after it (T0+20..24); the gap leaves no hole.
    assert.ok(Math.abs(decoded.decodedS - 8) <= 0.2, `decoded ${decoded.decodedS} s`);
  });

  it('snaps a range that starts in a gap and lists the leading gap', async () => {
    const res = await withKey(exportUrl(T0 + 15_000, T0 + 26_000));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('keepwatch-gaps'), `${iso(T0 + 15_000)}/${iso(T0 + 20_000)}`);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="cam1_2026-11-21T10-00-20Z_PT6S.mp4"');
    const decoded = await decodeFully(await saveMp4(res, 'snapped.mp4'));
    assert.deepEqual(decoded.errors, []);
    assert.ok(Math.abs(decoded.decodedS - 6) <= 0.2, `decoded ${decoded.decodedS} s`);
  });

  it('a failure before the first MP4 bytes is still an error status: 404 for a vanished blob, 500 for bytes ffmpeg refuses', async () => {
    await expectError(await withKey(exportUrl(T0 + 40_000, T0 + 42_000)), 404, 'SegmentMissing', /is gone/);
    await expectError(await withKey(exportUrl(T0 + 50_000, T0 + 52_000)), 500, 'InternalError', /see the logs of invocation/);
  });

  it('400 for bad input and above the caps, 404 when nothing is recorded', async () => {
    await expectError(await withKey(`${api}/cameras/cam1/export.mp4?start=${encodeURIComponent(iso(T0))}`), 400, 'MissingParameter', /'end' is required/);
    await expectError(await withKey(exportUrl(T0, T0 + 6 * 60_000)), 400, 'ExportTooLong', /more than the maximum PT5M \(KEEPWATCH_EXPORT_MAX_DURATION\)/);
    await expectError(await withKey(exportUrl(T0, T0 + 4000, '&tz=Mars/Olympus')), 400, 'InvalidTimeZone', /'tz' "Mars\/Olympus"/);
    await expectError(await withKey(exportUrl(T0 + 13_000, T0 + 19_000)), 404, 'NoMediaInRange');
    await expectError(await fetch(exportUrl(T0, T0 + 4000)), 401, 'Unauthorized');
    await expectError(await withKey(exportUrl(T0, T0 + 4000).replace('/cam1/', '/cam9/')), 404, 'CameraNotFound');

    const tight = createDeps(parseSettings({ ...process.env, KEEPWATCH_EXPORT_MAX_BYTES: '1000' }));
    const request = new HttpRequest({ method: 'GET', url: exportUrl(T0, T0 + 4000), params: { cameraId: 'cam1' } });
    const res = await exportMp4(request, new InvocationContext({ logHandler: () => {} }), tight);
    assert.equal(res.status, 400);
    assert.equal((res.jsonBody as { error: { code: string } }).error.code, 'ExportTooLarge');
  });
});
