import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createDeps, type FunctionsDeps } from '../../../functions/deps';
import { deviceDelete } from '../../../functions/devices/device-delete';
import { devicesCreate } from '../../../functions/devices/devices-create';
import { newDeviceSecret } from '../../../functions/devices/device-provisioning';
import { deviceSecretRotate } from '../../../functions/devices/device-secret-rotate';
import { livePipelineActivate } from '../../../functions/pipelines/live-pipeline-activate';
import { livePipelinePut } from '../../../functions/pipelines/live-pipeline-put';
import { pipelineTopologyPut } from '../../../functions/pipelines/pipeline-topology-put';
import { commandOpener } from '../../../edge-agent/pipelines/pipeline-controller';
import { startLocalBroker, type LocalBroker } from '../../../local/broker';
import { silentLogger } from '../../../local/host-logger';
import { ValidationError } from '../../../shared/errors';
import { parsePipelineCommand } from '../../../shared/contracts/pipeline-commands';
import { cameraCommandsTopic, deviceCommandsFilter } from '../../../shared/contracts/topics';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { readTopology } from '../../helpers/topologies';
import { until } from '../../helpers/wait';
import { batchContext, testSettings } from '../../helpers/functions-fixtures';

/**
 * docs/security.md "Revocation and rotation take effect at once": the broker checks a device's secret at CONNECT only,
 * so rotating or revoking it (the real route handlers) must also end the sessions it already has (local/broker.ts
 * `endDeviceSessions`, reached through the functions' `deviceSessions`): the old connection is closed, it cannot come
 * back, and no command sent afterwards reaches it. The camera credentials of a live pipeline's activate command travel
 * sealed to the device's secret (shared/contracts/command-seal.ts): not readable on the wire, not by a device holding an old
 * secret. Real components: the aedes broker, Azurite, the functions' handlers and MQTT command adapter.
 */
const CLOUD = { username: 'keepwatch-cloud', password: 'cloud-pw' };

