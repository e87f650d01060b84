import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { segmentBlobName } from '../../shared/contracts/blob-naming';
import { agentSegments } from '../helpers/e2e';
import { decodeFully } from '../helpers/ffmpeg';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';
import { readTopology } from '../helpers/topologies';
import { until } from '../helpers/wait';

/** The live pipeline: its name gives the camera id (shared/topology/pipeline-camera-id.ts). */
const PIPELINE = 'lobby-cam';
/** How long the pipeline records before the deactivate (one partial PT30S segment, closed by the stop). */
const RECORD_MS = 6_000;

/**
 * The AVA live pipeline lifecycle (docs/contracts.md "AVA live pipelines") end to end: a Microsoft CVR topology
 * (`lva-2.0-cvr-asset`, read in place) set through the API, a live pipeline with `rtspUrl` = the test RTSP server,
 * activated on a real agent at run time over MQTT; segments arrive; deactivate answers 200 only once the camera's
 * cached segments are uploaded; then delete works.
 */
describe('live pipeline lifecycle end to end: API → MQTT command → agent → Blob → pipeline.state', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  const printed: string[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kw-pipeline-'));

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/person': mediaPath('one-by-one-person-detection.mp4'), '/door': mediaPath('car-detection.mp4') } });
    stack = await startLocalStack({
      dataDir,
      httpPort: 0,
      inMemoryStorage: true,
      // The agent config needs one camera; this one refuses connections at once and only retries, so the pipeline's
      // camera is the only one recording.
      cameras: [{ id: 'unplugged', url: 'rtsp://127.0.0.1:9/none' }],
      agentLogLevel: 'debug', // 'segment recorded' lines (test/helpers/e2e.ts agentSegments)
      print: (l) => printed.push(l),
    });
  });

  after(async () => {
    await stack?.stop();
    await rtsp?.stop();
  });

  it('activates a sample CVR topology on the running agent, records, deactivates after the upload, deletes', async () => {
    const api = `${stack.apiBase}/devices/${stack.deviceId}`;
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${api}${route}`, { method, headers: { 'x-functions-key': stack.apiKey, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as { properties?: { state?: string }; error?: unknown }) : undefined, text };
    };
    const log = () => printed.filter((l) => !l.includes('unplugged')).slice(-40).join('\n');

    // A device gets the commands published while it is offline only once it has a session (its first subscribe).
    await until('the agent to subscribe to its commands', 15_000, () => stack.agentLog.some((l) => l.includes('"msg":"subscribed"')));
    const topology = readTopology('lva-2.0-cvr-asset') as { name: string };
    assert.equal((await call('PUT', `/pipelineTopologies/${topology.name}`, topology)).status, 201);
    const set = await call('PUT', `/livePipelines/${PIPELINE}`, { '@apiVersion': '2.0', properties: { topologyName: topology.name, parameters: [{ name: 'rtspUrl', value: rtsp.urls['/person'] }] } });
    assert.equal(set.status, 201, set.text);

    const activated = await call('POST', `/livePipelines/${PIPELINE}/activate`, { '@apiVersion': '2.0' });
    assert.equal(activated.status, 200, `${activated.text}\n${log()}`);
    assert.equal(activated.body?.properties?.state, 'active');
    // The stack's device is provisioned: the pipeline's camera became one of its own, so its upload URLs cover it.
    const device = await fetch(`${api}`, { headers: { 'x-functions-key': stack.apiKey } });
    assert.ok(((await device.json()) as { cameras: string[] }).cameras.includes(PIPELINE), 'the pipeline camera is bound to the device');
    // The camera records (the agent started it at run time), then the pipeline cannot be deleted while active.
    await until('the pipeline camera to record', 15_000, () => stack.agentLog.some((l) => l.includes('"cameraId":"lobby-cam"') && l.includes('recording session')) || (existsSync(path.join(dataDir, 'cache', PIPELINE)) && readdirSync(path.join(dataDir, 'cache', PIPELINE)).some((n) => n.endsWith('.ts'))));
    assert.equal((await call('DELETE', `/livePipelines/${PIPELINE}`)).status, 409);
    await new Promise((r) => setTimeout(r, RECORD_MS));

    const deactivated = await call('POST', `/livePipelines/${PIPELINE}/deactivate`);
    assert.equal(deactivated.status, 200, `${deactivated.text}\n${log()}`);
    assert.equal(deactivated.body?.properties?.state, 'inactive');
    // At the 200, every segment the camera recorded is in Blob and none is left in the agent's cache.
    const produced = agentSegments(stack, PIPELINE);
    assert.ok(produced.length >= 1, `the pipeline's camera recorded nothing\n${log()}`);
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(stack.container);
    const blobs = new Set<string>();
    for await (const b of container.listBlobsFlat({ prefix: `${PIPELINE}/` })) blobs.add(b.name);
    for (const s of produced) assert.ok(blobs.has(segmentBlobName(PIPELINE, s.startMs)), `segment ${new Date(s.startMs).toISOString()} uploaded before the 200`);
    const cacheDir = path.join(dataDir, 'cache', PIPELINE);
    assert.deepEqual(existsSync(cacheDir) ? readdirSync(cacheDir).filter((n) => n.endsWith('.ts')) : [], [], 'no cached segment left');
    // The cloud recording policy came from the topology's sink (CVR).
    const policy = await fetch(`${stack.apiBase}/cameras/${PIPELINE}/policy`, { headers: { 'x-functions-key': stack.apiKey } });
    assert.equal(((await policy.json()) as { isDefault: boolean }).isDefault, false);

    assert.equal((await call('DELETE', `/livePipelines/${PIPELINE}`)).status, 200);
    assert.equal((await call('DELETE', `/pipelineTopologies/${topology.name}`)).status, 200);
    assert.equal((await call('GET', `/livePipelines/${PIPELINE}`)).status, 404);
  });
  it('activates an EVR topology with a file sink at run time (camera URL by host name): an external signal gives a recording in the cloud and one MP4 on the device', async () => {
    const PIPE = 'door-cam';
    const sinkDir = path.join(dataDir, 'cache', 'file-sinks', 'clips'); // inside the agent's default fileSinkRoot
    const headers = { 'x-functions-key': stack.apiKey, 'content-type': 'application/json' };
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${stack.apiBase}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
    };
    const log = () => printed.filter((l) => !l.includes('unplugged')).slice(-40).join('\n');
    // Microsoft's AVA EVR-to-files topology (IoT Hub message source → signal gate PT0S/PT10S/PT30S → file sink), with
    // its sink folder (/var/media) moved into the test's folder, as an operator points it at their own disk. The camera
    // URL names its host (`localhost`): the agent resolves it, as the bundled ffmpeg crashes resolving names.
    await until('the agent to subscribe to its commands', 15_000, () => stack.agentLog.some((l) => l.includes('"msg":"subscribed"')));
    const topology = readTopology('ava-evr-hubMessage-file-sink') as { name: string; properties: { sinks: Array<Record<string, unknown>> } };
    topology.properties.sinks[0].baseDirectoryPath = sinkDir;
    assert.equal((await call('PUT', `/devices/${stack.deviceId}/pipelineTopologies/${topology.name}`, topology)).status, 201);
    const rtspUrl = rtsp.urls['/door'].replace('//127.0.0.1:', '//localhost:');
    const set = await call('PUT', `/devices/${stack.deviceId}/livePipelines/${PIPE}`, { '@apiVersion': '1.1', properties: { topologyName: topology.name, parameters: [{ name: 'rtspUrl', value: rtspUrl }] } });
    assert.equal(set.status, 201, set.text);
    const activated = await call('POST', `/devices/${stack.deviceId}/livePipelines/${PIPE}/activate`, {});
    assert.equal(activated.status, 200, `${activated.text}\n${stack.agentLog.filter((l) => !l.includes('unplugged')).slice(-25).join('\n')}`);
    const policy = await call('GET', `/cameras/${PIPE}/policy`);
    assert.equal((policy.json?.policy as { mode: string }).mode, 'evr', 'activation stored the topology\'s EVR policy');

    // The camera records (started at run time), then an external signal (the hub message source's replacement) comes in.
    await until('the EVR pipeline camera to record', 30_000, () => agentSegments(stack, PIPE).length > 0).catch((err: Error) => {
      throw new Error(`${err.message}\n${stack.agentLog.filter((l) => l.includes(PIPE)).slice(-30).join('\n')}`);
    });
    const signalMs = Date.now();
    const sent = await call('POST', `/cameras/${PIPE}/signals`, { id: 'door-open-rt', type: 'door-open', time: new Date(signalMs).toISOString() });
    assert.equal(sent.status, 202, sent.text);
    assert.equal(sent.json?.recording, true, sent.text);

    // The gate opens [signal, signal + 10 s]: one recording, available, its segments in Blob; one MP4 in the sink folder.
    type Rec = { id: string; start: string; end: string; state: string; available: boolean };
    let recs: Rec[] = [];
    await until('the recording to complete and be available', 90_000, async () => {
      const q = new URLSearchParams({ start: new Date(signalMs - 60_000).toISOString(), end: new Date(Date.now() + 60_000).toISOString() });
      const res = await fetch(`${stack.apiBase}/cameras/${PIPE}/recordings?${q}`, { headers });
      recs = res.status === 200 ? ((await res.json()) as { recordings: Rec[] }).recordings : [];
      return recs.length > 0 && recs.every((r) => r.state === 'complete' && r.available);
    });
    assert.deepEqual(recs.map((r) => [Date.parse(r.start), Date.parse(r.end)]), [[signalMs, signalMs + 10_000]], 'one recording, the gate\'s window');
    const mp4s = await (async () => {
      let found: string[] = [];
      await until('one MP4 in the file sink folder', 60_000, () => {
        found = existsSync(sinkDir) ? readdirSync(sinkDir).filter((n) => n.endsWith('.mp4')) : [];
        return found.length > 0 && found.every((n) => statSync(path.join(sinkDir, n)).size > 0);
      });
      return found;
    })();
    assert.equal(mp4s.length, 1, `MP4s: ${mp4s.join(', ')}`);
    assert.match(mp4s[0], /^sampleFilesFromEVR-EVRtoFilesBasedOnHubMessages-door-cam-filesinkOutput-/, 'named by the topology\'s fileNamePattern');
    const decoded = await decodeFully(path.join(sinkDir, mp4s[0]));
    assert.deepEqual(decoded.errors, []);
    assert.ok(decoded.decodedS >= 10 - 0.5, `the MP4 covers the 10 s window: ${decoded.decodedS} s`);

    // Deactivate: 200 once the camera's cached window segments are uploaded; then delete.
    const deactivated = await call('POST', `/devices/${stack.deviceId}/livePipelines/${PIPE}/deactivate`);
    assert.equal(deactivated.status, 200, `${deactivated.text}\n${log()}`);
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(stack.container);
    const blobs: number[] = [];
    for await (const b of container.listBlobsFlat({ prefix: `${PIPE}/` })) blobs.push(Date.parse(path.basename(b.name, '.ts')));
    const produced = agentSegments(stack, PIPE);
    const inWindow = produced.filter((x) => x.startMs < signalMs + 10_000 && x.startMs + x.durationMs > signalMs).map((x) => x.startMs);
    assert.ok(inWindow.length >= 1);
    assert.deepEqual(blobs.sort((a, b) => a - b), inWindow, 'Blob holds exactly the segments overlapping the window');
    assert.equal((await call('DELETE', `/devices/${stack.deviceId}/livePipelines/${PIPE}`)).status, 200);
    assert.equal((await call('DELETE', `/devices/${stack.deviceId}/pipelineTopologies/${topology.name}`)).status, 200);
  });
});
