import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import { startLocalBroker, type BrokerMessage } from '../../../local/broker';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { freePort } from '../../../testbed/ports';
import { mediaPath } from '../../../testbed/rtsp-server';

async function blobNames(container: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const b of container.listBlobsFlat()) names.push(b.name);
  return names.sort();
}

describe('Agent', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  it('records and uploads while the broker is unreachable, and publishes the waiting events once it is back', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    await container.create();
    const port = await freePort(); // nothing listens here yet
    const config = parseAgentConfig({
      deviceId: 'site-1',
      cameras: [{ id: 'cam-1', url: mediaPath('one-by-one-person-detection.mp4'), inputOptions: ['-re'] }],
      segmentLength: 'PT2S',
      localMediaCachePath: mkdtempSync(path.join(os.tmpdir(), 'kw-agent-')),
      broker: { url: `mqtt://127.0.0.1:${port}`, password: 'pw', protocolVersion: 4 },
      upload: { connectionString: azurite.connectionString, container: 'recordings' },
      metrics: false,
    });
    const agent = new Agent(config, createLogger('silent'));
    const started = agent.start();

    await new Promise((r) => setTimeout(r, 7000));
    const stored = await blobNames(container);
    assert.ok(stored.length >= 2, `segments were uploaded without a broker (${stored.length})`);

    const messages: BrokerMessage[] = [];
    const broker = await startLocalBroker({ port, devices: { 'site-1': 'pw' }, onMessage: (m) => messages.push(m) });
    try {
      await started; // connected
      await agent.stop();
      const allEvents = messages.filter((m) => m.topic === 'keepwatch/site-1/events/cam-1').map((m) => JSON.parse(m.payload.toString()) as { type: string; data: { blobName: string; kind?: string } });
      const all = await blobNames(container);
      assert.deepEqual(allEvents.filter((e) => e.type !== 'segment.uploaded').map((e) => [e.type, e.data.kind]), [['diagnostics', 'session-established']], 'besides the segments, only the session diagnostics');
      const events = allEvents.filter((e) => e.type === 'segment.uploaded');
      assert.deepEqual(events.map((e) => e.data.blobName).sort(), all, 'one event per stored segment, none lost while the broker was away');
      assert.ok(all.length > stored.length);
    } finally {
      await broker.close();
    }
  });
});