describe('revocation and rotation end a device\'s broker sessions; camera credentials travel sealed', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let deps: FunctionsDeps;
  /** Lets a test hold a device's CONNECT after the broker read the device store: `read` is called, then `gate` awaited. */
  let storeGate: { read: () => void; gate: Promise<void> } | undefined;
  const clients: MqttClient[] = [];

  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({
      port: 0,
      devices: {},
      cloudClients: { [CLOUD.username]: CLOUD.password },
      // Provisioned devices log in with their device secret, checked against the store (as in the local stack).
      provisionedDevice: async (id) => {
        const device = await deps.devices.get(id);
        if (storeGate) {
          storeGate.read();
          await storeGate.gate;
        }
        return device;
      },
      onMessage: () => {},
      logger: silentLogger,
    });
    // The functions' command adapter connects to this broker as the cloud client; rotation and revocation reach the
    // broker's session control as the local stack wires it (local/stack.ts).
    const s = testSettings(azurite.connectionString, { KEEPWATCH_PIPELINE_STATE_WAIT: 'PT0S', KEEPWATCH_MQTT_URL: broker.url, KEEPWATCH_MQTT_USERNAME: CLOUD.username, KEEPWATCH_MQTT_PASSWORD: CLOUD.password });
    deps = createDeps(s, { deviceSessions: { end: (id, reason) => broker.endDeviceSessions(id, reason) } });
    await deps.ensureStorage();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await deps?.deviceCommands.close();
    await broker?.close();
    await azurite?.stop();
  });

  /** Provisions through the route (POST /api/devices): the device secret it shows once. */
  async function provision(deviceId: string, cameras: string[]): Promise<string> {
    const res = await devicesCreate(request('POST', 'devices', {}, { deviceId, cameras }), batchContext(), deps);
    assert.equal(res.status, 201, JSON.stringify(res.jsonBody));
    return (res.jsonBody as { secret: string }).secret;
  }

  /** The device as the agent connects: persistent session, subscribed to its commands; records what arrives. */
  async function connectDevice(deviceId: string, secret: string): Promise<{ c: MqttClient; got: string[]; closed: Promise<void> }> {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: deviceId, username: deviceId, password: secret, clean: false, reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(c);
    const got: string[] = [];
    c.on('message', (_t, p) => got.push(p.toString()));
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    await c.subscribeAsync(deviceCommandsFilter(deviceId), { qos: 1 });
    return { c, got, closed };
  }

  async function refused(o: IClientOptions): Promise<void> {
    await assert.rejects(mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...o }).then((c) => c.endAsync(true)), /Bad username or password|Not authorized/i);
  }

  const within = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))]);
  const command = (deviceId: string, id: string) => deps.deviceCommands.send([{ deviceId, cameraId: 'cam1', event: { specversion: '1.0', id, source: '/keepwatch/test', type: 'command.test', time: new Date().toISOString(), data: {} } }]);
  const request = (method: string, url: string, params: Record<string, string>, body?: unknown) =>
    new HttpRequest({ method, url: `http://localhost/api/${url}`, params, ...(body === undefined ? {} : { body: { string: JSON.stringify(body) } }) });

  it('rotation closes the connection made with the old secret at once; the old secret cannot come back; the new one gets the commands sent after', async () => {
    const secret = await provision('dev-r', ['cam-r']);
    const old = await connectDevice('dev-r', secret);
    const res = await deviceSecretRotate(request('POST', 'devices/dev-r/secret', { deviceId: 'dev-r' }), batchContext(), deps);
    assert.equal(res.status, 200);
    const fresh = (res.jsonBody as { secret: string }).secret;
    await within(old.closed, 5000, 'the old connection closed');
    await command('dev-r', 'cmd-after-rotation');
    await refused({ clientId: 'dev-r', username: 'dev-r', password: secret });
    const renewed = await connectDevice('dev-r', fresh);
    await until('the command sent after the rotation reached the new connection', 5000, () => renewed.got.some((g) => g.includes('cmd-after-rotation')));
    assert.deepEqual(old.got, [], 'the old connection received nothing after the rotation');
  });

  it('revocation closes the connection, refuses it since, and drops its session: a command sent after reaches no one', async () => {
    const secret = await provision('dev-v', ['cam-v']);
    const old = await connectDevice('dev-v', secret);
    const res = await deviceDelete(request('DELETE', 'devices/dev-v', { deviceId: 'dev-v' }), batchContext(), deps);
    assert.equal(res.status, 204);
    await within(old.closed, 5000, 'the connection closed');
    await command('dev-v', 'cmd-after-revocation');
    await refused({ clientId: 'dev-v', username: 'dev-v', password: secret });
    // The id provisioned again (a new device): nothing queued for the revoked one reaches it.
    const again = await provision('dev-v', ['cam-v']);
    const next = await connectDevice('dev-v', again);
    await command('dev-v', 'cmd-for-the-new-device');
    await until('the new device got its own command', 5000, () => next.got.some((g) => g.includes('cmd-for-the-new-device')));
    assert.ok(!next.got.some((g) => g.includes('cmd-after-revocation')), 'the revoked session was dropped, not handed on');
    assert.deepEqual(old.got, []);
  });

  it('a CONNECT checked against the old secret while the rotation happened is closed as soon as it is ready', async () => {
    const secret = await provision('dev-x', ['cam-x']);
    let release!: () => void;
    let read!: () => void;
    const recordRead = new Promise<void>((r) => (read = r));
    storeGate = { read, gate: new Promise<void>((r) => (release = r)) };
    const pending = mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'dev-x', username: 'dev-x', password: secret, reconnectPeriod: 0, connectTimeout: 5000 });
    await recordRead; // the broker holds the record with the old secret's hash
    storeGate = undefined;
    const res = await deviceSecretRotate(request('POST', 'devices/dev-x/secret', { deviceId: 'dev-x' }), batchContext(), deps);
    assert.equal(res.status, 200);
    release();
    const late = await pending; // admitted: its secret matched the record read before the rotation...
    clients.push(late);
    const closed = new Promise<void>((resolve) => (late.connected ? late.once('close', () => resolve()) : resolve()));
    await within(closed, 5000, 'the late connection closed'); // ...and closed as soon as it was ready
  });

  it("an activate command carries the camera's credentials sealed: not on the wire, not for an old secret; the device's own secret opens them", async () => {
    const secret = await provision('dev-p', ['lobby']);
    const observer = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'observer', ...CLOUD, reconnectPeriod: 0 });
    clients.push(observer);
    const wire: string[] = [];
    observer.on('message', (_t, p) => wire.push(p.toString()));
    await observer.subscribeAsync('keepwatch/+/commands/#', { qos: 1 });
    const dev = await connectDevice('dev-p', secret);
    const ok = async (p: Promise<{ status?: number; jsonBody?: unknown }>, status: number) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.jsonBody));
    };
    await ok(pipelineTopologyPut(request('PUT', 'devices/dev-p/pipelineTopologies/CVRToVideoSink', { deviceId: 'dev-p', name: 'CVRToVideoSink' }, readTopology('ava-cvr-video-sink')), batchContext(), deps), 201);
    const parameters = [{ name: 'rtspUrl', value: 'rtsp://192.0.2.10:554/stream1' }, { name: 'rtspUserName', value: 'admin' }, { name: 'rtspPassword', value: 'hunter2-camera' }];
    await ok(livePipelinePut(request('PUT', 'devices/dev-p/livePipelines/lobby', { deviceId: 'dev-p', name: 'lobby' }, { properties: { topologyName: 'CVRToVideoSink', parameters } }), batchContext(), deps), 201);
    await ok(livePipelineActivate(request('POST', 'devices/dev-p/livePipelines/lobby/activate', { deviceId: 'dev-p', name: 'lobby' }), batchContext(), deps), 202);
    await until('the device got the activate command', 5000, () => dev.got.length === 1 && wire.length === 1);
    for (const text of [...wire, ...dev.got]) assert.doesNotMatch(text, /hunter2|admin:/, 'no credential in clear on the wire');
    const raw = JSON.parse(dev.got[0]) as Record<string, unknown>;
    const opened = parsePipelineCommand(raw, commandOpener(secret, 'dev-p'));
    assert.ok(opened.kind === 'activate' && JSON.stringify(opened.cameras).includes('hunter2-camera'), 'the device opens its cameras');
    assert.throws(() => parsePipelineCommand(raw), (e: unknown) => e instanceof ValidationError && e.code === 'SealedCommandUnreadable');
    assert.throws(() => parsePipelineCommand(raw, commandOpener(newDeviceSecret(), 'dev-p')), (e: unknown) => e instanceof ValidationError && e.code === 'SealedCommandUnreadable');
    // Rotated: the command sent again (still activating) is sealed to the new secret; the old one cannot open it.
    const rotated = await deviceSecretRotate(request('POST', 'devices/dev-p/secret', { deviceId: 'dev-p' }), batchContext(), deps);
    const fresh = (rotated.jsonBody as { secret: string }).secret;
    await within(dev.closed, 5000, 'the old connection closed');
    await ok(livePipelineActivate(request('POST', 'devices/dev-p/livePipelines/lobby/activate', { deviceId: 'dev-p', name: 'lobby' }), batchContext(), deps), 202);
    await until('the command was sent again', 5000, () => wire.length === 2);
    const again = JSON.parse(wire[1]) as Record<string, unknown>;
    assert.throws(() => parsePipelineCommand(again, commandOpener(secret, 'dev-p')), (e: unknown) => e instanceof ValidationError && e.code === 'SealedCommandUnreadable');
    assert.ok(JSON.stringify(parsePipelineCommand(again, commandOpener(fresh, 'dev-p'))).includes('hunter2-camera'));
    assert.equal(cameraCommandsTopic('dev-p', 'lobby'), 'keepwatch/dev-p/commands/lobby');
  });

  it('a device that is not provisioned gets no credentials in clear: activation refused (409 DeviceNotProvisioned), nothing sent', async () => {
    const wire: string[] = [];
    const observer = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'observer-2', ...CLOUD, reconnectPeriod: 0 });
    clients.push(observer);
    observer.on('message', (_t, p) => wire.push(p.toString()));
    await observer.subscribeAsync('keepwatch/dev-u/commands/#', { qos: 1 });
    await pipelineTopologyPut(request('PUT', 'devices/dev-u/pipelineTopologies/CVRToVideoSink', { deviceId: 'dev-u', name: 'CVRToVideoSink' }, readTopology('ava-cvr-video-sink')), batchContext(), deps);
    const parameters = [{ name: 'rtspUrl', value: 'rtsp://192.0.2.10:554/stream1' }, { name: 'rtspUserName', value: 'admin' }, { name: 'rtspPassword', value: 'hunter2-camera' }];
    assert.equal((await livePipelinePut(request('PUT', 'devices/dev-u/livePipelines/porch', { deviceId: 'dev-u', name: 'porch' }, { properties: { topologyName: 'CVRToVideoSink', parameters } }), batchContext(), deps)).status, 201);
    const res = await livePipelineActivate(request('POST', 'devices/dev-u/livePipelines/porch/activate', { deviceId: 'dev-u', name: 'porch' }), batchContext(), deps);
    assert.equal(res.status, 409);
    assert.equal((res.jsonBody as { error: { code: string } }).error.code, 'DeviceNotProvisioned');
    assert.equal((await deps.pipelines.getPipeline('dev-u', 'porch'))?.state, 'inactive');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(wire, []);
  });
});
