import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { segmentBlobName } from '../../shared/blob-naming';
import { agentSegments } from '../helpers/e2e';
import { mediaPath, startRtspServer, type RtspServer } from '../helpers/rtsp-server';
import { readTopology } from '../helpers/topologies';
import { until } from '../helpers/wait';

/** The live pipeline: its name gives the camera id (shared/topology/pipeline-camera-id.ts). */
const PIPELINE = 'lobby-cam';
/** How long the pipeline records before the deactivate (one partial PT30S segment, closed by the stop). */
const RECORD_MS = 6_000;

/**
 * Issue 7 §2 end to end: a Microsoft CVR topology (`lva-2.0-cvr-asset`, read in place) set through the API, a live
 * pipeline with `rtspUrl` = the test RTSP server, activated on a real agent at run time over MQTT; segments arrive;
 * deactivate answers 200 only once the camera's cached segments are uploaded; then delete works.
 */
describe('live pipeline lifecycle end to end: API → MQTT command → agent → Blob → pipeline.state', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  const printed: string[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kw-pipeline-'));

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/person': mediaPath('one-by-one-person-detection.mp4') } });
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
});
