import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { parseAgentConfig, type AgentConfig } from '../../../shared/schemas/agent-config';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { mediaPath, startRtspServer, type RtspServer } from '../../../testbed/rtsp-server';
import { startTcpProxy } from '../../../testbed/tcp-proxy';
import { until } from '../../helpers/wait';

const OUTAGE_MS = 20_000;

interface Reported {
  type: string;
  data: { cameraId: string; start: string; end?: string; durationMs?: number; cause?: string; kind?: string; video?: string; message?: string };
}


describe('Gaps reported by the agent', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let rtsp: RtspServer;
  const events: Reported[] = [];

  before(async () => {
    azurite = await startAzurite();
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings').create();
    broker = await startLocalBroker({ port: 0, devices: { 'site-g': 'pw' }, onMessage: (m: BrokerMessage) => m.topic.includes('/events/') && events.push(JSON.parse(m.payload.toString()) as Reported) });
    rtsp = await startRtspServer({ mounts: { '/cam': mediaPath('one-by-one-person-detection.mp4') } });
  });
  /** One camera on device site-g, PT2S segments, reconnects at most 2 s apart, a fresh cache. */
  const agentConfig = (camera: { id: string; url: string }, extra: Record<string, unknown> = {}): AgentConfig =>
    parseAgentConfig({
      deviceId: 'site-g',
      cameras: [camera],
      segmentLength: 'PT2S',
      cameraReconnectMaximumDelay: 'PT2S',
      localMediaCachePath: mkdtempSync(path.join(os.tmpdir(), `kw-${camera.id}-`)),
      broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
      upload: { connectionString: azurite.connectionString, container: 'recordings' },
      metrics: false,
      ...extra,
    });

  after(async () => {
    await rtsp?.stop();
    await broker?.close();
    await azurite?.stop();
  });

  it(`a camera down for ${OUTAGE_MS / 1000} s is one camera-unavailable gap and recording resumes by itself; an agent stop is an agent-stopped gap`, async () => {
    const config = agentConfig({ id: 'cam-g', url: rtsp.urls['/cam'] });
    const segments = () => events.filter((e) => e.type === 'segment.uploaded');
    const gaps = () => events.filter((e) => e.type === 'gap');

    const agent = new Agent(config, createLogger('silent'));
    await agent.start();
    try {
      await until('three segments', 20_000, () => segments().length >= 3);
      assert.deepEqual(gaps(), [], 'continuous recording has no gap');
      const port = rtsp.port;
      await rtsp.stop();
      const downAt = Date.now();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      rtsp = await startRtspServer({ mounts: { '/cam': mediaPath('one-by-one-person-detection.mp4') }, port });
      const before = segments().length;
      await until('recording to resume', 20_000, () => segments().length >= before + 2);
      assert.ok(Date.now() - downAt < OUTAGE_MS + 20_000);
    } finally {
      await agent.stop();
    }
    const established = events.filter((e) => e.type === 'diagnostics' && e.data.cameraId === 'cam-g' && e.data.kind === 'session-established');
    assert.ok(established.length >= 2, 'a diagnostics event for each session established (before and after the outage)');
    assert.match(established[0].data.video!, /^h264 .*768x432/, 'with the stream as the camera describes it');
    const failures = events.filter((e) => e.type === 'diagnostics' && e.data.cameraId === 'cam-g' && e.data.kind === 'protocol-error').map((e) => e.data.cause);
    assert.deepEqual(failures.slice(0, 2), ['stream-ended', 'connection-refused'], 'the stream ending and the refused reconnects were reported, each cause once');
    assert.equal(failures.filter((c) => c === 'connection-refused').length, 1, 'not one per reconnect attempt');
    const outage = gaps();
    assert.equal(outage.length, 1, JSON.stringify(outage));
    assert.equal(outage[0].data.cause, 'camera-unavailable');
    const lengthMs = Date.parse(outage[0].data.end!) - Date.parse(outage[0].data.start);
    assert.ok(lengthMs >= OUTAGE_MS - 2000 && lengthMs <= OUTAGE_MS + 8000, `gap of ${lengthMs} ms for a ${OUTAGE_MS} ms outage`);
    // The gap lies exactly between two stored segments: it ends where the next one starts and begins where the last one ended.
    const stored = segments().map((e) => ({ startMs: Date.parse(e.data.start), endMs: Date.parse(e.data.start) + e.data.durationMs! }));
    assert.ok(stored.some((s) => s.endMs === Date.parse(outage[0].data.start)), 'the gap starts at the end of a segment');
    assert.ok(stored.some((s) => s.startMs === Date.parse(outage[0].data.end!)), 'the gap ends at the start of a segment');

    // The agent was stopped; started again, it reports the hole its absence left.
    const lastEnd = Math.max(...stored.map((s) => s.endMs));
    await new Promise((r) => setTimeout(r, 3000));
    const again = new Agent(config, createLogger('silent'));
    await again.start();
    try {
      await until('an agent-stopped gap', 20_000, () => gaps().length >= 2);
    } finally {
      await again.stop();
    }
    const stop = gaps()[1];
    assert.equal(stop.data.cause, 'agent-stopped');
    assert.equal(Date.parse(stop.data.start), lastEnd, 'from the end of the last segment before the stop');
    assert.ok(Date.parse(stop.data.end!) - lastEnd >= 3000);
  });

  it('a stalled camera link (connection open, nothing arrives) is killed by the watchdog, restarted, and reported as an ffmpeg-stall gap', async () => {
    const proxy = await startTcpProxy(rtsp.port);
    const config = agentConfig({ id: 'cam-s', url: `rtsp://127.0.0.1:${proxy.port}/cam` }, { cameraWatchdogTimeout: 'PT3S' });
    const mine = () => events.filter((e) => e.data.cameraId === 'cam-s');
    const agent = new Agent(config, createLogger(process.env.KW_DEBUG ? 'debug' : 'silent'));
    await agent.start();
    try {
      await until('two segments', 20_000, () => mine().filter((e) => e.type === 'segment.uploaded').length >= 2);
      proxy.stall();
      await new Promise((r) => setTimeout(r, 10_000)); // the watchdog fires after 3 s
      proxy.restore();
      const before = mine().filter((e) => e.type === 'segment.uploaded').length;
      await until('recording to resume', 30_000, () => mine().filter((e) => e.type === 'segment.uploaded').length >= before + 2);
    } finally {
      await agent.stop();
      await proxy.close();
    }
    const gaps = mine().filter((e) => e.type === 'gap');
    assert.equal(gaps.length, 1, JSON.stringify(gaps));
    assert.equal(gaps[0].data.cause, 'ffmpeg-stall');
    const lengthMs = Date.parse(gaps[0].data.end!) - Date.parse(gaps[0].data.start);
    assert.ok(lengthMs >= 9000 && lengthMs <= 30_000, `gap of ${lengthMs} ms for a 10 s stall`);
  });

  it('a camera path the server does not know is reported as a protocol-error diagnostic with cause not-found, and nothing is recorded', async () => {
    const config = agentConfig({ id: 'cam-x', url: `${rtsp.urls['/cam']}-missing` });
    const mine = () => events.filter((e) => e.data.cameraId === 'cam-x');
    const agent = new Agent(config, createLogger('silent'));
    await agent.start();
    try {
      await until('a protocol-error diagnostic', 15_000, () => mine().some((e) => e.type === 'diagnostics' && e.data.kind === 'protocol-error'));
    } finally {
      await agent.stop();
    }
    const d = mine().find((e) => e.type === 'diagnostics')!;
    assert.equal(d.data.cause, 'not-found');
    assert.match(d.data.message!, /^no stream at path \/cam-missing \(404 Not Found\)$/);
    assert.deepEqual(mine().filter((e) => e.type !== 'diagnostics'), [], 'no segment, no gap');
  });
});
