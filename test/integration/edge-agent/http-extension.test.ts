import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HttpExtensionClient, type ExtensionSample } from '../../../edge-agent/extension/http-extension-client';
import type { InferenceSignal } from '../../../edge-agent/extension/inference-signals';
import { createLogger } from '../../../edge-agent/log';
import { CameraRecorder } from '../../../edge-agent/recorder/camera-recorder';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { FFMPEG, FFMPEG_BINARY } from '../../helpers/ffmpeg';
import { mediaPath } from '../../../testbed/rtsp-server';

/** One request the inference server received. */
interface Received {
  atMs: number;
  contentType: string | undefined;
  accept: string | undefined;
  apiKey: string | undefined;
  body: Buffer;
}

/** A small real inference server: `reply(n)` decides the answer to request n (0-based). */
async function startInferenceServer(reply: (n: number, res: ServerResponse) => void): Promise<{ url: string; received: Received[]; inFlightMax: () => number; close: () => Promise<void> }> {
  const received: Received[] = [];
  let inFlight = 0;
  let inFlightMax = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    inFlight++;
    inFlightMax = Math.max(inFlightMax, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ atMs: Date.now(), contentType: req.headers['content-type'], accept: req.headers.accept, apiKey: req.headers['x-api-key'] as string | undefined, body: Buffer.concat(chunks) });
      res.on('finish', () => inFlight--);
      reply(n, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`,
    received,
    inFlightMax: () => inFlightMax,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Decodes one image with the real ffmpeg; returns its codec and size from the input dump. */
function probeImage(bytes: Buffer, ext: string): { codec: string; width: number; height: number } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-img-')), `sample.${ext}`);
  writeFileSync(file, bytes);
  const r = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = /Stream #0:0: Video: (\w+).*?, (\d+)x(\d+)/.exec(r.stderr);
  assert.ok(m, r.stderr);
  return { codec: m[1], width: Number(m[2]), height: Number(m[3]) };
}

/** Records `one-by-one-person-detection.mp4` (768x432, read in real time) for `ms` with the extension on; returns what came out. */
async function runCamera(extension: Record<string, unknown>, ms: number): Promise<{ signals: Array<{ atMs: number; s: InferenceSignal }>; dropped: string[]; segments: RecordedSegment[]; samples: number }> {
  const camera = parseAgentConfig({
    deviceId: 'site-1',
    cameras: [{ id: 'cam-1', url: mediaPath('one-by-one-person-detection.mp4'), inputOptions: ['-re'], httpExtension: extension }],
    broker: { url: 'mqtt://127.0.0.1:1' },
    upload: { connectionString: 'x' },
  }).cameras[0];
  const logger = createLogger('silent');
  const rec = new CameraRecorder({ camera, segmentLengthMs: 2000, cameraDir: mkdtempSync(path.join(os.tmpdir(), 'kw-ext-')), ffmpeg: FFMPEG_BINARY, logger });
  const signals: Array<{ atMs: number; s: InferenceSignal }> = [];
  const dropped: string[] = [];
  const segments: RecordedSegment[] = [];
  let samples = 0;
  const client = new HttpExtensionClient({ cameraId: 'cam-1', settings: camera.httpExtension!, logger, onSignals: (atMs, list) => signals.push(...list.map((s) => ({ atMs, s }))), onDropped: (r) => dropped.push(r) });
  rec.on('segment', (s: RecordedSegment) => segments.push(s));
  rec.on('sample', (s: ExtensionSample) => {
    samples++;
    client.offer(s);
  });
  rec.start();
  await new Promise((r) => setTimeout(r, ms));
  await rec.stop();
  await client.close();
  return { signals, dropped, segments, samples };
}

const INFERENCES = { inferences: [{ type: 'entity', entity: { tag: { value: 'car', confidence: 0.9 }, box: { l: 0.1, t: 0.2, w: 0.3, h: 0.4 } } }, { type: 'event', event: { name: 'parked' } }] };

describe('HTTP extension (AVA protocol) against a real inference server', () => {
  const servers: Array<{ close: () => Promise<void> }> = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('JPEG samples of the padded size: inferences become signals at the sample media time, 204 gives none, 503 + Retry-After holds requests back', async () => {
    const srv = await startInferenceServer((n, res) => {
      if (n < 2) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(INFERENCES));
      if (n === 2) return res.writeHead(503, { 'retry-after': '3' }).end();
      res.writeHead(204).end();
    });
    servers.push(srv);
    const out = await runCamera({ url: srv.url, maximumSamplesPerSecond: 2, image: { format: 'jpeg', scale: { mode: 'pad', width: 320, height: 320 } }, headers: { 'x-api-key': 'k1' } }, 9000);
    const r = srv.received;
    assert.ok(r.length >= 4, `${r.length} requests`);
    for (const q of r) {
      assert.equal(q.contentType, 'image/jpeg');
      assert.equal(q.accept, 'application/json');
      assert.equal(q.apiKey, 'k1');
    }
    assert.deepEqual(probeImage(r[0].body, 'jpg'), { codec: 'mjpeg', width: 320, height: 320 });
    // two 200 replies × two inferences; 204s add nothing
    assert.equal(out.signals.length, 4);
    assert.deepEqual(out.signals.map((x) => [x.s.index, x.s.label]), [[0, 'car'], [1, 'parked'], [0, 'car'], [1, 'parked']]);
    const first = out.segments[0].startMs;
    const last = out.segments.at(-1)!;
    for (const { atMs } of out.signals) assert.ok(atMs >= first && atMs <= last.startMs + last.durationMs, `signal at ${atMs} outside the recorded media ${first}..${last.startMs + last.durationMs}`);
    // Retry-After: 3 → no request for 3 s after the 503
    assert.ok(r[3].atMs - r[2].atMs >= 2900, `request after the 503 came ${r[3].atMs - r[2].atMs} ms later`);
    assert.ok(out.dropped.includes('backoff'));
    // rate ≤ maximumSamplesPerSecond: ffmpeg's fps filter gives ≤ 2 samples per second of media (9 s, plus one)
    assert.ok(out.samples <= 2 * 9 + 1, `${out.samples} samples in 9 s`);
    assert.equal(srv.inFlightMax(), 1);
  });

  it('PNG and BMP samples, scaled preserveAspectRatio and stretch; a slow server gets one request at a time and the rest are dropped', async () => {
    const srv = await startInferenceServer((_n, res) => setTimeout(() => res.writeHead(204).end(), 1200));
    servers.push(srv);
    const png = await runCamera({ url: srv.url, maximumSamplesPerSecond: 4, image: { format: 'png', scale: { mode: 'preserveAspectRatio', width: 200 } } }, 5000);
    const pngReq = srv.received.splice(0);
    assert.ok(pngReq.length >= 2);
    assert.equal(pngReq[0].contentType, 'image/png');
    assert.deepEqual(probeImage(pngReq[0].body, 'png'), { codec: 'png', width: 200, height: 112 });
    assert.ok(png.dropped.filter((d) => d === 'busy').length >= 3, `dropped: ${png.dropped.join(',')}`);
    assert.equal(srv.inFlightMax(), 1);
    for (let i = 1; i < pngReq.length; i++) assert.ok(pngReq[i].atMs - pngReq[i - 1].atMs >= 1100, 'the next request waits for the reply');

    await runCamera({ url: srv.url, maximumSamplesPerSecond: 1, image: { format: 'bmp', scale: { mode: 'stretch', width: 100, height: 50 } } }, 4000);
    const bmp = srv.received[0];
    assert.equal(bmp.contentType, 'image/bmp');
    assert.equal(bmp.body.length, 54 + 100 * 50 * 3);
    assert.deepEqual(probeImage(bmp.body, 'bmp'), { codec: 'bmp', width: 100, height: 50 });
  });
});
