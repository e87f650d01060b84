import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import type { AgentHealth } from '../../../edge-agent/metrics/metrics-server';
import { startLocalBroker, type LocalBroker } from '../../../local/broker';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { mediaPath } from '../../../testbed/rtsp-server';
import { startTcpProxy, type TcpProxy } from '../../../testbed/tcp-proxy';
import { waitFor } from '../../helpers/wait';

/** Parses Prometheus text into `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}


describe('Agent metrics and health endpoint', () => {
  let azurite: AzuriteInstance;
  let blobProxy: TcpProxy;
  let broker: LocalBroker;
  let brokerProxy: TcpProxy;

  before(async () => {
    azurite = await startAzurite();
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings').create();
    blobProxy = await startTcpProxy(azurite.blobPort);
    broker = await startLocalBroker({ port: 0, devices: { 'site-m': 'pw' }, onMessage: () => {} });
    brokerProxy = await startTcpProxy(Number(new URL(broker.url).port));
  });
  after(async () => {
    await blobProxy?.close();
    await brokerProxy?.close();
    await broker?.close();
    await azurite?.stop();
  });

  it('reports recording, the cache and upload lag through a storage outage, the broker state, and recovery', async () => {
    blobProxy.cut(); // storage unreachable from the start
    const config = parseAgentConfig({
      deviceId: 'site-m',
      cameras: [{ id: 'cam-m', url: mediaPath('one-by-one-person-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'] }],
      segmentLength: 'PT2S',
      localMediaCachePath: mkdtempSync(path.join(os.tmpdir(), 'kw-metrics-')),
      broker: { url: `mqtt://127.0.0.1:${brokerProxy.port}`, password: 'pw', protocolVersion: 4 },
      upload: { connectionString: azurite.connectionString.replace(azurite.blobEndpoint, `http://127.0.0.1:${blobProxy.port}/${azurite.accountName}`), container: 'recordings' },
      metrics: { port: 0 },
    });
    const agent = new Agent(config, createLogger('silent'));
    await agent.start();
    try {
      const url = agent.metricsUrl!;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const scrape = async () => {
        const res = await fetch(`${url}/metrics`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        return parseMetrics(await res.text());
      };
      const health = async () => (await (await fetch(`${url}/health`)).json()) as AgentHealth;

      // Storage down: segments are recorded and wait in the cache; the lag grows.
      const during = await waitFor('two recorded segments', 20_000, async () => {
        const m = await scrape();
        return (m.get('keepwatch_segments_recorded_total{camera="cam-m"}') ?? 0) >= 2 ? m : undefined;
      });
      assert.equal(during.get('keepwatch_segments_uploaded_total{camera="cam-m"}') ?? 0, 0);
      assert.ok((during.get('keepwatch_cache_bytes') ?? 0) > 0);
      assert.ok((during.get('keepwatch_received_bytes_total{camera="cam-m"}') ?? 0) >= (during.get('keepwatch_cache_bytes') ?? 0));
      assert.ok((during.get('keepwatch_upload_lag_seconds') ?? 0) > 0);
      assert.equal(during.get('keepwatch_camera_recording{camera="cam-m"}'), 1);
      assert.equal(during.get('keepwatch_broker_connected'), 1);
      assert.ok((during.get('keepwatch_agent_process_resident_memory_bytes') ?? 0) > 0);
      const h = await health();
      assert.deepEqual([h.status, h.broker, Object.keys(h.cameras), h.cameras['cam-m'].state], ['ok', 'connected', ['cam-m'], 'recording']);
      assert.ok(Date.parse(h.cameras['cam-m'].since) <= Date.now(), 'recording since its first segment');
      assert.ok(h.cacheBytes > 0 && h.uploadLagSeconds > 0, JSON.stringify(h));

      // Broker down: health degrades and reconnect attempts are counted.
      brokerProxy.cut();
      const degraded = await waitFor('a degraded health', 15_000, async () => {
        const h = await health();
        return h.status === 'degraded' ? h : undefined;
      });
      assert.equal(degraded.broker, 'disconnected');
      await waitFor('a broker reconnect attempt', 15_000, async () => ((await scrape()).get('keepwatch_broker_reconnects_total') ?? 0) >= 1 || undefined);
      brokerProxy.restore();

      // Storage back: everything uploads, the cache empties, the lag is 0, events are delivered.
      blobProxy.restore();
      const after = await waitFor('the cache to empty', 30_000, async () => {
        const m = await scrape();
        return m.get('keepwatch_cache_segments') === 0 && m.get('keepwatch_events_queued') === 0 && m.get('keepwatch_broker_connected') === 1 ? m : undefined;
      });
      assert.equal(after.get('keepwatch_upload_lag_seconds'), 0);
      assert.equal(after.get('keepwatch_cache_bytes'), 0);
      const uploaded = after.get('keepwatch_segments_uploaded_total{camera="cam-m"}') ?? 0;
      assert.ok(uploaded >= 2 && uploaded === after.get('keepwatch_segments_recorded_total{camera="cam-m"}'), `uploaded ${uploaded} of ${after.get('keepwatch_segments_recorded_total{camera="cam-m"}')}`);
      assert.equal(after.get('keepwatch_uploaded_bytes_total{camera="cam-m"}'), after.get('keepwatch_received_bytes_total{camera="cam-m"}'));
      assert.equal((await fetch(`${url}/nope`)).status, 404);
    } finally {
      await agent.stop();
    }
    await assert.rejects(fetch(`${agent.metricsUrl}/health`), 'the endpoint closes with the agent');
  });
});
