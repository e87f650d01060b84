import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { createLogger } from '../../../edge-agent/log';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { SegmentUploader } from '../../../edge-agent/uploader/segment-uploader';
import type { UploadedSegment } from '../../../edge-agent/segments/recorded-segment';
import { UploadUrlCache, type UploadUrlCacheOptions } from '../../../edge-agent/uploader/upload-url-cache';
import { UploadUrlsClient, type UploadUrlsBatch } from '../../../edge-agent/uploader/upload-urls-client';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { startTcpProxy, type TcpProxy } from '../../../testbed/tcp-proxy';
import { startTestHost, type TestHost } from '../../helpers/test-host';

/**
 * docs/security.md: the agent talks to its cloud over TLS only and uploads only to the storage it pinned. The API is
 * the running local host over Azurite; a compromised API (or a proxy rewriting its answers) is played by rewriting the
 * `url` of each entry of the real answer to a foreign origin: a second port forwarding to the same Azurite, so a PUT
 * there really succeeds (201) and shows what the agent would have handed to another host.
 */
const API_KEY = 'upload-pinning-test-key-9c2';
const T0 = Date.now() - 3600_000;
const SECRET = 'q9G3f0mXK2c7yT1bVnR8sLwPzA4dE6hJ5uIoYtQxWc0';

