import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentBlobName, SEGMENT_CONTENT_TYPE } from '../../../shared/contracts/blob-naming';
import { defaultDeps } from '../../../functions/deps';
import { ingest } from '../../../functions/ingest/ingest';
import { playbackGrantQuery } from '../../../functions/playback/playback-token';
import { resetSettings } from '../../../functions/settings';
import { startFunctionsHost, type FunctionsHost } from '../../../local/functions-host';
import { silentLogger } from '../../../local/host-logger';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { batchContext, gapEvent, segmentEvent, TEST_SECRET, viaEventGrid } from '../../helpers/functions-fixtures';

const API_KEY = 'local-test-key-4b1d';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
/** cam1: three abutting segments, a 30 s gap, two more. */
const OFFSETS_S = [0, 10, 20, 60, 70];
const iso = (ms: number) => new Date(ms).toISOString();

describe('HTTP API through the local functions host', () => {
  let azurite: AzuriteInstance;
  let host: FunctionsHost;
  let api: string;
  const savedEnv = { ...process.env };
  const blobBytes = new Map<string, Buffer>();
  let containerCreatedByHost = false;
  let tablesAtStart: string[] = [];

  before(async () => {
    azurite = await startAzurite();
    Object.assign(process.env, {
      KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
      KEEPWATCH_TABLE_PREFIX: 'http',
      KEEPWATCH_PLAYBACK_TTL: 'PT10M',
      KEEPWATCH_SEGMENT_SAS_TTL: 'PT20M',
    });
    delete process.env.KEEPWATCH_PUBLIC_BASE_URL;
    resetSettings();
    host = await startFunctionsHost({ port: 0, host: '127.0.0.1', apiKey: API_KEY, logger: silentLogger, timers: false }); // no retention run over the fixed-date seed
    api = `${host.url}/api`;

    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    containerCreatedByHost = await container.exists();
    tablesAtStart = [];
    for await (const t of TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true }).listTables()) tablesAtStart.push(t.name!);
    for (const s of OFFSETS_S) {
      const startMs = T0 + s * 1000;
      const bytes = Buffer.from(`segment bytes of cam1 at ${iso(startMs)} `.repeat(20));
      const name = segmentBlobName('cam1', startMs);
      blobBytes.set(name, bytes);
      await container.getBlockBlobClient(name).uploadData(bytes, { blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE }, conditions: { ifNoneMatch: '*' } });
    }
    const events = OFFSETS_S.map((s) => viaEventGrid(segmentEvent({ startMs: T0 + s * 1000, sha256: createHash('sha256').update(blobBytes.get(segmentBlobName('cam1', T0 + s * 1000))!).digest('hex') })));
    const summary = await ingest(events, batchContext(), defaultDeps());
    assert.equal(summary.accepted, OFFSETS_S.length);
  });

  after(async () => {
    await host?.close();
    await azurite?.stop();
    process.env = savedEnv;
    resetSettings();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api}${path}`, { headers });
  const withKey = (path: string) => get(path, { 'x-functions-key': API_KEY });
  async function expectError(res: Response, status: number, code: string, message?: RegExp) {
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    if (message) assert.match(body.error.message, message);
    return body;
  }
  const range = (startMs: number, endMs: number) => `start=${encodeURIComponent(iso(startMs))}&end=${encodeURIComponent(iso(endMs))}`;

  it('created the recordings container and the tables at start', () => {
    assert.equal(containerCreatedByHost, true);
    assert.deepEqual(tablesAtStart.sort(), ['httpAvailability', 'httpCameras', 'httpDeadLetters', 'httpDevices', 'httpEvents', 'httpGaps', 'httpGates', 'httpHealth', 'httpHolds', 'httpLiveMarks', 'httpManifests', 'httpPipelines', 'httpPolicies', 'httpRecordings', 'httpRetention', 'httpSegments', 'httpShares', 'httpSignals']);
  });

  describe('API key', () => {
    it('health answers without a key', async () => {
      const res = await get('/health');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
    });

    it('401 without a key, and with a wrong key in the header or the code query', async () => {
      await expectError(await get('/cameras'), 401, 'Unauthorized', /x-functions-key/);
      await expectError(await get('/cameras', { 'x-functions-key': 'wrong' }), 401, 'Unauthorized');
      await expectError(await get('/cameras', { 'x-functions-key': `${API_KEY}x` }), 401, 'Unauthorized');
      await expectError(await get('/cameras?code=wrong'), 401, 'Unauthorized');
      await expectError(await get(`/cameras/cam1/playback?${range(T0, T0 + 1000)}`), 401, 'Unauthorized');
    });

    it('accepts the key in the header or the code query', async () => {
      assert.equal((await withKey('/cameras')).status, 200);
      assert.equal((await get(`/cameras?code=${encodeURIComponent(API_KEY)}`)).status, 200);
    });

    it('unknown routes are a 404 and a wrong method a 405, both JSON', async () => {
      await expectError(await withKey('/nothing-here'), 404, 'NotFound');
      await expectError(await fetch(`${host.url}/elsewhere`), 404, 'NotFound');
      const res = await fetch(`${api}/health`, { method: 'POST' });
      assert.equal(res.headers.get('allow'), 'GET');
      await expectError(res, 405, 'MethodNotAllowed');
    });
  });

  describe('GET /api/cameras', () => {
    it('lists cameras with device and first/last recorded times', async () => {
      const res = await withKey('/cameras');
      assert.deepEqual(await res.json(), {
        cameras: [
          {
            id: 'cam1',
            deviceId: 'dev1',
            firstRecorded: iso(T0),
            lastRecorded: iso(T0 + 80_000),
            // dev1 uploaded but never sent a status: it is silent, so its camera is offline since its last segment.
            health: { state: 'offline', cause: 'device-silent', since: iso(T0 + 80_000) },
          },
        ],
      });
    });
  });

  describe('GET /api/cameras/{cameraId}/playback: bad input', () => {
    it('400 for bad camera ids: ../x (encoded), 200 characters, empty', async () => {
      const q = range(T0, T0 + 60_000);
      await expectError(await withKey(`/cameras/${encodeURIComponent('../x')}/playback?${q}`), 400, 'InvalidCameraId', /"\.\.\/x" is invalid/);
      await expectError(await withKey(`/cameras/${'a'.repeat(200)}/playback?${q}`), 400, 'InvalidCameraId', /1 to 32 characters/);
      await expectError(await withKey(`/cameras//playback?${q}`), 400, 'InvalidCameraId', /""/);
    });

    it('400 for end without start, a start-only request over 24 h, and an unparseable start', async () => {
      await expectError(await withKey(`/cameras/cam1/playback?end=${encodeURIComponent(iso(T0))}`), 400, 'MissingParameter', /'start' is required when 'end' is given/);
      const dayAgo = Date.now() - 86_400_000 - 60_000;
      await expectError(await withKey(`/cameras/cam1/playback?start=${encodeURIComponent(iso(dayAgo))}`), 400, 'RangeTooLong', /give an end/);
      await expectError(await withKey(`/cameras/cam9/playback?start=${encodeURIComponent(iso(dayAgo))}`), 400, 'RangeTooLong', /give an end/);
      await expectError(await withKey(`/cameras/cam1/playback?start=noon&end=${encodeURIComponent(iso(T0))}`), 400, 'InvalidDateTime', /'start' "noon"/);
    });

    it('400 for an inverted range and for more than 24 h', async () => {
      await expectError(await withKey(`/cameras/cam1/playback?${range(T0 + 60_000, T0)}`), 400, 'InvalidRange', /must be after start/);
      await expectError(await withKey(`/cameras/cam1/playback?${range(T0, T0 + 86_400_001)}`), 400, 'RangeTooLong', /maximum P1D/);
    });

    it('404 for an unknown camera and when nothing is recorded in the range', async () => {
      await expectError(await withKey(`/cameras/cam9/playback?${range(T0, T0 + 60_000)}`), 404, 'CameraNotFound', /cam9/);
      await expectError(await withKey(`/cameras/cam1/playback?${range(T0 + 30_000, T0 + 60_000)}`), 404, 'NoMediaInRange');
    });
  });

  describe('GET /api/cameras/{cameraId}/gaps', () => {
    it('lists the reported gaps overlapping the range, whole, with their cause; 400 and 404 for bad requests', async () => {
      const gaps = [
        gapEvent({ startMs: T0 - 7_200_000, endMs: T0 - 3_600_000, cause: 'agent-stopped' }),
        gapEvent({ startMs: T0 - 60_000, endMs: T0 - 30_000, cause: 'eviction' }),
      ].map((g) => viaEventGrid(g));
      assert.equal((await ingest(gaps, batchContext(), defaultDeps())).accepted, 2);
      const res = await withKey(`/cameras/cam1/gaps?${range(T0 - 5_000_000, T0)}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        gaps: [
          { start: iso(T0 - 7_200_000), end: iso(T0 - 3_600_000), cause: 'agent-stopped' },
          { start: iso(T0 - 60_000), end: iso(T0 - 30_000), cause: 'eviction' },
        ],
      });
      assert.deepEqual(await (await withKey(`/cameras/cam1/gaps?${range(T0 - 30_000, T0)}`)).json(), { gaps: [] }, 'a gap ending at the range start is not in it');
      await expectError(await withKey(`/cameras/cam1/gaps?${range(T0, T0 - 1)}`), 400, 'InvalidRange');
      await expectError(await withKey(`/cameras/cam1/gaps?${range(T0, T0 + 32 * 86_400_000)}`), 400, 'RangeTooLong');
      await expectError(await withKey(`/cameras/cam1/gaps?start=${encodeURIComponent(iso(T0))}`), 400, 'MissingParameter', /'end'/);
      await expectError(await withKey(`/cameras/Cam!/gaps?${range(T0, T0 + 1)}`), 400, 'InvalidCameraId');
      await expectError(await withKey(`/cameras/nobody/gaps?${range(T0, T0 + 1)}`), 404, 'CameraNotFound');
      await expectError(await get(`/cameras/cam1/gaps?${range(T0, T0 + 1)}`), 401, 'Unauthorized');
    });
  });

  describe('playback and playlist', () => {
    async function playback(startMs: number, endMs: number) {
      const res = await withKey(`/cameras/cam1/playback?${range(startMs, endMs)}`);
      const body = (await res.json()) as { hlsUrl: string; expiresAt: string; start: string; end: string; ranges: Array<{ start: string; end: string }> };
      assert.equal(res.status, 200, JSON.stringify(body));
      return body;
    }

    it('without start and end: the most recent 4 h of the archive, snapped to its media', async () => {
      const res = await withKey('/cameras/cam1/playback');
      const body = (await res.json()) as { start: string; end: string; ranges: unknown };
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.start, iso(T0));
      assert.equal(body.end, iso(T0 + 80_000));
    });

    it('snaps a range that begins and ends in gaps to the stored media, and signs the snapped range', async () => {
      const body = await playback(T0 - 3_600_000, T0 + 45_000);
      assert.equal(body.start, iso(T0));
      assert.equal(body.end, iso(T0 + 30_000));
      assert.deepEqual(body.ranges, [{ start: iso(T0), end: iso(T0 + 30_000) }]);
      const url = new URL(body.hlsUrl);
      assert.equal(url.searchParams.get('start'), iso(T0));
      assert.equal(url.searchParams.get('end'), iso(T0 + 30_000));
      const text = await (await fetch(body.hlsUrl)).text();
      assert.equal((text.match(/#EXTINF/g) ?? []).length, 3);
    });

    it('returns a signed absolute playlist URL, its expiry and the segment-aligned ranges', async () => {
      const before = Date.now();
      const body = await playback(T0 + 5000, T0 + 65_000);
      assert.equal(body.start, iso(T0 + 5000), 'edges inside media stay as asked');
      assert.equal(body.end, iso(T0 + 65_000));
      assert.deepEqual(body.ranges, [
        { start: iso(T0), end: iso(T0 + 30_000) },
        { start: iso(T0 + 60_000), end: iso(T0 + 70_000) },
      ]);
      const url = new URL(body.hlsUrl);
      assert.equal(url.origin, host.url, 'the request origin when no public base URL is set');
      assert.equal(url.pathname, '/api/cameras/cam1/playlist.m3u8');
      assert.deepEqual([...url.searchParams.keys()].sort(), ['end', 'expires', 'kid', 'sig', 'start']);
      const expiresMs = Date.parse(body.expiresAt);
      assert.ok(expiresMs >= before + 600_000 && expiresMs <= Date.now() + 600_000, body.expiresAt);
      assert.equal(Number(url.searchParams.get('expires')), expiresMs);
    });

    it('the playlist opens without a key and lists SAS URLs that download the stored bytes', async () => {
      const { hlsUrl, expiresAt } = await playback(T0, T0 + 80_000);
      const res = await fetch(hlsUrl);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const text = await res.text();
      const lines = text.trim().split('\n');
      assert.equal(lines[0], '#EXTM3U');
      assert.equal(lines[lines.length - 1], '#EXT-X-ENDLIST');
      assert.deepEqual(
        lines.filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')).map((l) => l.slice(25)),
        OFFSETS_S.map((s) => iso(T0 + s * 1000)),
      );
      const urls = lines.filter((l) => !l.startsWith('#'));
      assert.equal(urls.length, OFFSETS_S.length);
      for (const [i, segmentUrl] of urls.entries()) {
        const u = new URL(segmentUrl);
        assert.equal(u.searchParams.get('sp'), 'r', 'read-only');
        assert.equal(u.searchParams.get('sr'), 'b', 'single blob');
        assert.ok(Date.parse(u.searchParams.get('se')!) >= Date.parse(expiresAt), 'segment SAS outlives the playlist token');
        assert.ok(Date.parse(u.searchParams.get('se')!) >= Date.parse(expiresAt) + 590_000, 'KEEPWATCH_SEGMENT_SAS_TTL PT20M, not the playlist TTL PT10M');
        const blob = await fetch(segmentUrl);
        assert.equal(blob.status, 200, segmentUrl);
        assert.equal(blob.headers.get('content-type'), SEGMENT_CONTENT_TYPE);
        assert.deepEqual(Buffer.from(await blob.arrayBuffer()), blobBytes.get(segmentBlobName('cam1', T0 + OFFSETS_S[i] * 1000)));
      }
      // Read-only: the same SAS cannot overwrite the blob.
      const put = await fetch(urls[0], { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' });
      assert.equal(put.status, 403);
    });

    it('marks the gap with a discontinuity, only there', async () => {
      const text = await (await fetch((await playback(T0, T0 + 80_000)).hlsUrl)).text();
      const lines = text.split('\n');
      assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1);
      assert.equal(lines[lines.indexOf('#EXT-X-DISCONTINUITY') + 1], `#EXT-X-PROGRAM-DATE-TIME:${iso(T0 + 60_000)}`);
      assert.match(text, /#EXT-X-TARGETDURATION:10\n/);
    });

    it('includes a segment that is only partly inside the range, whole', async () => {
      const { hlsUrl, ranges } = await playback(T0 + 15_000, T0 + 16_000);
      assert.deepEqual(ranges, [{ start: iso(T0 + 10_000), end: iso(T0 + 20_000) }]);
      const text = await (await fetch(hlsUrl)).text();
      assert.deepEqual(text.split('\n').filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME')), [`#EXT-X-PROGRAM-DATE-TIME:${iso(T0 + 10_000)}`]);
    });

    it('401 for a tampered playlist URL', async () => {
      const { hlsUrl } = await playback(T0, T0 + 30_000);
      const longer = new URL(hlsUrl);
      longer.searchParams.set('end', iso(T0 + 80_000));
      await expectError(await fetch(longer), 401, 'InvalidPlaybackToken', /signature does not match/);
      const otherCamera = hlsUrl.replace('/cameras/cam1/', '/cameras/cam2/');
      await expectError(await fetch(otherCamera), 401, 'InvalidPlaybackToken');
      const noSig = new URL(hlsUrl);
      noSig.searchParams.delete('sig');
      await expectError(await fetch(noSig), 401, 'InvalidPlaybackToken', /lacks its playback token/);
    });

    it('401 for an expired (but genuinely signed) playlist URL', async () => {
      const expired = playbackGrantQuery({ cameraId: 'cam1', startMs: T0, endMs: T0 + 30_000, expiresMs: Date.now() - 1000 }, TEST_SECRET);
      await expectError(await fetch(`${api}/cameras/cam1/playlist.m3u8?${expired}`), 401, 'PlaybackTokenExpired', /expired at/);
    });
  });
});
