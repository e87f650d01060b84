import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import type { CameraHealth } from '../../../edge-agent/metrics/camera-states';
import type { AgentHealth } from '../../../edge-agent/metrics/metrics-server';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { FFMPEG } from '../../helpers/ffmpeg';
import { freePort } from '../../../testbed/ports';
import { mediaPath, startRtspServer, type RtspServer } from '../../../testbed/rtsp-server';
import { waitFor } from '../../helpers/wait';

/** The 2018 static build the registry package ships (the agent's last resort; its defects are named at start). */
const LEGACY_FFMPEG = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;

/** What the tests expect of each failing camera: its diagnostics event (as published) and its health. */
interface Case {
  id: string;
  kind: string;
  cause: string;
  message: RegExp;
  slow: boolean;
}

interface Published {
  type: string;
  data: { cameraId: string; kind: string; cause?: string; message?: string };
}

describe('Recording failures are named, not looped: the agent publishes their cause and its health shows it', { concurrency: true }, () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let rtsp: RtspServer;
  let closedPort: number;
  const events: Array<Published & { deviceId: string }> = [];

  before(async () => {
    azurite = await startAzurite();
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings').create();
    broker = await startLocalBroker({
      port: 0,
      devices: { 'site-f51': 'pw', 'site-f18': 'pw' },
      onMessage: (m: BrokerMessage) => m.topic.includes('/events/') && events.push({ deviceId: m.deviceId, ...(JSON.parse(m.payload.toString()) as Published) }),
    });
    rtsp = await startRtspServer({
      mounts: { '/person': mediaPath('one-by-one-person-detection.mp4') },
      launches: {
        '/mjpeg': '( videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )',
        '/audio': '( audiotestsrc is-live=true ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay0 )',
      },
      auth: 'alice:secret',
    });
    closedPort = await freePort(); // nothing listens there
  });
  after(async () => {
    await rtsp?.stop();
    await broker?.close();
    await azurite?.stop();
  });

  const base = () => `rtsp://127.0.0.1:${rtsp.port}`;
  const cases = (): Array<Case & { camera: Record<string, unknown> }> => [
    { id: 'wrong-port', camera: { url: `rtsp://127.0.0.1:${closedPort}/stream1` }, kind: 'protocol-error', cause: 'connection-refused', message: new RegExp(`^connection refused by 127\\.0\\.0\\.1:${closedPort}$`), slow: false },
    { id: 'no-such-host', camera: { url: 'rtsp://camera.invalid/stream1' }, kind: 'protocol-error', cause: 'dns', message: /^camera host 'camera\.invalid' does not resolve: ENOTFOUND$/, slow: false },
    { id: 'wrong-password', camera: { url: `${base()}/person`, username: 'alice', password: 'wrong' }, kind: 'authorization-error', cause: 'unauthorized', message: /^wrong username or password \(401 Unauthorized\)$/, slow: true },
    { id: 'no-password', camera: { url: `${base()}/person` }, kind: 'authorization-error', cause: 'unauthorized', message: /asks for a username and password \(401 Unauthorized\); none is configured/, slow: true },
    { id: 'wrong-path', camera: { url: `${base()}/stream9`, username: 'alice', password: 'secret' }, kind: 'protocol-error', cause: 'not-found', message: /^no stream at path \/stream9 \(404 Not Found\)$/, slow: true },
    { id: 'audio-only', camera: { url: `${base()}/audio`, username: 'alice', password: 'secret' }, kind: 'unsupported-format', cause: 'unsupported-codec', message: /^the stream has no video \(audio pcm_mulaw only\): not recorded$/, slow: true },
    { id: 'mjpeg', camera: { url: `${base()}/mjpeg`, username: 'alice', password: 'secret' }, kind: 'unsupported-format', cause: 'unsupported-codec', message: /^video mjpeg is not H\.264 or H\.265: not recorded/, slow: true },
  ];

  for (const [build, ffmpegPath, deviceId] of [
    ['ffmpeg 5.1 (the default here)', FFMPEG, 'site-f51'],
    ['the 2018 static build', LEGACY_FFMPEG, 'site-f18'],
  ] as const) {
    it(`with ${build}: a wrong port, an unknown host, a wrong or missing password, a wrong path, audio only, MJPEG — each named once; the right password records`, async () => {
      const cacheDir = mkdtempSync(path.join(os.tmpdir(), `kw-fail-${deviceId}-`));
      const config = parseAgentConfig({
        deviceId,
        cameras: [...cases().map((c) => ({ id: c.id, ...c.camera })), { id: 'good', url: `${base()}/person`, username: 'alice', password: 'secret' }],
        segmentLength: 'PT2S',
        localMediaCachePath: cacheDir,
        broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
        upload: { connectionString: azurite.connectionString, container: 'recordings' },
        metrics: { port: 0 },
        ffmpegPath,
      });
      const logLines: Array<Record<string, unknown>> = [];
      const logSink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(l) as Record<string, unknown>);
          done();
        },
      });
      const agent = new Agent(config, createLogger('info', logSink));
      const startedAt = Date.now();
      await agent.start();
      const health = async () => (await (await fetch(`${agent.metricsUrl}/health`)).json()) as AgentHealth;
      let settled: AgentHealth;
      try {
        settled = await waitFor('every camera recording or not recording with a cause', 25_000, async () => {
          const h = await health();
          return Object.values(h.cameras).every((c) => c.state !== 'starting') && h.cameras.good.state === 'recording' ? h : undefined;
        });
        // A few more seconds: the fast causes retry several times meanwhile, and say so only once.
        await new Promise((r) => setTimeout(r, 4000));
        settled = await health();
      } finally {
        await agent.stop();
      }
      const mine = events.filter((e) => e.deviceId === deviceId);
      for (const c of cases()) {
        const published = mine.filter((e) => e.type === 'diagnostics' && e.data.cameraId === c.id && e.data.cause !== undefined);
        assert.equal(published.length, 1, `${c.id}: one diagnostics event with the cause, not one per retry: ${JSON.stringify(published.map((e) => e.data))}`);
        const d = published[0].data;
        assert.deepEqual([d.kind, d.cause], [c.kind, c.cause], `${c.id}: ${JSON.stringify(d)}`);
        assert.match(d.message!, c.message, c.id);
        assert.doesNotMatch(JSON.stringify(d), /secret|wrong@|alice/, `${c.id}: no credentials`);
        assert.deepEqual(mine.filter((e) => e.data.cameraId === c.id && e.type !== 'diagnostics' && e.type !== 'gap'), [], `${c.id}: nothing recorded`);

        const h: CameraHealth = settled.cameras[c.id];
        assert.equal(h.state, 'not-recording', `${c.id}: ${JSON.stringify(h)}`);
        assert.equal(h.cause, c.cause);
        assert.match(h.message!, c.message);
        assert.ok(Date.parse(h.since) >= startedAt - 1000 && Date.parse(h.since) <= Date.now(), `${c.id}: since ${h.since}`);
        assert.equal(h.maxRetryDelayMs, c.slow ? 300_000 : 30_000, `${c.id}: backoff cap`);
        // The first slow retry comes ≥ 30 s after the failure (60 s, jitter ×0.5..1), whatever the machine's load.
        if (c.slow) assert.ok(Date.parse(h.retryAt!) - Date.parse(h.since) >= 29_000, `${c.id}: a password, path or codec to fix is retried slowly (since ${h.since}, next ${h.retryAt})`);
        const warned = logLines.filter((l) => l.cameraId === c.id && l.event === 'session-failed' && l.level === 40);
        assert.equal(warned.length, 1, `${c.id}: said once as a warning in the log`);
        assert.equal(warned[0].msg, c.slow ? 'camera not recording: retrying slowly until this is fixed' : 'camera not recording: retrying');
        assert.deepEqual([warned[0].cause, typeof warned[0].retryInMs], [c.cause, 'number']);
      }
      const fast = logLines.filter((l) => l.cameraId === 'wrong-port' && l.event === 'session-failed');
      assert.ok(fast.length >= 3, `a refused connection keeps today's quick backoff (${fast.length} attempts)`);
      for (const id of ['mjpeg', 'audio-only']) {
        const leftovers = readdirSync(path.join(cacheDir, id)).filter((n) => n.endsWith('.ts'));
        assert.deepEqual(leftovers, [], `${id}: no segment file written`);
      }
      assert.equal(settled.cameras.good.state, 'recording');
      assert.equal(settled.status, 'degraded', 'cameras not recording make the agent degraded');
      assert.ok(mine.some((e) => e.type === 'diagnostics' && e.data.cameraId === 'good' && e.data.kind === 'session-established'), 'the right password opens a session');
      assert.ok(logLines.some((l) => l.cameraId === 'good' && l.msg === 'camera recording'), 'the log says when a camera starts recording');
    });
  }
});
