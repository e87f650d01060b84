import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { mediaPath } from '../../../testbed/rtsp-server';
import { startTcpProxy, type TcpProxy } from '../../../testbed/tcp-proxy';
import { until } from '../../helpers/wait';
import { OUTBOX_LOG_FILE, readOutbox } from '../../../edge-agent/journal/event-outbox';

/** Runs a command as root (directly when root, else through sudo, as scripts/install-test-deps.sh does). */
function asRoot(cmd: string, args: string[]): void {
  if (process.getuid?.() === 0) execFileSync(cmd, args);
  else execFileSync('sudo', ['-n', cmd, ...args]);
}


interface Reported {
  type: string;
  data: { cameraId: string; start: string; kind?: string; cause?: string };
}

describe('Disk full under the cache', () => {
  let azurite: AzuriteInstance;
  let blobProxy: TcpProxy;
  let broker: LocalBroker;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kw-diskfull-'));
  const events: Array<Reported & { atMs: number }> = [];

  before(async () => {
    // A real filesystem that fills up: a 1.5 MiB tmpfs (about 16 s of the car clip) under the cache.
    asRoot('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', cacheDir]);
    azurite = await startAzurite();
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings').create();
    blobProxy = await startTcpProxy(azurite.blobPort);
    broker = await startLocalBroker({ port: 0, devices: { 'site-d': 'pw' }, onMessage: (m: BrokerMessage) => m.topic.includes('/events/') && events.push({ ...(JSON.parse(m.payload.toString()) as Reported), atMs: Date.now() }) });
  });
  after(async () => {
    await blobProxy?.close();
    await broker?.close();
    await azurite?.stop();
    asRoot('umount', [cacheDir]);
  });

  it('keeps running on a full disk: reports a storage-error, evicts oldest first as gaps, never corrupts the journal, uploads again once storage is back', async () => {
    blobProxy.cut(); // nothing leaves the cache: it fills the disk long before its 100 MiB cap
    const config = parseAgentConfig({
      deviceId: 'site-d',
      cameras: [{ id: 'cam-d', url: mediaPath('car-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'] }],
      segmentLength: 'PT2S',
      localMediaCacheMaximumSizeMiB: 100,
      localMediaCachePath: cacheDir,
      broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
      upload: { connectionString: azurite.connectionString.replace(azurite.blobEndpoint, `http://127.0.0.1:${blobProxy.port}/${azurite.accountName}`), container: 'recordings' },
      metrics: false,
    });
    const agent = new Agent(config, createLogger('silent'));
    await agent.start();
    let restoredAtMs = 0;
    try {
      await until('a storage-error diagnostic', 60_000, () => events.some((e) => e.type === 'diagnostics' && e.data.kind === 'storage-error'));
      await until('an eviction gap', 20_000, () => events.some((e) => e.type === 'gap' && e.data.cause === 'eviction'));
      blobProxy.restore();
      restoredAtMs = Date.now();
      await until('segments recorded after the restore to be uploaded', 40_000, () => events.some((e) => e.type === 'segment.uploaded' && Date.parse(e.data.start) > restoredAtMs));
    } finally {
      await agent.stop();
    }
    // The journal is whole: every line is a record.
    const lines = readFileSync(path.join(cacheDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length > 0);
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `journal line ${l.slice(0, 80)}`);
    // Nothing is left behind and nothing is lost silently: every eviction was reported as a gap.
    assert.deepEqual(readdirSync(path.join(cacheDir, 'cam-d')), []);
    assert.deepEqual(readdirSync(path.join(cacheDir, 'outbox')), [OUTBOX_LOG_FILE]);
    assert.deepEqual(readOutbox(path.join(cacheDir, 'outbox')), [], 'every event in the outbox log was acknowledged');
  });
});
