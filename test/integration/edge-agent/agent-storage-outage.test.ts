import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { decodeFully } from '../../helpers/ffmpeg';
import { mediaPath } from '../../../testbed/rtsp-server';
import { startTcpProxy, type TcpProxy } from '../../../testbed/tcp-proxy';
import { startTestHost, type TestHost } from '../../helpers/test-host';
import { resetSettings } from '../../../functions/settings';
import { until } from '../../helpers/wait';

const OUTAGE_MS = 20_000;

interface Reported {
  type: string;
  data: { cameraId: string; start: string; end?: string; durationMs?: number; blobName?: string; cause?: string };
}


/**
 * The agent uploads through the cloud's upload-urls endpoint (the `upload.apiUrl` variant, docs/devices.md), and the
 * outage cuts both the API and Blob (the device's uplink is down): the endpoint unreachable is absorbed by the cache
 * exactly like unreachable storage.
 */
describe('Storage and API outage longer than the cache holds (fault test, upload URLs)', () => {
  let t: TestHost;
  let blobProxy: TcpProxy;
  let apiProxy: TcpProxy;
  let deviceSecret: string;
  let broker: LocalBroker;
  let container: ContainerClient;
  const events: Array<Reported & { receivedAtMs: number }> = [];

  before(async () => {
    t = await startTestHost({ apiKey: 'outage-key', tablePrefix: 'outage' });
    const { azurite } = t;
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    await container.createIfNotExists();
    blobProxy = await startTcpProxy(azurite.blobPort);
    // The host's storage goes through the proxy from now on (settings re-read on the next request), so the SAS URLs it
    // signs and its existence checks go through the cut too.
    process.env.KEEPWATCH_STORAGE_CONNECTION_STRING = azurite.connectionString.replace(azurite.blobEndpoint, `http://127.0.0.1:${blobProxy.port}/${azurite.accountName}`);
    resetSettings();
    apiProxy = await startTcpProxy(Number(new URL(t.api).port));
    const provisioned = await fetch(`${t.api}/devices`, {
      method: 'POST',
      headers: { 'x-functions-key': 'outage-key', 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'site-o', cameras: ['cam-o'] }),
    });
    assert.equal(provisioned.status, 201);
    deviceSecret = ((await provisioned.json()) as { secret: string }).secret;
    broker = await startLocalBroker({
      port: 0,
      devices: { 'site-o': 'pw' },
      onMessage: (m: BrokerMessage) => m.topic.includes('/events/') && events.push({ ...(JSON.parse(m.payload.toString()) as Reported), receivedAtMs: Date.now() }),
    });
  });
  after(async () => {
    await apiProxy?.close();
    await blobProxy?.close();
    await broker?.close();
    await t?.stop();
  });

  it('keeps recording into a 1 MiB cache, evicts oldest first as gaps, and after the restore uploads every survivor, oldest first, decodable', async () => {
    const config = parseAgentConfig({
      deviceId: 'site-o',
      cameras: [{ id: 'cam-o', url: mediaPath('car-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'] }],
      segmentLength: 'PT2S',
      localMediaCacheMaximumSizeMiB: 1,
      localMediaCachePath: mkdtempSync(path.join(os.tmpdir(), 'kw-outage-')),
      broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
      upload: { apiUrl: `http://127.0.0.1:${apiProxy.port}/api`, deviceSecret, container: 'recordings' },
      metrics: false,
    });
    const uploaded = () => events.filter((e) => e.type === 'segment.uploaded');
    const agent = new Agent(config, createLogger('silent'));
    await agent.start();
    let restoredAtMs = 0;
    try {
      await until('two uploads', 20_000, () => uploaded().length >= 2);
      blobProxy.cut();
      apiProxy.cut();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      apiProxy.restore();
      blobProxy.restore();
      restoredAtMs = Date.now();
      const evictions = () => events.filter((e) => e.type === 'gap' && e.data.cause === 'eviction').length;
      assert.ok(evictions() >= 2, `the ${OUTAGE_MS} ms outage overflowed the 1 MiB cache (${evictions()} evictions)`);
      // Recovered: every segment recorded before the restore is either stored or evicted.
      await until('the backlog to drain', 30_000, () => uploaded().some((e) => Date.parse(e.data.start) > restoredAtMs));
    } finally {
      await agent.stop();
    }

    const segments = uploaded().map((e) => ({ startMs: Date.parse(e.data.start), endMs: Date.parse(e.data.start) + e.data.durationMs!, blobName: e.data.blobName! }));
    const evicted = events.filter((e) => e.type === 'gap' && e.data.cause === 'eviction').map((e) => ({ startMs: Date.parse(e.data.start), endMs: Date.parse(e.data.end!) }));
    const others = events.filter((e) => e.type === 'gap' && e.data.cause !== 'eviction');
    assert.deepEqual(others, [], 'the camera never stopped: evictions are the only gaps');

    // Stored and evicted segments tile the timeline exactly: nothing lost silently, nothing twice.
    const tiles = [...segments.map((s) => ({ ...s, kind: 'stored' })), ...evicted.map((g) => ({ ...g, kind: 'evicted' }))].sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < tiles.length; i++) {
      assert.equal(tiles[i].startMs, tiles[i - 1].endMs, `${tiles[i].kind} ${new Date(tiles[i].startMs).toISOString()} follows ${tiles[i - 1].kind} ${new Date(tiles[i - 1].endMs).toISOString()} without hole or overlap`);
    }
    // Evicted ones are the oldest of the outage: every evicted segment is older than every segment stored from the outage.
    const outageStored = segments.filter((s) => s.startMs > Math.min(...evicted.map((g) => g.startMs)));
    assert.ok(Math.max(...evicted.map((g) => g.endMs)) <= Math.min(...outageStored.map((s) => s.startMs)), 'the oldest were evicted first');

    // Blob holds exactly the announced segments.
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: 'cam-o/' })) blobs.push(b.name);
    assert.deepEqual(blobs.sort(), segments.map((s) => s.blobName).sort());

    // After the restore the oldest survivor went first.
    const afterRestore = uploaded().filter((e) => e.receivedAtMs >= restoredAtMs).map((e) => Date.parse(e.data.start));
    assert.equal(afterRestore[0], Math.min(...afterRestore), 'the oldest surviving segment was uploaded first');

    // Every blob of the outage decodes fully.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-outage-check-'));
    for (const s of outageStored) {
      const file = path.join(dir, path.basename(s.blobName).replace(/:/g, '-'));
      writeFileSync(file, await container.getBlockBlobClient(s.blobName).downloadToBuffer());
      const decoded = await decodeFully(file);
      assert.deepEqual(decoded.errors, [], `${s.blobName} decodes`);
      assert.ok(decoded.frames > 0);
    }
  });
});
