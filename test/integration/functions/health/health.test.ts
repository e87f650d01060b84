import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InvocationContext } from '@azure/functions';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { camerasList } from '../../../../functions/cameras/cameras-list';
import { healthSweep } from '../../../../functions/health/health-sweep';
import { CAMERA_OFFLINE_AFTER_MS, DEVICE_SILENCE_MS, type CameraHealth } from '../../../../shared/contracts/camera-health';
import type { DeviceStatus } from '../../../../shared/contracts/device-status';
import { routeMqttPublish } from '../../../../shared/event-grid-mqtt';
import { HttpRequest } from '@azure/functions';
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, gapEvent, segmentEvent, tableRows, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';

/**
 * Camera and device health on Azurite: device status messages in the exact shape Event Grid routes them to Event Hubs
 * (shared/event-grid-mqtt.ts `routeMqttPublish`, with the routing enrichments), through `ingest`, then the
 * `health-sweep` timer on a clock the test moves; the integration events land in the `kwEvents` table (the sink with
 * no hub and no broker configured).
 */
describe('camera health: ingest and the health sweep on Azurite', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  /** A fresh set of tables (a new prefix) and a clock the test moves. */
  function setup(): { deps: FunctionsDeps; clock: { ms: number }; events(): Promise<Array<{ type: string; subject: string; data: Record<string, unknown> }>> } {
    const s = testSettings(azurite.connectionString, { KEEPWATCH_TABLE_PREFIX: `h${randomUUID().slice(0, 8)}` });
    const clock = { ms: Date.now() };
    const deps = createDeps(s, { now: () => clock.ms });
    const events = async () =>
      (await tableRows(azurite.connectionString, s.tables.events))
        .map((r) => JSON.parse(String(r.event)) as { type: string; subject: string; time: string; data: Record<string, unknown> })
        // Health events only: the archive lifecycle events of the segments ingested here are docs/events.md "Archive lifecycle".
        .filter((e) => e.data.kind !== 'archive')
        // In the order they were decided; events decided together (one time) by type.
        .sort((a, b) => a.time.localeCompare(b.time) || a.type.localeCompare(b.type));
    return { deps, clock, events };
  }

  /** A status publish of `client` on `keepwatch/{deviceId}/status`, routed as Event Grid does, received at `atMs`. */
  function status(deviceId: string, payload: Pick<DeviceStatus, 'state' | 'cameras'>, atMs: number, client = deviceId): Record<string, unknown> {
    const body: DeviceStatus = { deviceId, time: new Date(atMs).toISOString(), ...payload };
    return routeMqttPublish({ authenticationName: client, topic: `keepwatch/${deviceId}/status`, payload: Buffer.from(JSON.stringify(body)) }, { namespace: 'kw-ns', id: randomUUID(), timeMs: atMs });
  }

  const iso = (ms: number) => new Date(ms).toISOString();
  const sweep = (deps: FunctionsDeps) => healthSweep(undefined, new InvocationContext({ functionName: 'health-sweep' }), deps);
  async function listed(deps: FunctionsDeps): Promise<Record<string, CameraHealth>> {
    const res = await camerasList(new HttpRequest({ method: 'GET', url: 'http://localhost/api/cameras' }), new InvocationContext(), deps);
    assert.equal(res.status, 200);
    return Object.fromEntries((res.jsonBody as { cameras: Array<{ id: string; health: CameraHealth }> }).cameras.map((c) => [c.id, c.health]));
  }

  it('a failing camera is reconnecting, then offline with its cause after the grace (the sweep), online again when it records', async () => {
    const { deps, clock, events } = setup();
    const t0 = clock.ms;
    await ingest([viaEventGrid(segmentEvent({ startMs: t0 - 20_000 })), status('dev1', { state: 'online', cameras: { cam1: { state: 'recording', since: iso(t0 - 20_000) } } }, t0)], batchContext(), deps);
    assert.deepEqual((await events()).map((e) => `${e.type} ${e.subject}`), ['camera.online cam1', 'device.online dev1']);
    assert.equal((await listed(deps)).cam1.state, 'recording');

    clock.ms = t0 + 2000;
    const failing = { state: 'not-recording' as const, since: iso(t0 + 1500), cause: 'connection-refused' as const, message: 'connection refused by 192.168.1.20:554', retryAt: iso(t0 + 3500) };
    await ingest([status('dev1', { state: 'online', cameras: { cam1: failing } }, t0 + 2000)], batchContext(), deps);
    assert.deepEqual(await listed(deps), { cam1: { state: 'reconnecting', since: failing.since, cause: 'connection-refused', message: failing.message, retryAt: failing.retryAt, lastHeard: iso(t0 + 2000) } });
    clock.ms = t0 + 2000 + CAMERA_OFFLINE_AFTER_MS - 1;
    assert.equal(await sweep(deps), 0, 'nothing to announce within the grace');
    clock.ms = t0 + 2000 + CAMERA_OFFLINE_AFTER_MS;
    assert.equal(await sweep(deps), 1);
    assert.equal(await sweep(deps), 0, 'announced once');
    const offline = (await events()).filter((e) => e.type === 'camera.offline');
    assert.deepEqual(offline.map((e) => e.data), [{ deviceId: 'dev1', cameraId: 'cam1', since: failing.since, cause: 'connection-refused', message: failing.message }]);
    assert.deepEqual([(await listed(deps)).cam1.state, (await listed(deps)).cam1.cause], ['offline', 'connection-refused']);

    clock.ms = t0 + 30_000;
    await ingest([status('dev1', { state: 'online', cameras: { cam1: { state: 'recording', since: iso(t0 + 29_000) } } }, t0 + 30_000)], batchContext(), deps);
    assert.deepEqual((await events()).map((e) => e.type).slice(-1), ['camera.online']);
    assert.equal((await listed(deps)).cam1.state, 'recording');
  });

  it('a device whose heartbeats stop, with no last will, is announced offline (device-silent) by the sweep', async () => {
    const { deps, clock, events } = setup();
    const t0 = clock.ms;
    await ingest([viaEventGrid(segmentEvent({ startMs: t0 - 20_000 })), status('dev1', { state: 'online', cameras: { cam1: { state: 'recording', since: iso(t0 - 20_000) } } }, t0)], batchContext(), deps);
    clock.ms = t0 + DEVICE_SILENCE_MS;
    assert.equal(await sweep(deps), 0);
    clock.ms = t0 + DEVICE_SILENCE_MS + 1;
    assert.equal(await sweep(deps), 2);
    const [camera, device] = (await events()).filter((e) => e.type.endsWith('.offline'));
    assert.deepEqual(device.data, { deviceId: 'dev1', since: iso(t0), cause: 'device-silent', cameraIds: ['cam1'] });
    assert.deepEqual(camera.data, { deviceId: 'dev1', cameraId: 'cam1', since: iso(t0), cause: 'device-silent' });
    assert.deepEqual((await listed(deps)).cam1, { state: 'offline', since: iso(t0), cause: 'device-silent', lastHeard: iso(t0) });
    // Back: a new online period, a new device.online.
    clock.ms = t0 + 60_000;
    await ingest([status('dev1', { state: 'online', cameras: { cam1: { state: 'recording', since: iso(t0 - 20_000) } } }, t0 + 60_000)], batchContext(), deps);
    const last = (await events()).slice(-2).map((e) => `${e.type} ${String(e.data.since)}`);
    assert.deepEqual(last, [`camera.online ${iso(t0 - 20_000)}`, `device.online ${iso(t0 + 60_000)}`]);
    const onlineIds = (await events()).filter((e) => e.type === 'camera.online').map((e) => (e as unknown as { id: string }).id);
    assert.equal(new Set(onlineIds).size, 2, `the camera recorded through the outage: its second camera.online is not a duplicate of the first (${onlineIds.join(', ')})`);
  });

  it("a device cannot speak for another device's camera: not by its status, not when provisioned for others, and a revoked device's camera is disabled", async () => {
    const { deps, clock, events } = setup();
    const t0 = clock.ms;
    await deps.devices.create({ deviceId: 'dev2', secretSha256: 'b'.repeat(64), cameras: ['cam2'], createdAtMs: t0, secretSetAtMs: t0, disabled: false });
    // cam1 records on dev1, which says it is failing; dev2 claims cam1 records fine (and cam2, its own).
    await ingest(
      [
        viaEventGrid(segmentEvent({ startMs: t0 - 20_000 })),
        viaEventGrid(segmentEvent({ startMs: t0 - 20_000, cameraId: 'cam2', deviceId: 'dev2' })),
        status('dev1', { state: 'online', cameras: { cam1: { state: 'not-recording', since: iso(t0 - 1000), cause: 'unauthorized' } } }, t0),
        status('dev2', { state: 'online', cameras: { cam1: { state: 'recording', since: iso(t0) }, cam2: { state: 'recording', since: iso(t0) } } }, t0),
      ],
      batchContext(),
      deps,
    );
    const health = await listed(deps);
    assert.deepEqual([health.cam1.state, health.cam1.cause], ['reconnecting', 'unauthorized'], 'cam1 as its own device says');
    assert.equal(health.cam2.state, 'recording');
    assert.ok(!(await events()).some((e) => e.subject === 'cam1' && e.type === 'camera.online'), 'no camera.online of cam1 from dev2');
    const dev2Rows = (await tableRows(azurite.connectionString, deps.settings.tables.health)).filter((r) => r.partitionKey === 'dev2').map((r) => r.rowKey);
    assert.deepEqual(dev2Rows, ['camera-cam2', 'device'], "dev2 keeps no row about a camera it is not provisioned for");
    // A status sent by dev1 on dev2's topic is not dev2's (ingest ignores it as a DeviceMismatch: dead-lettered).
    const summary = await ingest([status('dev2', { state: 'offline' }, t0 + 1000, 'dev1')], batchContext(), deps);
    assert.equal(summary.deadLettered, 1);
    assert.equal((await listed(deps)).cam2.state, 'recording');
    await deps.devices.revoke('dev2');
    assert.deepEqual((await listed(deps)).cam2, { state: 'disabled' });
  });

  it('gap events are stored and forwarded to integrations as camera.gap (same id), once per event id', async () => {
    const { deps, clock, events } = setup();
    const t0 = clock.ms;
    const gap = gapEvent({ startMs: t0 - 60_000, endMs: t0 - 30_000 });
    await ingest([viaEventGrid(gap), viaEventGrid(gap)], batchContext(), deps);
    const forwarded = (await events()).filter((e) => e.type === 'camera.gap');
    assert.deepEqual(forwarded, [
      {
        specversion: '1.0',
        id: `gap-cam1-${t0 - 60_000}`,
        source: '/keepwatch/ingest',
        type: 'camera.gap',
        time: iso(t0 - 30_000),
        subject: 'cam1',
        datacontenttype: 'application/json',
        data: { deviceId: 'dev1', cameraId: 'cam1', start: iso(t0 - 60_000), end: iso(t0 - 30_000), cause: 'camera-unavailable' },
      },
    ]);
    assert.equal((await tableRows(azurite.connectionString, deps.settings.tables.gaps)).length, 1, 'and stored');
  });
});
