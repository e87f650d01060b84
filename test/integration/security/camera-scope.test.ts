import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentBlobName, SEGMENT_CONTENT_TYPE } from '../../../shared/contracts/blob-naming';
import { defaultDeps } from '../../../functions/deps';
import { ingest } from '../../../functions/ingest/ingest';
import { startAuthTestHost, type AuthTestHost } from '../../helpers/auth-host';
import { batchContext, segmentEvent, viaEventGrid } from '../../helpers/functions-fixtures';

const API_KEY = 'camera-scope-admin-key';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const range = `start=${encodeURIComponent(new Date(T0).toISOString())}&end=${encodeURIComponent(new Date(T0 + 30_000).toISOString())}`;

/**
 * Per-camera scope (docs/security.md "Per-camera scope"): a viewer whose token says `cameras: ["door"]` sees door and
 * nothing of yard — not in the camera list, not its availability, playback, playlist, gaps, recordings or export —
 * and the playlist it gets names only door's segments. Both cameras have recorded (segments indexed by ingest).
 */
describe('per-camera scope of bearer tokens', () => {
  let t: AuthTestHost;
  let doorViewer: string;

  before(async () => {
    t = await startAuthTestHost({ apiKey: API_KEY, tablePrefix: 'scope' });
    const container = BlobServiceClient.fromConnectionString(t.azurite.connectionString).getContainerClient('recordings');
    const events = [];
    for (const cameraId of ['door', 'yard']) {
      for (const s of [0, 10, 20]) {
        const startMs = T0 + s * 1000;
        const bytes = Buffer.from(`segment of ${cameraId} at ${startMs} `.repeat(20));
        await container.getBlockBlobClient(segmentBlobName(cameraId, startMs)).uploadData(bytes, { blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE } });
        events.push(viaEventGrid(segmentEvent({ cameraId, startMs, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })));
      }
    }
    const summary = await ingest(events, batchContext(), defaultDeps());
    assert.equal(summary.accepted, 6);
    doorViewer = await t.token('door-viewer');
  });
  after(async () => t?.stop());

  const get = (path: string, token: string) => fetch(`${t.api}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const ids = async (res: Response) => ((await res.json()) as { cameras: Array<{ id: string }> }).cameras.map((c) => c.id);

  it('GET /cameras lists only the cameras of the token (the admin key and an unscoped viewer see both)', async () => {
    assert.deepEqual(await ids(await get('/cameras', doorViewer)), ['door']);
    assert.deepEqual(await ids(await get('/cameras', await t.token('viewer'))), ['door', 'yard']);
    assert.deepEqual(await ids(await fetch(`${t.api}/cameras`, { headers: { 'x-functions-key': API_KEY } })), ['door', 'yard']);
  });

  it("answers door's availability, playback and playlist (200), and the playlist names door's segments only", async () => {
    assert.equal((await get(`/cameras/door/availableMedia?precision=year`, doorViewer)).status, 200);
    const playback = await get(`/cameras/door/playback?${range}`, doorViewer);
    assert.equal(playback.status, 200);
    const { hlsUrl } = (await playback.json()) as { hlsUrl: string };
    const playlist = await fetch(hlsUrl);
    assert.equal(playlist.status, 200);
    const uris = (await playlist.text()).split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(uris.length, 3);
    for (const u of uris) {
      assert.match(new URL(u).pathname, /\/door\/2026\//, u);
      assert.doesNotMatch(u, /yard/, u);
    }
    // The playlist URL is signed for door: pointed at yard, it is refused.
    const forged = new URL(hlsUrl);
    forged.pathname = forged.pathname.replace('/cameras/door/', '/cameras/yard/');
    assert.equal((await fetch(forged)).status, 401);
  });

  it("refuses every yard route with 403 Forbidden naming the camera, and nothing of yard in the body", async () => {
    for (const path of [
      `/cameras/yard/availableMedia?precision=year`,
      `/cameras/yard/playback?${range}`,
      `/cameras/yard/gaps?${range}`,
      `/cameras/yard/recordings?${range}`,
      `/cameras/yard/export.mp4?${range}`,
      '/cameras/yard/recordings/1763719200000-0123456789ab',
    ]) {
      const res = await get(path, doorViewer);
      assert.equal(res.status, 403, path);
      const body = (await res.json()) as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], path);
      assert.equal(body.error.code, 'Forbidden');
      assert.match(String(body.error.message), /camera 'yard'/);
    }
  });

  it('a camera that does not exist is a 403 too, so a scoped token cannot probe which cameras exist', async () => {
    const res = await get(`/cameras/nowhere/playback?${range}`, doorViewer);
    assert.equal(res.status, 403);
    const admin = await fetch(`${t.api}/cameras/nowhere/playback?${range}`, { headers: { 'x-functions-key': API_KEY } });
    assert.equal(admin.status, 404, 'the admin learns it is unknown');
  });

  it('a door controller (SignalPublisher of door, docs/integrations.md) posts door signals only, and reads nothing', async () => {
    const controller = await t.token('door-controller');
    const post = (cameraId: string) => fetch(`${t.api}/cameras/${cameraId}/signals`, { method: 'POST', headers: { authorization: `Bearer ${controller}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'door', label: 'opened' }) });
    const door = await post('door');
    assert.equal(door.status, 202, await door.text());
    assert.equal((await post('yard')).status, 403);
    for (const path of ['/cameras', `/cameras/door/playback?${range}`, '/cameras/door/policy', '/devices']) {
      assert.equal((await get(path, controller)).status, 403, path);
    }
  });

  it('an operator of door may post door signals and hold door, not yard', async () => {
    const operator = await t.token('door-operator');
    const post = (cameraId: string) => fetch(`${t.api}/cameras/${cameraId}/signals`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'door' }) });
    assert.ok([200, 201, 202].includes((await post('door')).status));
    assert.equal((await post('yard')).status, 403);
    assert.equal((await get('/cameras/yard/holds', operator)).status, 403);
    assert.equal((await get('/cameras/door/holds', operator)).status, 200);
  });
});
