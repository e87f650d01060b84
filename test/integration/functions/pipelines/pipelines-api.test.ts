import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import mqtt, { type MqttClient } from 'mqtt';
import { defaultDeps } from '../../../../functions/deps';
import { newDeviceSecret } from '../../../../functions/devices/device-provisioning';
import { commandOpener } from '../../../../edge-agent/pipelines/pipeline-controller';
import { deviceSecretSha256 } from '../../../../shared/device-secret';
import { ingest } from '../../../../functions/ingest/ingest';
import { livePipelineActivate } from '../../../../functions/pipelines/live-pipeline-activate';
import { ValidationError } from '../../../../shared/errors';
import { resetSettings } from '../../../../functions/settings';
import { startLocalBroker, type LocalBroker } from '../../../../local/broker';
import { startFunctionsHost, type FunctionsHost } from '../../../../local/functions-host';
import { silentLogger } from '../../../../local/host-logger';
import { parsePipelineCommand, type PipelineCommand } from '../../../../shared/contracts/pipeline-commands';
import { pipelineStateEvent } from '../../../../shared/contracts/pipeline-state';
import { cameraEventsTopic, deviceCommandsFilter } from '../../../../shared/contracts/topics';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { readTopology } from '../../../helpers/topologies';
import { batchContext, TEST_SECRET, viaEventGrid } from '../../../helpers/functions-fixtures';

const API_KEY = 'local-test-key-pipelines';
const DEVICE = 'site-1';
const DEVICE_PASSWORD = 'device-pw-1';
/** Its device secret: provisioned, it gets its activate commands' cameras sealed to it (docs/devices.md). */
let deviceSecret = newDeviceSecret();
const CLOUD = { username: 'keepwatch-cloud', password: 'cloud-pw-1' };
const RTSP_URL = 'rtsp://192.0.2.10:554/stream1';

interface Problem {
  error: { code: string; message: string; details?: Array<{ code: string; target?: string; message: string }> };
}

/**
 * The pipeline routes (docs/contracts.md "AVA live pipelines") through the local functions host on Azurite, with the
 * embedded broker: a test device (a real MQTT client) receives the commands and answers with `pipeline.state` events,
 * which reach `ingest` in the Event Grid shape. Topologies are Microsoft's sample files, read in place.
 */