describe('agent upload pinning: TLS to the API, upload URLs only to the pinned storage (docs/security.md)', () => {
  let t: TestHost;
  let foreign: TcpProxy;
  let recordings: ContainerClient;
  let secret = '';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-pin-'));
  const uploaders: SegmentUploader[] = [];

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'pin', env: { KEEPWATCH_DEVICE_SAS_TTL: 'PT5M' } });
    recordings = BlobServiceClient.fromConnectionString(t.azurite.connectionString).getContainerClient('recordings');
    await recordings.createIfNotExists();
    const res = await fetch(`${t.api}/devices`, { method: 'POST', headers: { 'x-functions-key': API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ deviceId: 'dev-p', cameras: ['cam-p'] }) });
    assert.equal(res.status, 201, await res.clone().text());
    secret = ((await res.json()) as { secret: string }).secret;
    foreign = await startTcpProxy(Number(new URL(t.azurite.blobEndpoint).port));
  });
  after(async () => {
    for (const up of uploaders) up.stop();
    await foreign?.close();
    await t?.stop();
  });

  function segment(startMs: number, text: string): RecordedSegment {
    const file = path.join(dir, `${startMs}.ts`);
    writeFileSync(file, text);
    return { cameraId: 'cam-p', path: file, startMs, durationMs: 10_000, bytes: Buffer.byteLength(text) };
  }
  /** The real API's answer, with every URL moved to the foreign origin while `rewrite()` says so. */
  function api(rewrite: () => boolean, asked: string[][]): UploadUrlCacheOptions['request'] {
    const client = new UploadUrlsClient({ apiUrl: t.api, deviceId: 'dev-p', deviceSecret: secret });
    return async (names) => {
      asked.push([...names]);
      const answer: UploadUrlsBatch = await client.request(names);
      if (!rewrite()) return answer;
      return { ...answer, blobs: answer.blobs.map((b) => ('url' in b ? { ...b, url: b.url.replace(new URL(b.url).host, `127.0.0.1:${foreign.port}`) } : b)) };
    };
  }
  function uploader(urls: UploadUrlCache) {
    const uploaded: UploadedSegment[] = [];
    const up = new SegmentUploader({ uploadUrls: urls, logger: createLogger('silent'), retryDelayMs: 50, maxRetryDelayMs: 200, onUploaded: async (s) => void uploaded.push(s) });
    uploaders.push(up);
    return { up, uploaded };
  }
  const stored = async (startMs: number) => recordings.getBlockBlobClient(segmentBlobName('cam-p', startMs)).exists();

  it('upload.apiUrl must be https unless its host is this machine; so must upload.storageOrigin, a legacy upload.blobServiceUrl and a broker taking a password (a config error naming the rule)', () => {
    const base = { deviceId: 'dev-p', cameras: [{ id: 'cam-p', url: 'rtsp://cam/x' }], broker: { url: 'mqtts://b', password: 'pw' } };
    const message = (upload: object): string => {
      try {
        parseAgentConfig({ ...base, upload });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    for (const apiUrl of ['https://kw.example.com/api', 'http://127.0.0.1:7071/api', 'http://localhost:7071/api', 'http://[::1]:7071/api', 'http://127.9.0.1/api']) {
      assert.equal(message({ apiUrl, deviceSecret: SECRET }), '', apiUrl);
    }
    for (const apiUrl of ['http://kw.example.com/api', 'http://192.168.1.10:7071/api', 'http://127.0.0.1.example.com/api', 'http://localhost.example.com/api']) {
      const m = message({ apiUrl, deviceSecret: SECRET });
      assert.match(m, /upload\.apiUrl: must be https:\/\/ \(the device secret travels with every request\); http:\/\/ only to this machine/, apiUrl);
      assert.ok(!m.includes(SECRET));
    }
    assert.equal(message({ apiUrl: 'https://kw.example.com/api', deviceSecret: SECRET, storageOrigin: 'https://acct.blob.core.windows.net' }), '');
    assert.match(message({ apiUrl: 'https://kw.example.com/api', deviceSecret: SECRET, storageOrigin: 'http://acct.blob.core.windows.net' }), /upload\.storageOrigin: must be https:\/\//);
    // The legacy container-SAS variant sends its SAS token with every request: the same rule.
    assert.equal(message({ blobServiceUrl: 'http://127.0.0.1:10000/devstoreaccount1', sasToken: 'sv=x&sig=y' }), '');
    assert.match(message({ blobServiceUrl: 'http://acct.blob.core.windows.net', sasToken: 'sv=x&sig=y' }), /upload\.blobServiceUrl: must be https:\/\/ \(the SAS token travels with every request\)/);
    // The broker password likewise: TLS, or this machine.
    const brokerMessage = (url: string): string => {
      try {
        parseAgentConfig({ ...base, broker: { url, password: 'mqtt-password-1' }, upload: { apiUrl: 'https://kw.example.com/api', deviceSecret: SECRET } });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    for (const url of ['mqtts://broker.example.net:8883', 'wss://broker.example.net/mqtt', 'mqtt://127.0.0.1:1883', 'mqtt://localhost:1883', 'ws://[::1]:8080']) assert.equal(brokerMessage(url), '', url);
    for (const url of ['mqtt://broker.example.net:1883', 'ws://10.0.0.2:8080', 'mqtt://user:pw@192.168.1.5']) {
      const m = brokerMessage(url);
      assert.match(m, /broker\.password would travel in clear to .*: use mqtts:\/\/ or wss:\/\//, url);
      assert.ok(!m.includes('mqtt-password-1'));
    }
  });

  it('with upload.storageOrigin configured, a URL to any other host is refused: the segment is kept and retried, nothing is stored, never counted as uploaded', async () => {
    const asked: string[][] = [];
    let foreignUrls = true;
    const urls = new UploadUrlCache({ request: api(() => foreignUrls, asked), container: 'recordings', storageOrigin: t.azurite.blobEndpoint });
    const { up, uploaded } = uploader(urls);
    const seg = segment(T0, 'bytes a compromised API wants elsewhere');
    up.enqueue(seg);
    assert.equal(await up.idle(1500), false, 'still pending: refused, retried');
    assert.ok(asked.length >= 2, `asked again after the refusal (${asked.length} requests)`);
    assert.deepEqual(uploaded, [], 'never counted as uploaded, so the agent never deletes the file');
    assert.equal(await stored(seg.startMs), false, 'nothing was PUT to the foreign host (which would have stored it)');
    assert.ok(existsSync(seg.path));
    // The API answers honestly again: the kept segment is uploaded to the pinned storage.
    foreignUrls = false;
    assert.equal(await up.idle(10_000), true);
    assert.equal(uploaded.length, 1);
    assert.equal(await stored(seg.startMs), true);
  });

  it('without storageOrigin, the first URL of the run pins the storage: a later URL to another host is refused the same way', async () => {
    const asked: string[][] = [];
    let foreignUrls = false;
    const urls = new UploadUrlCache({ request: api(() => foreignUrls, asked), container: 'recordings' });
    const { up, uploaded } = uploader(urls);
    up.enqueue(segment(T0 + 10_000, 'first segment, honest answer'));
    assert.equal(await up.idle(10_000), true);
    assert.equal(uploaded.length, 1);
    assert.equal(urls.storageBase, `${t.azurite.blobEndpoint}`, 'pinned to the origin (and account path) of the first URL');
    foreignUrls = true;
    const seg = segment(T0 + 20_000, 'second segment, foreign answer');
    up.enqueue(seg);
    assert.equal(await up.idle(1500), false, 'still pending: refused, retried');
    assert.equal(uploaded.length, 1, 'not counted as uploaded');
    assert.equal(await stored(seg.startMs), false, 'the foreign host received nothing');
    assert.ok(existsSync(seg.path));
  });
});
