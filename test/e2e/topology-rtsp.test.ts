import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { TableClient } from '@azure/data-tables';
import mqtt from 'mqtt';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { importTopology } from '../../shared/topology/import-topology';
import { decodeFully } from '../helpers/ffmpeg';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';
import { readTopology, topologyPath } from '../helpers/topologies';
import { until, waitFor } from '../helpers/wait';

/**
 * Microsoft topologies recording for real, in one local stack run whose agent config names them as
 * AVA live pipelines (`pipelines:` entries):
 * - `lva-2.0-cvr-asset` records CVR with its PT30S segments: one complete 30 s segment is uploaded and indexed;
 * - `ava-evr-hubMessage-file-sink`: its cloud policy is PUT by `keepwatch-agent import-topology --api-url`, then two
 *   external signals over MQTT (the IoT Hub message source's replacement) give two MP4s in the file sink's folder.
 * Both cameras read the person clip over RTSP. The file sink's folder (`/var/media` in the topology) is moved into
 * the test's folder by a `cameras` entry merged over the pipeline's camera.
 */
const LOBBY = 'lobby';
const GATE = 'gate';
const SENSOR = { user: 'gate-sensor', password: 'gate-sensor-secret-1' };
const run = promisify(execFile);

describe('LVA/AVA topologies as live pipelines on the local stack: CVR PT30S segments, file sink MP4s per external signal', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  const printed: string[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kw-topology-e2e-'));
  const sinkDir = path.join(dataDir, 'cache', 'file-sinks', 'clips'); // inside the agent's default fileSinkRoot
  let startedMs = 0;

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/lobby': mediaPath('one-by-one-person-detection.mp4'), '/gate': mediaPath('one-by-one-person-detection.mp4') } });
    const cvr = importTopology(readTopology('lva-2.0-cvr-asset'), { name: LOBBY, parameters: { rtspUrl: rtsp.urls['/lobby'] } });
    assert.equal(cvr.agent.segmentLength, 'PT30S');
    stack = await startLocalStack({
      dataDir,
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: GATE, url: rtsp.urls['/gate'], fileSink: { baseDirectoryPath: sinkDir } }],
      // The topology's segmentLength; its cache folder (/var/lib/azuremediaservices/tmp/) gives way to the stack's.
      segmentLength: cvr.agent.segmentLength as string,
      agentConfig: {
        evrCacheHorizon: 'PT1M',
        pipelines: [
          { name: LOBBY, topologyFile: topologyPath('lva-2.0-cvr-asset'), parameters: { rtspUrl: rtsp.urls['/lobby'] } },
          { name: GATE, topologyFile: topologyPath('ava-evr-hubMessage-file-sink'), parameters: { rtspUrl: rtsp.urls['/gate'] } },
        ],
      },
      signalPublishers: { [SENSOR.user]: { password: SENSOR.password, topics: [`keepwatch/local-device/signals/${GATE}`] } },
      agentLogLevel: 'debug',
      print: (l) => printed.push(l),
    });
    startedMs = Date.now();
  });

  after(async () => {
    await stack?.stop();
    await rtsp?.stop();
  });

  it('import-topology --api-url sets the gate camera\'s policy; two external signals give two MP4s named by the topology; the CVR camera indexes a 30 s segment', async () => {
    const cli = path.join(__dirname, '..', '..', 'edge-agent', 'cli.js');
    const { stdout, stderr } = await run(process.execPath, [cli, 'import-topology', topologyPath('ava-evr-hubMessage-file-sink'), '--param', `rtspUrl=${rtsp.urls['/gate']}`, '--pipeline-name', GATE, '--output', 'policy', '--api-url', stack.apiBase, '--api-key', stack.apiKey]);
    assert.match(stderr, /cloud recording policy set for camera 'gate'/);
    assert.equal((JSON.parse(stdout) as Record<string, { mode: string }>)[GATE].mode, 'evr');
    const headers = { 'x-functions-key': stack.apiKey };
    const { policy, isDefault } = (await (await fetch(`${stack.apiBase}/cameras/${GATE}/policy`, { headers })).json()) as { isDefault: boolean; policy: { mode: string; evr: { signalGate: { minimumActivationTime: string } } } };
    assert.equal(isDefault, false);
    assert.equal(policy.mode, 'evr');
    assert.equal(policy.evr.signalGate.minimumActivationTime, 'PT10S');
    // The agent logged that the pipelines' cameras record by their cloud policies.
    await waitFor('the agent naming how to set the gate camera\'s policy', 10_000, () => stack.agentLog.some((l) => l.includes('import-topology --api-url') && l.includes(`"pipeline":"${GATE}"`)) || undefined);

    // Two door-sensor style signals 14 s apart (each with its own id: identical payloads would be one redelivered signal): the topology's gate (minimum PT10S) makes two windows.
    await until('3 s of recording', 10_000, () => Date.now() > startedMs + 3000);
    const sensor = await mqtt.connectAsync(stack.mqttUrl, { username: SENSOR.user, password: SENSOR.password, clientId: 'gate-sensor-1', protocolVersion: 4 });
    await sensor.publishAsync(`keepwatch/local-device/signals/${GATE}`, JSON.stringify({ id: 'gate-open-1', type: 'gate-open' }), { qos: 1 });
    await until('14 s later', 20_000, () => Date.now() > startedMs + 17_000);
    await sensor.publishAsync(`keepwatch/local-device/signals/${GATE}`, JSON.stringify({ id: 'gate-open-2', type: 'gate-open' }), { qos: 1 });
    await sensor.endAsync();

    // CVR: the first 30 s segment of the lobby is uploaded and indexed.
    const table = TableClient.fromConnectionString(stack.connectionString, 'kwSegments', { allowInsecureConnection: true });
    const row = await waitFor('a lobby segment in the index', 40_000, async () => {
      for await (const e of table.listEntities<{ startMs: number; durationMs: number }>({ queryOptions: { filter: `PartitionKey ge '${LOBBY}_' and PartitionKey le '${LOBBY}_9999'` } })) return e;
      return undefined;
    });
    // A session's first segment ends at the first 30 s mark of its stream and starts at its first keyframe with usable
    // timing (the person clip has B-frames: up to 20 frames and a GOP, 3 s, in; docs/adr/0003-recording-any-camera.md).
    assert.ok(Number(row.durationMs) >= 26_500 && Number(row.durationMs) <= 30_500, `the indexed segment lasts ${row.durationMs} ms, expected 27..30 s (PT30S)`);

    // File sink: one MP4 per signal, named by the topology's fileNamePattern with its system variables.
    const mp4s = await waitFor('two MP4s in the file sink folder', 20_000, () => {
      // The sink creates its folder with its first MP4.
      const files = existsSync(sinkDir) ? readdirSync(sinkDir, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.mp4')).map((f) => f.name) : [];
      return files.length >= 2 ? files.sort() : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}\n${printed.slice(-30).join('\n')}`));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(readdirSync(sinkDir).filter((f) => f.endsWith('.mp4')).length, 2, 'exactly one MP4 per signal');
    for (const name of mp4s) {
      assert.match(name, /^sampleFilesFromEVR-EVRtoFilesBasedOnHubMessages-gate-filesinkOutput-\d{8}T\d{6}Z\.mp4$/);
      const decoded = await decodeFully(path.join(sinkDir, name));
      assert.equal(decoded.code, 0, `${name} decodes`);
      assert.deepEqual(decoded.errors, []);
      assert.ok(decoded.decodedS >= 10 - 1, `${name}: ${decoded.decodedS} s covers the 10 s window`);
    }
  });
});
