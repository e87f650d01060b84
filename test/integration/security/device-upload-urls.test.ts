import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import mqtt from 'mqtt';
import { parse as parseYaml } from 'yaml';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { startLocalBroker } from '../../../local/broker';
import { localDeviceStore } from '../../../local/local-devices';
import { BlobServiceClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { createLogger } from '../../../edge-agent/log';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { SegmentUploader } from '../../../edge-agent/uploader/segment-uploader';
import type { UploadedSegment } from '../../../edge-agent/segments/recorded-segment';
import { UploadUrlCache } from '../../../edge-agent/uploader/upload-url-cache';
import { UploadUrlsClient } from '../../../edge-agent/uploader/upload-urls-client';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { storageSnapshot } from '../../helpers/storage-snapshot';
import { startTestHost, type TestHost } from '../../helpers/test-host';
import { statusOf } from '../../helpers/storage-status';
import { freePort } from '../../../testbed/ports';

/**
 * docs/devices.md: `POST /api/devices/{deviceId}/upload-urls` on the running local host over real Azurite. Devices are
 * provisioned through the admin route; the URLs the route signs are used as a device would (and as a thief would).
 */
const API_KEY = 'device-urls-test-key-3f1';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('device upload URLs (POST /api/devices/{deviceId}/upload-urls) on the local host and Azurite', () => {
  let t: TestHost;
  let service: BlobServiceClient;
  let recordings: ContainerClient;
  const secrets: Record<string, string> = {};

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${t.api}${path}`, {
      method,
      headers: { 'x-functions-key': API_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ask = (deviceId: string, blobs: unknown, authorization?: string) =>
    fetch(`${t.api}/devices/${deviceId}/upload-urls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify({ blobs }),
    });
  const bearer = (deviceId: string) => `Bearer ${secrets[deviceId]}`;
  /** Asks as `deviceId` with its secret; asserts 200; the answer's entries. */
  async function urlsFor(deviceId: string, names: string[]): Promise<{ expiresOn: string; blobs: Array<{ name: string; url?: string; exists?: true; bytes?: number; sha256?: string }> }> {
    const res = await ask(deviceId, names, bearer(deviceId));
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { expiresOn: string; blobs: Array<{ name: string; url?: string; exists?: true; bytes?: number; sha256?: string }> };
  }
  /** Every table row and blob, to prove a refused request changed nothing (and signed nothing that was used). */
  const snapshot = () => storageSnapshot(t.azurite.connectionString);

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'devurl', env: { KEEPWATCH_DEVICE_SAS_TTL: 'PT5M' } });
    service = BlobServiceClient.fromConnectionString(t.azurite.connectionString);
    recordings = service.getContainerClient('recordings');
    await recordings.createIfNotExists();
    for (const [deviceId, cameras] of [['dev-a', ['cam-a1', 'cam-a2']], ['dev-b', ['cam-b1']]] as const) {
      const res = await admin('POST', '/devices', { deviceId, cameras });
      assert.equal(res.status, 201);
      const body = (await res.json()) as { secret: string; cameras: string[] };
      assert.match(body.secret, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(body.cameras, [...cameras].sort());
      secrets[deviceId] = body.secret;
    }
  });
  after(async () => {
    await t?.stop();
  });

  it('provisioning: the secret is shown once, never by GET; the row keeps only its SHA-256; ids and cameras are unique', async () => {
    const got = (await (await admin('GET', '/devices/dev-a')).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(got).sort(), ['cameras', 'createdAt', 'deviceId', 'disabled', 'secretSetAt']);
    const list = await (await admin('GET', '/devices')).text();
    assert.ok(!list.includes(secrets['dev-a']) && !list.includes(createHash('sha256').update(secrets['dev-a']).digest('hex')));
    const table = TableClient.fromConnectionString(t.azurite.connectionString, 'devurlDevices', { allowInsecureConnection: true });
    const rows: string[] = [];
    for await (const e of table.listEntities({ queryOptions: { filter: "RowKey eq 'device'" } })) rows.push(JSON.stringify(e));
    assert.equal(rows.length, 2, 'one row per device (the camera claims are rows of their own partition)');
    assert.ok(!rows.join().includes(secrets['dev-a']), 'the clear secret is not stored');
    assert.ok(rows.join().includes(createHash('sha256').update(secrets['dev-a']).digest('hex')), 'its SHA-256 is');
    assert.equal((await admin('POST', '/devices', { deviceId: 'dev-a', cameras: ['cam-z'] })).status, 409);
    const owned = await admin('POST', '/devices', { deviceId: 'dev-c', cameras: ['cam-b1'] });
    assert.equal(owned.status, 409);
    assert.equal(((await owned.json()) as { error: { code: string } }).error.code, 'CameraOwned');
    assert.equal((await admin('POST', '/devices', { deviceId: 'dev-c', cameras: ['cam-c', 'cam-c'] })).status, 400);
    assert.equal((await fetch(`${t.api}/devices`, { method: 'POST', body: JSON.stringify({ deviceId: 'dev-x', cameras: ['x'] }) })).status, 401, 'admin routes need the API key');
  });

  it('a missing, wrong, or other device\'s secret, and an unknown device, all get the same 401; nothing is signed', async () => {
    const name = segmentBlobName('cam-a1', T0);
    const before = await snapshot();
    const answers = await Promise.all([
      ask('dev-a', [name]),
      ask('dev-a', [name], `Bearer ${'A'.repeat(43)}`),
      ask('dev-a', [name], bearer('dev-b')),
      ask('dev-a', [name], secrets['dev-a']), // no "Bearer"
      ask('dev-a', [name], `Basic ${secrets['dev-a']}`),
      ask('dev-a', [name], `x-functions-key ${API_KEY}`),
      ask('nobody', [name], bearer('dev-a')),
    ]);
    const bodies = await Promise.all(answers.map((r) => r.text()));
    for (const [i, r] of answers.entries()) {
      assert.equal(r.status, 401, `case ${i}: ${bodies[i]}`);
      assert.equal(bodies[i], bodies[0], 'one answer for every failure: an unknown device is not told apart');
      assert.ok(!bodies[i].includes('sig='));
    }
    // The API key does not authenticate a device either.
    const keyed = await fetch(`${t.api}/devices/dev-a/upload-urls`, { method: 'POST', headers: { 'x-functions-key': API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ blobs: [name] }) });
    assert.equal(keyed.status, 401);
    assert.deepEqual(await snapshot(), before);
  });

  it("another device's camera, non-canonical or traversing names, duplicates and more than 100 names: 4xx, nothing signed", async () => {
    const own = segmentBlobName('cam-a1', T0);
    const cases: Array<[unknown, number, string]> = [
      [[own, segmentBlobName('cam-b1', T0)], 403, 'CameraNotOwned'],
      [[segmentBlobName('cam-zz', T0)], 403, 'CameraNotOwned'],
      [[own.replace('.000Z', 'Z')], 400, 'InvalidBlobName'],
      [[`cam-a1/../cam-b1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts`], 400, 'InvalidBlobName'],
      [[`${own}/../../${segmentBlobName('cam-b1', T0)}`], 400, 'InvalidBlobName'],
      [['cam-a1/2026/11/21/11/2026-11-21T10:00:00.000Z.ts'], 400, 'InvalidBlobName'],
      [[own.replace('.ts', '.mp4')], 400, 'InvalidBlobName'],
      [[`/${own}`], 400, 'InvalidBlobName'],
      [[own, own], 400, 'DuplicateBlobName'],
      [Array.from({ length: 101 }, (_, i) => segmentBlobName('cam-a1', T0 + i * 10_000)), 400, 'InvalidUploadUrlsRequest'],
      [[], 400, 'InvalidUploadUrlsRequest'],
      ['cam-a1', 400, 'InvalidUploadUrlsRequest'],
    ];
    for (const [blobs, status, code] of cases) {
      const res = await ask('dev-a', blobs, bearer('dev-a'));
      const text = await res.text();
      assert.equal(res.status, status, `${JSON.stringify(blobs).slice(0, 100)}: ${text}`);
      assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, code);
      assert.ok(!text.includes('sig='), 'no URL in a refusal');
    }
    const extra = await fetch(`${t.api}/devices/dev-a/upload-urls`, { method: 'POST', headers: { authorization: bearer('dev-a') }, body: JSON.stringify({ blobs: [own], container: 'x' }) });
    assert.equal(extra.status, 400);
    assert.equal((await ask('Dev-A', [own], bearer('dev-a'))).status, 400, 'a bad device id is a 400 before anything else');
  });

  it('a URL creates its blob once; a second PUT of the name fails with any header; it cannot read, list, delete or create another name', async () => {
    const name = segmentBlobName('cam-a1', T0 + 10_000);
    const other = segmentBlobName('cam-a1', T0 + 20_000);
    const answer = await urlsFor('dev-a', [name]);
    const expiresMs = Date.parse(answer.expiresOn);
    assert.ok(expiresMs > Date.now() + 4 * 60_000 && expiresMs <= Date.now() + 5 * 60_000 + 1000, `PT5M from now: ${answer.expiresOn}`);
    const url = answer.blobs[0].url!;
    const q = new URL(url).searchParams;
    assert.deepEqual([q.get('sp'), q.get('sr')], ['c', 'b']);
    const blob = new BlockBlobClient(url);
    const bytes = Buffer.from('segment bytes 1');
    assert.equal(await statusOf(() => blob.uploadData(bytes, { conditions: { ifNoneMatch: '*' } })), 201);
    assert.equal(await statusOf(() => blob.uploadData(Buffer.from('again'), { conditions: { ifNoneMatch: '*' } })), 403);
    assert.equal(await statusOf(() => blob.uploadData(Buffer.from('again'))), 403);
    assert.equal(await statusOf(() => blob.uploadData(Buffer.from('again'), { conditions: { ifMatch: '*' } })), 403);
    assert.equal(await statusOf(() => blob.download()), 403);
    assert.equal(await statusOf(() => blob.getProperties()), 403);
    assert.equal(await statusOf(() => blob.delete()), 403);
    const sas = url.split('?')[1];
    assert.equal(await statusOf(() => new ContainerClient(`${recordings.url}?${sas}`).listBlobsFlat().byPage().next()), 403);
    assert.equal(await statusOf(() => new ContainerClient(`${recordings.url}?${sas}`).getBlockBlobClient(other).uploadData(Buffer.from('x'))), 403);
    assert.deepEqual(await recordings.getBlockBlobClient(name).downloadToBuffer(), bytes);
    assert.equal(await recordings.getBlockBlobClient(other).exists(), false);
  });

  it('an existing blob is answered with its size and SHA-256 instead of a URL (a lost acknowledgement), in request order', async () => {
    const done = segmentBlobName('cam-a2', T0);
    const fresh = segmentBlobName('cam-a2', T0 + 10_000);
    const bytes = Buffer.from('uploaded earlier');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const [first] = (await urlsFor('dev-a', [done])).blobs;
    await new BlockBlobClient(first.url!).uploadData(bytes, { conditions: { ifNoneMatch: '*' }, metadata: { sha256 } });
    const answer = await urlsFor('dev-a', [fresh, done]);
    assert.equal(answer.blobs[0].name, fresh);
    assert.ok(answer.blobs[0].url);
    assert.deepEqual(answer.blobs[1], { name: done, exists: true, bytes: bytes.length, sha256 });
  });

  it('rotation: the old secret is refused at once, the new one works; deletion revokes', async () => {
    const name = segmentBlobName('cam-b1', T0);
    const old = secrets['dev-b'];
    const res = await admin('POST', '/devices/dev-b/secret');
    assert.equal(res.status, 200);
    const { secret } = (await res.json()) as { secret: string };
    assert.notEqual(secret, old);
    assert.equal((await ask('dev-b', [name], `Bearer ${old}`)).status, 401);
    assert.equal((await ask('dev-b', [name], `Bearer ${secret}`)).status, 200);
    assert.equal((await admin('POST', '/devices/nobody/secret')).status, 404);
    assert.equal((await admin('DELETE', '/devices/dev-b')).status, 204);
    assert.equal((await ask('dev-b', [name], `Bearer ${secret}`)).status, 401);
    assert.equal((await admin('GET', '/devices/dev-b')).status, 404);
    assert.equal((await admin('DELETE', '/devices/dev-b')).status, 404, 'already revoked');
    assert.equal((await admin('POST', '/devices/dev-b/secret')).status, 404, 'a revoked device cannot be given a new secret');
    const listed = (await (await admin('GET', '/devices')).json()) as { devices: Array<{ deviceId: string }> };
    assert.ok(!listed.devices.some((d) => d.deviceId === 'dev-b'), 'a revoked device is not listed');
    // Its id and cameras can be provisioned again; the new secret works.
    const again = await admin('POST', '/devices', { deviceId: 'dev-b', cameras: ['cam-b1'] });
    assert.equal(again.status, 201);
    const fresh = ((await again.json()) as { secret: string }).secret;
    assert.equal((await ask('dev-b', [name], `Bearer ${fresh}`)).status, 200);
    secrets['dev-b'] = fresh;
  });

  describe("the agent's uploader through the route's URLs", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-devurl-'));
    /** A segment file of cam-a1 at `startMs` holding `text`. */
    function segment(startMs: number, text: string): RecordedSegment {
      const file = path.join(dir, `${startMs}-${text.length}.ts`);
      writeFileSync(file, text);
      return { cameraId: 'cam-a1', path: file, startMs, durationMs: 10_000, bytes: Buffer.byteLength(text) };
    }
    function uploader(o: { urls?: UploadUrlCache; onConflict?: (s: RecordedSegment, m: string) => void } = {}) {
      const urls = o.urls ?? new UploadUrlCache({ request: (n) => new UploadUrlsClient({ apiUrl: t.api, deviceId: 'dev-a', deviceSecret: secrets['dev-a'] }).request(n), container: 'recordings' });
      const uploaded: UploadedSegment[] = [];
      const up = new SegmentUploader({ uploadUrls: urls, logger: createLogger('silent'), retryDelayMs: 50, maxRetryDelayMs: 100, onUploaded: async (s) => void uploaded.push(s), onConflict: o.onConflict });
      return { up, urls, uploaded };
    }

    it('uploads a batch with one request, then treats a re-upload whose answer was lost as done (the cloud says exists, same SHA-256)', async () => {
      const segs = [0, 1, 2].map((i) => segment(T0 + 600_000 + i * 10_000, `segment ${i} bytes`));
      let requests = 0;
      const counting = new UploadUrlCache({
        request: (n) => {
          requests++;
          return new UploadUrlsClient({ apiUrl: t.api, deviceId: 'dev-a', deviceSecret: secrets['dev-a'] }).request(n);
        },
        container: 'recordings',
      });
      const first = uploader({ urls: counting });
      for (const s of segs) first.up.enqueue(s);
      assert.equal(await first.up.idle(10_000), true);
      assert.equal(first.uploaded.length, 3);
      assert.ok(requests <= 2, `two workers, the third segment's URL prefetched with theirs (${requests} requests)`);
      for (const s of segs) {
        const props = await recordings.getBlockBlobClient(segmentBlobName('cam-a1', s.startMs)).getProperties();
        assert.equal(props.metadata?.sha256, createHash('sha256').update(`segment ${segs.indexOf(s)} bytes`).digest('hex'));
        assert.equal(props.contentType, 'video/mp2t');
      }
      // A second agent run whose acknowledgement was lost (journal not written): the cloud answers exists with the
      // same size and SHA-256 instead of a URL, and the segment counts as uploaded.
      const again = uploader();
      again.up.enqueue(segs[0]);
      assert.equal(await again.up.idle(10_000), true);
      assert.equal(again.uploaded.length, 1);
      assert.equal(again.uploaded[0].blobName, segmentBlobName('cam-a1', segs[0].startMs));
    });

    it('a stored blob with other bytes is never overwritten: the segment is abandoned with a conflict report', async () => {
      const startMs = T0 + 700_000;
      const name = segmentBlobName('cam-a1', startMs);
      const theirs = Buffer.from('bytes uploaded by someone else');
      await recordings.getBlockBlobClient(name).uploadData(theirs, { metadata: { sha256: createHash('sha256').update(theirs).digest('hex') } });
      const conflicts: string[] = [];
      const { up, uploaded } = uploader({ onConflict: (_s, m) => conflicts.push(m) });
      up.enqueue(segment(startMs, 'our bytes'));
      assert.equal(await up.idle(10_000), true);
      assert.deepEqual(uploaded, []);
      assert.equal(conflicts.length, 1);
      assert.match(conflicts[0], /stored with other content/);
      assert.deepEqual(await recordings.getBlockBlobClient(name).downloadToBuffer(), theirs);
    });

    it('a cached URL refused with 403 because the blob was created meanwhile: asks again and compares', async () => {
      const startMs = T0 + 800_000;
      const name = segmentBlobName('cam-a1', startMs);
      const asked: string[][] = [];
      const urls = new UploadUrlCache({
        request: (n) => {
          asked.push([...n]);
          return new UploadUrlsClient({ apiUrl: t.api, deviceId: 'dev-a', deviceSecret: secrets['dev-a'] }).request(n);
        },
        container: 'recordings',
      });
      const { up, uploaded } = uploader({ urls });
      assert.ok('url' in (await urls.target(name)), 'a URL is cached for the name');
      // The earlier attempt's PUT succeeded but its answer was lost:
      await recordings.getBlockBlobClient(name).uploadData(Buffer.from('same'), { metadata: { sha256: createHash('sha256').update('same').digest('hex') } });
      up.enqueue(segment(startMs, 'same'));
      assert.equal(await up.idle(10_000), true);
      assert.equal(uploaded.length, 1);
      assert.equal(asked.length, 2, 'the cached URL was used (403), then the cloud was asked once more and said exists');
    });
  });

  it('the local broker takes the device secret as the MQTT password of a provisioned device, and nothing else', async () => {
    const store = localDeviceStore(t.azurite.connectionString, 'devurlDevices');
    const broker = await startLocalBroker({ port: 0, devices: {}, provisionedDevice: (id) => store.get(id), onMessage: () => {} });
    const attempt = async (clientId: string, username: string, password: string): Promise<boolean> => {
      try {
        const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId, username, password, reconnectPeriod: 0, connectTimeout: 5000 });
        await c.endAsync();
        return true;
      } catch {
        return false;
      }
    };
    try {
      assert.equal(await attempt('dev-a', 'dev-a', secrets['dev-a']), true);
      assert.equal(await attempt('dev-a', 'dev-a', `${secrets['dev-a'].slice(0, 42)}x`), false, 'wrong secret');
      assert.equal(await attempt('dev-a', 'dev-a', createHash('sha256').update(secrets['dev-a']).digest('hex')), false, 'the stored hash is not a credential');
      assert.equal(await attempt('dev-x', 'dev-a', secrets['dev-a']), false, 'client id must be the device id');
      assert.equal(await attempt('nobody', 'nobody', secrets['dev-a']), false, 'unknown device');
      assert.equal(await attempt('Dev-A', 'Dev-A', secrets['dev-a']), false, 'malformed id');
    } finally {
      await broker.close();
    }
  });

  it('the local broker answers CONNACK 3 (server unavailable), not 4 (bad credentials), while the device store is unreachable', async () => {
    const unreachable = localDeviceStore(`${t.azurite.connectionString.replace(/:(\d+)\//g, `:${await freePort()}/`)}`, 'devurlDevices');
    const store = localDeviceStore(t.azurite.connectionString, 'devurlDevices');
    let current = unreachable;
    const broker = await startLocalBroker({ port: 0, devices: {}, provisionedDevice: (id) => current.get(id), onMessage: () => {} });
    const connackCode = async (clientId: string, password: string): Promise<number> => {
      try {
        const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId, username: clientId, password, reconnectPeriod: 0, connectTimeout: 30_000 });
        await c.endAsync();
        return 0;
      } catch (err) {
        return (err as { code?: number }).code ?? -1;
      }
    };
    try {
      assert.equal(await connackCode('dev-a', secrets['dev-a']), 3, 'store down: server unavailable');
      assert.equal(await connackCode('Dev-A', secrets['dev-a']), 4, 'a malformed id is refused without asking the store');
      current = store;
      assert.equal(await connackCode('dev-a', secrets['dev-a']), 0, 'store back: admitted');
      assert.equal(await connackCode('dev-a', 'wrong'), 4);
    } finally {
      await broker.close();
    }
  });

  it('npm run provision-device prints a working agent config snippet; bad arguments exit 2, a refusal exits 1', async () => {
    const cli = path.resolve(__dirname, '..', '..', '..', 'local', 'provision-device.js');
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [cli, ...args], { env: { ...process.env, KEEPWATCH_API_KEY: API_KEY }, timeout: 20_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const ok = await run(['dev-cli', '--camera', 'cam-cli1', '--camera', 'cam-cli2', '--api-url', t.api, '--mqtt-url', 'mqtt://127.0.0.1:1']);
    assert.equal(ok.code, 0, ok.stderr);
    const snippet = parseYaml(ok.stdout) as { deviceId: string; broker: Record<string, unknown>; upload: { apiUrl: string; deviceSecret: string } };
    const config = parseAgentConfig({ ...snippet, cameras: [{ id: 'cam-cli1', url: 'rtsp://cam/1' }] });
    assert.ok('apiUrl' in config.upload && config.upload.apiUrl === t.api);
    assert.equal(snippet.broker.password, snippet.upload.deviceSecret, 'the device secret is also its MQTT password');
    assert.equal((await ask('dev-cli', [segmentBlobName('cam-cli2', T0)], `Bearer ${snippet.upload.deviceSecret}`)).status, 200);
    assert.equal((await run(['dev-cli', '--camera', 'cam-cli1', '--api-url', t.api])).code, 1, 'already provisioned');
    assert.equal((await run(['dev-cli2', '--api-url', t.api])).code, 2, 'no camera');
  });
});
