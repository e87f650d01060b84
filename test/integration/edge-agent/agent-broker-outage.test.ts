import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { mediaPath } from '../../../testbed/rtsp-server';
import { startTcpProxy, type TcpProxy } from '../../../testbed/tcp-proxy';
import { until } from '../../helpers/wait';


describe('Broker outage (fault test)', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let brokerProxy: TcpProxy;
  let container: ContainerClient;
  const received: Array<{ cameraId: string; startMs: number; blobName: string }> = [];

  before(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    await container.create();
    broker = await startLocalBroker({
      port: 0,
      devices: { 'site-b': 'pw' },
      onMessage: (m: BrokerMessage) => {
        if (!m.topic.includes('/events/')) return;
        const e = JSON.parse(m.payload.toString()) as { type: string; data: { cameraId: string; start: string; blobName: string } };
        if (e.type === 'segment.uploaded') received.push({ cameraId: e.data.cameraId, startMs: Date.parse(e.data.start), blobName: e.data.blobName });
      },
    });
    brokerProxy = await startTcpProxy(Number(new URL(broker.url).port));
  });
  after(async () => {
    await brokerProxy?.close();
    await broker?.close();
    await azurite?.stop();
  });

  it('loses no event while the broker is cut, and delivers them after the restore in order per camera', async () => {
    const config = parseAgentConfig({
      deviceId: 'site-b',
      cameras: ['b1', 'b2'].map((id) => ({ id, url: mediaPath('bottle-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'] })),
      segmentLength: 'PT2S',
      localMediaCachePath: mkdtempSync(path.join(os.tmpdir(), 'kw-broker-')),
      broker: { url: `mqtt://127.0.0.1:${brokerProxy.port}`, password: 'pw', protocolVersion: 4 },
      upload: { connectionString: azurite.connectionString, container: 'recordings' },
      metrics: false,
    });
    const agent = new Agent(config, createLogger('silent'));
    await agent.start();
    try {
      await until('events of both cameras', 20_000, () => ['b1', 'b2'].every((c) => received.some((e) => e.cameraId === c)));
      brokerProxy.cut();
      const cutAt = received.length;
      await new Promise((r) => setTimeout(r, 10_000));
      assert.equal(received.length, cutAt, 'nothing arrives while the broker is cut');
      brokerProxy.restore();
      await until('events after the restore', 20_000, () => received.length >= cutAt + 6);
    } finally {
      await agent.stop();
    }
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat()) blobs.push(b.name);
    const announced = [...new Set(received.map((e) => e.blobName))];
    assert.deepEqual(announced.sort(), blobs.sort(), 'every stored segment was announced: none lost in the outage');
    for (const cameraId of ['b1', 'b2']) {
      const firsts: number[] = [];
      for (const e of received.filter((x) => x.cameraId === cameraId)) if (!firsts.includes(e.startMs)) firsts.push(e.startMs);
      assert.deepEqual(firsts, [...firsts].sort((a, b) => a - b), `${cameraId}: delivered in recording order`);
    }
  });
});
