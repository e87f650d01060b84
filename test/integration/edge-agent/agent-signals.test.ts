import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { Agent } from '../../../edge-agent/agent';
import { createLogger } from '../../../edge-agent/log';
import { startLocalBroker, type BrokerMessage } from '../../../local/broker';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { parseDeviceEvent } from '../../../shared/contracts/device-events';
import type { SignalRecord } from '../../../shared/contracts/signals';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { mediaPath } from '../../../testbed/rtsp-server';
import { until } from '../../helpers/wait';

describe('Agent: motion and inference signals reach the broker as signal CloudEvents', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  it('a person walking in (6-8 s of the clip) gives motion signals; the extension’s inferences give inference signals; both pass parseDeviceEvent', async () => {
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings').createIfNotExists();
    const inference = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ inferences: [{ type: 'entity', entity: { tag: { value: 'person', confidence: 0.8 }, box: { l: 0.4, t: 0.3, w: 0.2, h: 0.6 } } }] })));
    });
    await new Promise<void>((r) => inference.listen(0, '127.0.0.1', r));
    const messages: BrokerMessage[] = [];
    const broker = await startLocalBroker({ port: 0, devices: { 'site-1': 'pw' }, onMessage: (m) => messages.push(m) });
    const config = parseAgentConfig({
      deviceId: 'site-1',
      cameras: [
        {
          id: 'cam-1',
          url: mediaPath('one-by-one-person-detection.mp4'),
          inputOptions: ['-re'],
          motionDetection: {},
          httpExtension: { url: `http://127.0.0.1:${(inference.address() as AddressInfo).port}/score`, maximumSamplesPerSecond: 1 },
        },
      ],
      segmentLength: 'PT2S',
      localMediaCachePath: mkdtempSync(path.join(os.tmpdir(), 'kw-agent-signals-')),
      broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
      upload: { connectionString: azurite.connectionString, container: 'recordings' },
      metrics: { port: 0 },
    });
    const agent = new Agent(config, createLogger('silent'));
    try {
      await agent.start();
      const signalsOf = () =>
        messages
          .filter((m) => m.topic === 'keepwatch/site-1/events/cam-1')
          .map((m) => parseDeviceEvent(JSON.parse(m.payload.toString()), 'site-1', 'cam-1'))
          .flatMap((e) => (e.kind === 'signal' ? [e.signal] : []));
      await until('a motion signal', 30_000, () => signalsOf().some((s) => s.type === 'motion'));
      const metrics = await (await fetch(`${agent.metricsUrl}/metrics`)).text();
      await agent.stop();
      const signals: SignalRecord[] = signalsOf();
      const motion = signals.filter((s) => s.type === 'motion');
      const inferences = signals.filter((s) => s.type === 'inference');
      assert.ok(motion.length >= 1);
      for (const s of motion) {
        assert.equal(s.id, `motion-cam-1-${s.atMs}`);
        assert.ok(s.endMs! >= s.atMs && s.boxes!.length >= 1);
      }
      assert.ok(inferences.length >= 3, `${inferences.length} inference signals`);
      for (const s of inferences) {
        assert.match(s.id, new RegExp(`^inference-cam-1-${s.atMs}-0$`));
        assert.deepEqual([s.label, s.confidence, s.boxes], ['person', 0.8, [{ l: 0.4, t: 0.3, w: 0.2, h: 0.6 }]]);
      }
      // the first motion is the walk-in, 6-8 s into the clip, i.e. after at least two 2 s segments of the empty room
      const segments = messages.map((m) => JSON.parse(m.payload.toString()) as { type: string; data: { start: string } }).filter((e) => e.type === 'segment.uploaded');
      const firstSegmentMs = Math.min(...segments.map((e) => Date.parse(e.data.start)));
      const onsetS = (motion[0].atMs - firstSegmentMs) / 1000;
      assert.ok(onsetS >= 4.5 && onsetS <= 9, `first motion ${onsetS} s after the first segment`);
      assert.match(metrics, /keepwatch_signals_total\{camera="cam-1",type="motion"\} [1-9]/);
      assert.match(metrics, /keepwatch_signals_total\{camera="cam-1",type="inference"\} [1-9]/);
    } finally {
      await broker.close();
      await new Promise((r) => inference.close(r));
    }
  });
});