describe('AVA pipeline topologies and live pipelines over HTTP', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let host: FunctionsHost;
  let device: MqttClient;
  let api: string;
  const savedEnv = { ...process.env };
  const commands: PipelineCommand[] = [];
  /** Whether the test device answers commands (false = offline for the cloud's purposes). */
  let deviceAnswers = true;

  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({
      port: 0,
      devices: { [DEVICE]: DEVICE_PASSWORD },
      cloudClients: { [CLOUD.username]: CLOUD.password },
      // What Event Grid routing does: the device's publish reaches ingest as an MQTT.EventPublished CloudEvent.
      onMessage: (m) => {
        const inner = JSON.parse(m.payload.toString('utf8')) as Record<string, unknown>;
        void ingest([viaEventGrid(inner, { topic: m.topic })], batchContext(), defaultDeps());
      },
    });
    Object.assign(process.env, {
      KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
      KEEPWATCH_TABLE_PREFIX: 'pipe',
      KEEPWATCH_MQTT_URL: broker.url,
      KEEPWATCH_MQTT_USERNAME: CLOUD.username,
      KEEPWATCH_MQTT_PASSWORD: CLOUD.password,
      KEEPWATCH_PIPELINE_STATE_WAIT: 'PT1.5S',
    });
    resetSettings();
    host = await startFunctionsHost({ port: 0, host: '127.0.0.1', apiKey: API_KEY, logger: silentLogger, timers: false });
    api = `${host.url}/api/devices/${DEVICE}`;
    await defaultDeps().devices.create({ deviceId: DEVICE, secretSha256: deviceSecretSha256(deviceSecret), cameras: ['entrance'], createdAtMs: Date.now(), secretSetAtMs: Date.now(), disabled: false });

    device = await mqtt.connectAsync(broker.url, { clientId: DEVICE, username: DEVICE, password: DEVICE_PASSWORD, protocolVersion: 4 });
    await device.subscribeAsync(deviceCommandsFilter(DEVICE), { qos: 1 });
    device.on('message', (_topic, payload) => {
      const c = parsePipelineCommand(JSON.parse(payload.toString('utf8')), commandOpener(deviceSecret, DEVICE));
      commands.push(c);
      // A device that cannot apply a pipeline answers inactive with its reason (edge-agent/pipelines/pipeline-controller.ts).
      if (c.kind === 'activate' && c.pipelineName === 'refused') report(c, 'inactive', c.generation, "camera 'refused' is already recorded by the agent config");
      else if (deviceAnswers) report(c);
    });
  });

  after(async () => {
    await device?.endAsync();
    await host?.close();
    await defaultDeps().deviceCommands.close();
    await broker?.close();
    await azurite?.stop();
    process.env = savedEnv;
    resetSettings();
  });

  /** The device's answer to a command, as the agent sends it. */
  function report(c: PipelineCommand, state: 'active' | 'inactive' = c.kind === 'activate' ? 'active' : 'inactive', generation = c.generation, message?: string): void {
    const cameraIds = c.kind === 'activate' ? c.cameras.map((x) => x.id) : c.cameraIds;
    const event = pipelineStateEvent(DEVICE, { pipelineName: c.pipelineName, state, generation, cameraIds, ...(message ? { message } : {}) }, Date.now());
    device.publish(cameraEventsTopic(DEVICE, cameraIds[0]), JSON.stringify(event), { qos: 1 });
  }

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${api}${path}`, { method, headers: { 'x-functions-key': API_KEY, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  async function expectError(res: Response, status: number, code: string, message?: RegExp): Promise<Problem> {
    const body = (await res.json()) as Problem;
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    if (message) assert.match(body.error.message, message);
    return body;
  }
  /** The pipeline's state once it is `wanted`, or the last one read after 10 s. */
  async function stateOnceSettled(name: string, wanted: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    let state = '';
    while (Date.now() < deadline && state !== wanted) {
      state = ((await (await call('GET', `/livePipelines/${name}`)).json()) as { properties: { state: string } }).properties.state;
      if (state !== wanted) await new Promise((r) => setTimeout(r, 100));
    }
    return state;
  }
  const pipelineBody = (topologyName: string, parameters: Array<{ name: string; value: string }>) => ({ '@apiVersion': '1.1', properties: { topologyName, description: 'lobby camera', parameters } });

  it('sets, gets and lists a Microsoft sample topology as given (201, then 200), refusing unsupported nodes', async () => {
    const file = readTopology('ava-cvr-video-sink') as { name: string; properties: Record<string, unknown> };
    let res = await call('PUT', `/pipelineTopologies/${file.name}`, file);
    assert.equal(res.status, 201);
    const created = (await res.json()) as { name: string; properties: unknown; systemData: { createdAt: string; lastModifiedAt: string } };
    assert.equal(created.name, 'CVRToVideoSink');
    assert.deepEqual(created.properties, file.properties);
    res = await call('PUT', `/pipelineTopologies/${file.name}`, file);
    assert.equal(res.status, 200);
    const got = (await (await call('GET', `/pipelineTopologies/${file.name}`)).json()) as typeof created;
    assert.deepEqual(got.properties, file.properties);
    assert.equal(got.systemData.createdAt, created.systemData.createdAt);
    const list = (await (await call('GET', '/pipelineTopologies')).json()) as { value: Array<{ name: string }> };
    assert.deepEqual(list.value.map((t) => t.name), ['CVRToVideoSink']);

    const unsupported = readTopology('ava-line-crossing') as { name: string };
    const problem = await expectError(await call('PUT', `/pipelineTopologies/${unsupported.name}`, unsupported), 400, 'InvalidResource', /unsupported node/);
    assert.equal(problem.error.details?.[0].code, 'UnsupportedTopologyNode');
    await expectError(await call('GET', `/pipelineTopologies/${unsupported.name}`), 404, 'NotFound');
    await expectError(await call('PUT', '/pipelineTopologies/Other', file), 400, 'InvalidResource', /body names "CVRToVideoSink" but the route names 'Other'/);
    await expectError(await call('GET', '/pipelineTopologies/bad%20name'), 400, 'InvalidName');
    await expectError(await fetch(`${host.url}/api/devices/Bad_Device/livePipelines`, { headers: { 'x-functions-key': API_KEY } }), 400, 'InvalidDeviceId');
  });

  it('sets a live pipeline inactive (201/200), revalidating it with the topology import; SecretString values are never returned', async () => {
    await expectError(await call('PUT', '/livePipelines/lobby', pipelineBody('NoSuchTopology', [])), 400, 'InvalidResource', /no pipeline topology 'NoSuchTopology'/);
    const missing = await expectError(await call('PUT', '/livePipelines/lobby', pipelineBody('CVRToVideoSink', [])), 400, 'InvalidResource', /rtspUrl/);
    assert.equal(missing.error.details?.[0].code, 'MissingParameter');
    const undeclared = await expectError(await call('PUT', '/livePipelines/lobby', pipelineBody('CVRToVideoSink', [{ name: 'rtspUrl', value: RTSP_URL }, { name: 'colour', value: 'x' }])), 400, 'InvalidResource');
    assert.equal(undeclared.error.details?.[0].code, 'UndeclaredParameter');
    await expectError(await call('GET', '/livePipelines/lobby'), 404, 'NotFound');

    // The same topology with a SecretString password (AVA spelling), set under another name.
    const file = readTopology('ava-cvr-video-sink') as { name: string; properties: { parameters: Array<{ name: string; type: string }> } };
    const secret = { ...file, name: 'CVRSecret', properties: { ...file.properties, parameters: file.properties.parameters.map((p) => (p.name === 'rtspPassword' ? { ...p, type: 'secretString' } : p)) } };
    assert.equal((await call('PUT', '/pipelineTopologies/CVRSecret', secret)).status, 201);
    const params = [{ name: 'rtspUrl', value: RTSP_URL }, { name: 'rtspPassword', value: 'hunter2-secret' }];
    let res = await call('PUT', '/livePipelines/lobby', pipelineBody('CVRSecret', params));
    assert.equal(res.status, 201);
    const created = (await res.json()) as { properties: { state: string; parameters: Array<{ name: string; value?: string }>; cameraIds: string[] } };
    assert.equal(created.properties.state, 'inactive');
    assert.deepEqual(created.properties.cameraIds, ['lobby']);
    assert.deepEqual(created.properties.parameters, [{ name: 'rtspUrl', value: RTSP_URL }, { name: 'rtspPassword' }]);
    res = await call('PUT', '/livePipelines/lobby', pipelineBody('CVRSecret', params));
    assert.equal(res.status, 200);
    for (const text of [await (await call('GET', '/livePipelines/lobby')).text(), await (await call('GET', '/livePipelines')).text()]) {
      assert.doesNotMatch(text, /hunter2/);
      assert.match(text, /"state":"inactive"/);
    }
    // Camera ids come from names: another pipeline may not take 'lobby' by case alone.
    await expectError(await call('PUT', '/livePipelines/LOBBY', pipelineBody('CVRSecret', params)), 400, 'InvalidResource', /camera 'lobby', which live pipeline 'lobby' records/);
    // The topology is in use now.
    await expectError(await call('DELETE', '/pipelineTopologies/CVRSecret'), 409, 'PipelineTopologyInUse', /'lobby'/);
  });

  it('a topology updated to make a parameter SecretString hides its value in the pipelines already set on it', async () => {
    const file = readTopology('ava-cvr-video-sink') as { name: string; properties: { parameters: Array<{ name: string; type: string }> } };
    const plain = { ...file, name: 'CVRPlain' };
    assert.equal((await call('PUT', '/pipelineTopologies/CVRPlain', plain)).status, 201);
    const params = [{ name: 'rtspUrl', value: RTSP_URL }, { name: 'rtspPassword', value: 'swordfish-plain' }];
    assert.equal((await call('PUT', '/livePipelines/porch', pipelineBody('CVRPlain', params))).status, 201);
    assert.match(await (await call('GET', '/livePipelines/porch')).text(), /swordfish-plain/, 'a String parameter is returned');
    const secret = { ...plain, properties: { ...plain.properties, parameters: plain.properties.parameters.map((p) => (p.name === 'rtspPassword' ? { ...p, type: 'SecretString' } : p)) } };
    assert.equal((await call('PUT', '/pipelineTopologies/CVRPlain', secret)).status, 200);
    for (const text of [await (await call('GET', '/livePipelines/porch')).text(), await (await call('GET', '/livePipelines')).text()]) assert.doesNotMatch(text, /swordfish/);
    const got = (await (await call('GET', '/livePipelines/porch')).json()) as { properties: { parameters: Array<{ name: string; value?: string }> } };
    assert.deepEqual(got.properties.parameters, [{ name: 'rtspUrl', value: RTSP_URL }, { name: 'rtspPassword' }]);
    // Made a String again, the topology does not reveal a value stored while it was secret.
    assert.equal((await call('PUT', '/pipelineTopologies/CVRPlain', plain)).status, 200);
    assert.doesNotMatch(await (await call('GET', '/livePipelines/porch')).text(), /swordfish/);
    assert.equal((await call('DELETE', '/livePipelines/porch')).status, 200);
    assert.equal((await call('DELETE', '/pipelineTopologies/CVRPlain')).status, 200);
  });

  it('activates (200 once the device reports), with AVA 409s in the wrong states, then deactivates and deletes', async () => {
    commands.length = 0;
    let res = await call('POST', '/livePipelines/lobby/activate', { '@apiVersion': '1.1', name: 'lobby' });
    const active = (await res.json()) as { properties: { state: string } };
    assert.equal(res.status, 200, JSON.stringify(active));
    assert.equal(active.properties.state, 'active');
    assert.equal(commands.length, 1);
    const cmd = commands[0];
    assert.ok(cmd.kind === 'activate');
    assert.equal(cmd.pipelineName, 'lobby');
    assert.equal(cmd.cameras[0].id, 'lobby');
    assert.match(JSON.stringify(cmd.cameras[0]), /192\.0\.2\.10/);
    // The camera's policy went to the policy store, as PUT /policy does.
    const policy = await fetch(`${host.url}/api/cameras/lobby/policy`, { headers: { 'x-functions-key': API_KEY } });
    assert.equal(((await policy.json()) as { isDefault: boolean }).isDefault, false);

    res = await call('POST', '/livePipelines/lobby/activate');
    assert.equal(res.status, 200, 'idempotent on active');
    assert.equal(commands.length, 1, 'no second command for an active pipeline');
    await expectError(await call('PUT', '/livePipelines/lobby', pipelineBody('CVRSecret', [{ name: 'rtspUrl', value: RTSP_URL }])), 409, 'OperationNotAllowedInState', /is active/);
    await expectError(await call('DELETE', '/livePipelines/lobby'), 409, 'OperationNotAllowedInState', /only inactive/);

    res = await call('POST', '/livePipelines/lobby/deactivate');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { properties: { state: string } }).properties.state, 'inactive');
    assert.equal(commands.at(-1)?.kind, 'deactivate');
    assert.equal((await call('POST', '/livePipelines/lobby/deactivate')).status, 200, 'inactive: 200 at once');

    assert.equal((await call('DELETE', '/livePipelines/lobby')).status, 200);
    assert.equal((await call('DELETE', '/livePipelines/lobby')).status, 204);
    assert.equal((await call('DELETE', '/pipelineTopologies/CVRSecret')).status, 200);
    assert.equal((await call('DELETE', '/pipelineTopologies/CVRSecret')).status, 204);
    await expectError(await call('POST', '/livePipelines/lobby/activate'), 404, 'NotFound');
  });

  it('an activate whose import fails is a 400 that leaves the pipeline inactive, no command sent', async () => {
    assert.equal((await call('PUT', '/livePipelines/broken', pipelineBody('CVRToVideoSink', [{ name: 'rtspUrl', value: RTSP_URL }]))).status, 201);
    commands.length = 0;
    const failing = () => {
      throw new ValidationError("topology 'CVRToVideoSink': parameter 'rtspUrl' is not a URL", undefined, 'InvalidParameter');
    };
    const request = new HttpRequest({ method: 'POST', url: `${api}/livePipelines/broken/activate`, params: { deviceId: DEVICE, name: 'broken' } });
    const res = await livePipelineActivate(request, batchContext(), { ...defaultDeps(), importTopology: failing });
    assert.equal(res.status, 400);
    const body = res.jsonBody as Problem;
    assert.equal(body.error.code, 'InvalidResource');
    assert.equal(body.error.details?.[0].code, 'InvalidParameter');
    const got = (await (await call('GET', '/livePipelines/broken')).json()) as { properties: { state: string } };
    assert.equal(got.properties.state, 'inactive');
    assert.equal(commands.length, 0);
    assert.equal((await call('DELETE', '/livePipelines/broken')).status, 200);
  });

  it('an activation the device refuses is a 409 ActivationFailed with its reason; the pipeline stays inactive and shows why', async () => {
    assert.equal((await call('PUT', '/livePipelines/refused', pipelineBody('CVRToVideoSink', [{ name: 'rtspUrl', value: RTSP_URL }]))).status, 201);
    await expectError(await call('POST', '/livePipelines/refused/activate'), 409, 'ActivationFailed', /could not activate live pipeline 'refused': camera 'refused' is already recorded by the agent config/);
    const got = (await (await call('GET', '/livePipelines/refused')).json()) as { properties: { state: string; stateMessage?: string } };
    assert.equal(got.properties.state, 'inactive');
    assert.match(got.properties.stateMessage ?? '', /already recorded/);
    assert.equal((await call('DELETE', '/livePipelines/refused')).status, 200);
  });

  it('a topology deleted while a live pipeline is set on it never leaves the pipeline without its topology (ETag transaction)', async () => {
    const file = readTopology('ava-cvr-video-sink') as { properties: unknown };
    for (let round = 0; round < 4; round++) {
      assert.equal((await call('PUT', '/pipelineTopologies/Racy', { properties: file.properties })).status, 201);
      const [set, del] = await Promise.all([call('PUT', `/livePipelines/racy-${round}`, pipelineBody('Racy', [{ name: 'rtspUrl', value: RTSP_URL }])), call('DELETE', '/pipelineTopologies/Racy')]);
      const pipelineSet = set.status === 201;
      const topologyDeleted = del.status === 200;
      assert.ok(pipelineSet !== topologyDeleted, `round ${round}: exactly one wins (set ${set.status}, delete ${del.status})`);
      assert.equal((await call('GET', '/pipelineTopologies/Racy')).status, pipelineSet ? 200 : 404);
      if (pipelineSet) {
        assert.equal(del.status, 409);
        assert.equal((await call('DELETE', `/livePipelines/racy-${round}`)).status, 200);
        assert.equal((await call('DELETE', '/pipelineTopologies/Racy')).status, 200);
      } else {
        assert.equal(set.status, 400);
      }
    }
  });

  it('answers 202 while the device is silent; late, repeated and stale reports are applied once', async () => {
    assert.equal((await call('PUT', '/livePipelines/gate', pipelineBody('CVRToVideoSink', [{ name: 'rtspUrl', value: RTSP_URL }]))).status, 201);
    deviceAnswers = false;
    commands.length = 0;
    try {
      let res = await call('POST', '/livePipelines/gate/activate');
      assert.equal(res.status, 202);
      assert.equal(((await res.json()) as { properties: { state: string } }).properties.state, 'activating');
      await expectError(await call('POST', '/livePipelines/gate/deactivate'), 409, 'OperationNotAllowedInState', /is activating/);
      await expectError(await call('DELETE', '/livePipelines/gate'), 409, 'OperationNotAllowedInState');
      // Repeating the activate sends the same command again (same id: the device applies it once).
      res = await call('POST', '/livePipelines/gate/activate');
      assert.equal(res.status, 202);
      await res.body?.cancel();
      assert.equal(commands.length, 2);
      assert.equal(commands[0].generation, commands[1].generation);

      // A stale report (an older generation) changes nothing; the right one, twice, makes it active once.
      report(commands[0], 'inactive', commands[0].generation - 1);
      report(commands[0]);
      report(commands[0]);
      assert.equal(await stateOnceSettled('gate', 'active'), 'active');
    } finally {
      deviceAnswers = true;
    }
    const res = await call('POST', '/livePipelines/gate/deactivate');
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal((await call('DELETE', '/livePipelines/gate')).status, 200);
  });

  it('a device coming online gets the commands of its pipelines still activating or deactivating again, and becomes active', async () => {
    assert.equal((await call('PUT', '/livePipelines/yard', pipelineBody('CVRToVideoSink', [{ name: 'rtspUrl', value: RTSP_URL }]))).status, 201);
    deviceAnswers = false; // as if the command had been published before the device's first session
    commands.length = 0;
    const res = await call('POST', '/livePipelines/yard/activate');
    assert.equal(res.status, 202);
    await res.body?.cancel();
    const generation = commands[0].generation;
    deviceAnswers = true;
    commands.length = 0;
    // The device's retained status, routed by Event Grid to ingest: offline sends nothing, online the pending command.
    const status = (state: string) => viaEventGrid({ source: `/devices/${DEVICE}`, id: `status-${state}`, deviceId: DEVICE, state, time: new Date().toISOString() }, { topic: `keepwatch/${DEVICE}/status` });
    const offline = await ingest([status('offline')], batchContext(), defaultDeps());
    assert.equal(offline.pipelineCommandsResent, 0);
    const online = await ingest([status('online')], batchContext(), defaultDeps());
    assert.equal(online.pipelineCommandsResent, 1);
    assert.equal(await stateOnceSettled('yard', 'active'), 'active');
    assert.deepEqual(commands.map((c) => [c.kind, c.pipelineName, c.generation]), [['activate', 'yard', generation]], 'the same command (same generation)');
    // Active now: another online status resends nothing.
    assert.equal((await ingest([status('online')], batchContext(), defaultDeps())).pipelineCommandsResent, 0);
    const off = await call('POST', '/livePipelines/yard/deactivate');
    assert.equal(off.status, 200);
    await off.body?.cancel();
    assert.equal((await call('DELETE', '/livePipelines/yard')).status, 200);
  });

  it("a provisioned device gets its pipelines' cameras; one another device records is a 409 CameraOwned, left inactive, no command", async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${host.url}/api/devices${path}`, { method, headers: { 'x-functions-key': API_KEY, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal((await admin('DELETE', `/${DEVICE}`)).status, 204, 'provisioned again below, with its own camera');
    const provisioned = await admin('POST', '', { deviceId: DEVICE, cameras: ['cam-own'] });
    assert.equal(provisioned.status, 201);
    deviceSecret = ((await provisioned.json()) as { secret: string }).secret;
    assert.equal((await admin('POST', '', { deviceId: 'site-2', cameras: ['taken'] })).status, 201);
    const topology = readTopology('lva-2.0-cvr-asset') as { name: string };
    assert.equal((await call('PUT', `/pipelineTopologies/${topology.name}`, topology)).status, 201);
    for (const name of ['taken', 'hall']) assert.equal((await call('PUT', `/livePipelines/${name}`, pipelineBody(topology.name, [{ name: 'rtspUrl', value: RTSP_URL }]))).status, 201);

    commands.length = 0;
    await expectError(await call('POST', '/livePipelines/taken/activate'), 409, 'CameraOwned', /site-2/);
    assert.equal(commands.length, 0, 'no command for a refused activation');
    assert.equal(((await (await call('GET', '/livePipelines/taken')).json()) as { properties: { state: string } }).properties.state, 'inactive');

    assert.equal((await call('POST', '/livePipelines/hall/activate')).status, 200);
    const device = (await (await admin('GET', `/${DEVICE}`)).json()) as { cameras: string[] };
    assert.deepEqual(device.cameras, ['cam-own', 'hall']);
    assert.equal((await call('POST', '/livePipelines/hall/deactivate')).status, 200);
    for (const name of ['taken', 'hall']) assert.equal((await call('DELETE', `/livePipelines/${name}`)).status, 200);
    for (const id of [DEVICE, 'site-2']) assert.equal((await admin('DELETE', `/${id}`)).status, 204);
  });
});
