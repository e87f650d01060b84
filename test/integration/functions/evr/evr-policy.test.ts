import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { TableIntegrationEvents } from '../../../../functions/adapters/table/table-integration-events';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { startLocalBroker, type LocalBroker } from '../../../../local/broker';
import { recordingApiId } from '../../../../shared/evr/recording-id';
import { parseRecordingPolicy } from '../../../../shared/schemas/recording-policy';
import { TransientError } from '../../../../shared/errors';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { until } from '../../../helpers/wait';
import { evrPolicy, collect, recordedEvent, signalEvent, viaSignalsTopic } from '../../../helpers/evr-fixtures';
import { batchContext, segmentEvent, shuffled, tableRows, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';

const T = Date.UTC(2026, 10, 21, 10);
const CLOUD = { username: 'cloud', password: 'cloud-secret' };

/** The scenario's batches: signal at T, retrigger at T + 9.5 s, the clock moved by segment.recorded events. */
function batches(deviceId: string): unknown[][] {
  const ev = (e: Record<string, unknown>) => viaEventGrid(e);
  return [
    [ev(signalEvent({ id: 'door-open-1', atMs: T, deviceId })), ev(recordedEvent({ deviceId, startMs: T - 10_000 }))],
    [ev(recordedEvent({ deviceId, startMs: T })), ev(segmentEvent({ deviceId, cameraId: 'door', startMs: T - 10_000 }))],
    [ev(signalEvent({ id: 'door-open-2', atMs: T + 9_500, deviceId })), ev(recordedEvent({ deviceId, startMs: T + 10_000 })), ev(segmentEvent({ deviceId, cameraId: 'door', startMs: T }))],
    [ev(recordedEvent({ deviceId, startMs: T + 20_000 })), ev(segmentEvent({ deviceId, cameraId: 'door', startMs: T - 10_000 }))],
  ];
}

describe('EVR policy in ingest (Azurite, local broker)', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  const opened: FunctionsDeps[] = [];
  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({ port: 0, devices: { dev1: 'pw' }, cloudClients: { [CLOUD.username]: CLOUD.password }, onMessage: () => {} });
  });
  after(async () => {
    for (const d of opened) await d.deviceCommands.close();
    await broker?.close();
    await azurite?.stop();
  });

  async function evrDeps(mqttUrl = broker.url): Promise<FunctionsDeps> {
    const s = testSettings(azurite.connectionString, { KEEPWATCH_MQTT_URL: mqttUrl, KEEPWATCH_MQTT_USERNAME: CLOUD.username, KEEPWATCH_MQTT_PASSWORD: CLOUD.password });
    const deps = createDeps(s, { now: () => T + 60_000 });
    // With KEEPWATCH_MQTT_URL set, integration events would go to the broker; these tests read them from the
    // kwEvents table (the sink without a broker), so that sink is used here.
    deps.integrationEvents = new TableIntegrationEvents(TableClient.fromConnectionString(azurite.connectionString, s.tables.events, { allowInsecureConnection: true }));
    opened.push(deps);
    await deps.policies.put('door', parseRecordingPolicy(evrPolicy()), { nowMs: T });
    return deps;
  }

  async function events(deps: FunctionsDeps) {
    return (await tableRows(azurite.connectionString, deps.settings.tables.events)).map((r) => ({ id: String(r.id), type: String(r.type), event: JSON.parse(String(r.event)) as { data: Record<string, unknown> } }));
  }

  it('signal → recording [t − 5 s, t + 10 s), started; retrigger → extended; clock past the end → final command, complete, stopped; available once', async () => {
    const deps = await evrDeps();
    const sub = await collect(broker.url, 'keepwatch/dev1/commands/+', CLOUD);
    const [b1, b2, b3, b4] = batches('dev1');
    const id = recordingApiId('door', 'door-open-1', T - 5000);

    await ingest(b1, batchContext(), deps);
    assert.deepEqual(await deps.recordings.list('door', { startMs: T - 60_000, endMs: T + 60_000 }), [], 'held: the clock (T) has not passed the evaluation window');

    const s2 = await ingest(b2, batchContext(), deps);
    assert.deepEqual(s2.evr, { evrCameras: 1, decisionsApplied: 1, recordingsAvailable: 1 });
    let rec = await deps.recordings.get('door', id);
    assert.deepEqual([rec?.startMs, rec?.endMs, rec?.state, rec?.sequence, rec?.deviceId], [T - 5000, T + 10_000, 'recording', 0, 'dev1']);
    await until('command 0', 5000, () => sub.messages.length >= 1);
    const c0 = sub.messages[0];
    assert.equal(c0.topic, 'keepwatch/dev1/commands/door');
    assert.equal(c0.body.id, `window-${id}-0`);
    assert.deepEqual(c0.body.data, { cameraId: 'door', recordingId: id, start: '2026-11-21T09:59:55.000Z', end: '2026-11-21T10:00:10.000Z', final: false, sequence: 0 });

    await ingest(b3, batchContext(), deps);
    rec = await deps.recordings.get('door', id);
    assert.deepEqual([rec?.endMs, rec?.sequence, rec?.signalCount, rec?.state], [T + 19_500, 1, 2, 'recording']);
    await ingest(b4, batchContext(), deps);
    rec = await deps.recordings.get('door', id);
    assert.deepEqual([rec?.endMs, rec?.sequence, rec?.state], [T + 19_500, 2, 'complete']);
    await until('3 commands', 5000, () => sub.messages.length >= 3);
    assert.deepEqual(
      sub.messages.map((m) => [m.body.id, (m.body.data as { end: string }).end, (m.body.data as { final: boolean }).final]),
      [
        [`window-${id}-0`, '2026-11-21T10:00:10.000Z', false],
        [`window-${id}-1`, '2026-11-21T10:00:19.500Z', false],
        [`window-${id}-2`, '2026-11-21T10:00:19.500Z', true],
      ],
    );
    const evs = await events(deps);
    assert.deepEqual(evs.map((e) => e.id).sort(), [`recording-available-${id}`, `recording-started-${id}`, `recording-stopped-${id}`]);
    const stopped = evs.find((e) => e.type === 'recording.stopped')!;
    assert.deepEqual(stopped.event.data, {
      deviceId: 'dev1', cameraId: 'door', recordingId: id, start: '2026-11-21T09:59:55.000Z', end: '2026-11-21T10:00:19.500Z', reason: 'signal-gate',
      signals: [{ id: 'door-open-1', type: 'door', time: '2026-11-21T10:00:00.000Z' }, { id: 'door-open-2', type: 'door', time: '2026-11-21T10:00:09.500Z' }],
    });
    assert.equal((await deps.gates.get('door'))?.outbox.length, 0, 'outbox cleared');
    await sub.client.endAsync();
  });

  it('the same batches twice, or shuffled, give the same rows, the same command ids and the same events', async () => {
    const twice = await evrDeps();
    const mixed = await evrDeps();
    const subTwice = await collect(broker.url, 'keepwatch/dev-a/commands/+', CLOUD);
    const subMixed = await collect(broker.url, 'keepwatch/dev-b/commands/+', CLOUD);
    for (const b of batches('dev-a')) {
      await ingest(b, batchContext(), twice);
      await ingest(b, batchContext(), twice);
    }
    for (const [i, b] of batches('dev-b').entries()) await ingest(shuffled(b, i + 3), batchContext(), mixed);
    await until('commands', 5000, () => subTwice.messages.length >= 3 && subMixed.messages.length >= 3);
    const ids = (m: typeof subTwice.messages) => m.map((x) => String(x.body.id));
    assert.deepEqual(ids(subTwice.messages), ids(subMixed.messages));
    assert.equal(new Set(ids(subTwice.messages)).size, subTwice.messages.length, 'no command sent twice');
    const rows = async (d: FunctionsDeps) =>
      (await tableRows(azurite.connectionString, d.settings.tables.recordings)).map(({ deviceId: _d, updatedAtMs: _u, createdAtMs: _c, availableAtMs: _a, ...r }) => r);
    assert.deepEqual(await rows(twice), await rows(mixed));
    assert.equal((await rows(twice)).length, 1);
    assert.deepEqual((await events(twice)).map((e) => e.id), (await events(mixed)).map((e) => e.id));
    await subTwice.client.endAsync();
    await subMixed.client.endAsync();
  });

  it('a broker down between the gate write and the outbox flush: the replay after the restart sends every command', async () => {
    const flaky = await startLocalBroker({ port: 0, devices: {}, cloudClients: { [CLOUD.username]: CLOUD.password }, onMessage: () => {} });
    const port = flaky.port;
    const deps = await evrDeps(flaky.url);
    const [b1, b2, b3, b4] = batches('dev1');
    await ingest(b1, batchContext(), deps);
    await flaky.close();
    await assert.rejects(ingest(b2, batchContext(), deps), TransientError);
    const id = recordingApiId('door', 'door-open-1', T - 5000);
    const row = await deps.gates.get('door');
    assert.deepEqual(row?.outbox.map((e) => e.id), [`window-${id}-0`], 'the decision waits in the outbox');
    const restarted = await startLocalBroker({ port, devices: {}, cloudClients: { [CLOUD.username]: CLOUD.password }, onMessage: () => {} });
    try {
      const sub = await collect(restarted.url, 'keepwatch/dev1/commands/+', CLOUD);
      await ingest(b2, batchContext(), deps); // the host's retry replays the batch
      await ingest(b3, batchContext(), deps);
      await ingest(b4, batchContext(), deps);
      await until('3 commands', 5000, () => sub.messages.length >= 3);
      assert.deepEqual(sub.messages.map((m) => m.body.id), [`window-${id}-0`, `window-${id}-1`, `window-${id}-2`]);
      assert.equal((await deps.gates.get('door'))?.outbox.length, 0);
      await sub.client.endAsync();
    } finally {
      await deps.deviceCommands.close();
      await restarted.close();
    }
  });

  it('recording.available is never lost: a sink failure leaves the recording unmarked, and the replayed batch publishes it', async () => {
    const deps = await evrDeps();
    const sink = deps.integrationEvents;
    let failures = 0;
    deps.integrationEvents = {
      publish: async (events) => {
        if (events.some((e) => e.type === 'recording.available') && failures++ === 0) throw new TransientError('integration-event sink unreachable');
        await sink.publish(events);
      },
    };
    const [b1, b2] = batches('dev1');
    const id = recordingApiId('door', 'door-open-1', T - 5000);
    await ingest(b1, batchContext(), deps);
    await assert.rejects(ingest(b2, batchContext(), deps), TransientError);
    assert.equal((await deps.recordings.get('door', id))?.availableAtMs, undefined, 'not marked while its event is unpublished');
    assert.deepEqual((await events(deps)).filter((e) => e.type === 'recording.available'), []);

    const replay = await ingest(b2, batchContext(), deps); // the host's retry
    assert.equal(replay.evr?.recordingsAvailable, 1);
    assert.equal((await deps.recordings.get('door', id))?.availableAtMs, T + 60_000);
    assert.deepEqual((await events(deps)).filter((e) => e.type === 'recording.available').map((e) => e.id), [`recording-available-${id}`]);
    const again = await ingest(b2, batchContext(), deps);
    assert.equal(again.evr?.recordingsAvailable, 0, 'a replay after success publishes nothing');
    assert.equal((await events(deps)).filter((e) => e.type === 'recording.available').length, 1);
  });

  it('malformed external signals are dead-lettered InvalidSignal, the batch goes on, nothing is decided', async () => {
    const deps = await evrDeps();
    const batch = [
      viaSignalsTopic('dev1', 'door', '{"type":"door","colour":"red"}', 'eg-1'),
      viaSignalsTopic('dev1', 'door', '{"time":"2026-11-21T10:00:00.000Z"}', 'eg-2'),
      viaSignalsTopic('dev1', 'door', 'not json', 'eg-3'),
      viaEventGrid(recordedEvent({ startMs: T })),
    ];
    const summary = await ingest(batch, batchContext(), deps);
    assert.deepEqual([summary.accepted, summary.deadLettered], [1, 3]);
    const letters = await tableRows(azurite.connectionString, deps.settings.tables.deadLetters);
    assert.deepEqual(letters.map((l) => l.reasonCode).sort(), ['InvalidJson', 'InvalidSignal', 'InvalidSignal']);
    assert.match(String(letters.find((l) => String(l.reasonMessage).includes('colour'))?.reasonMessage), /colour/);
    assert.deepEqual(await tableRows(azurite.connectionString, deps.settings.tables.recordings), []);
    assert.deepEqual((await deps.gates.get('door'))?.memory.state.pending, [], 'no signal reached the gate');
  });

  it('a valid external signal on the signals topic opens a recording 5 s before its time; a CVR camera stores nothing', async () => {
    const deps = await evrDeps();
    await ingest([viaSignalsTopic('dev1', 'door', JSON.stringify({ type: 'door', time: '2026-11-21T10:00:00.000Z' })), viaEventGrid(recordedEvent({ startMs: T }))], batchContext(), deps);
    const [rec] = await deps.recordings.list('door', { startMs: T - 60_000, endMs: T + 60_000 });
    assert.equal(rec?.startMs, T - 5000);
    assert.match(rec.gateRecordingId, /^mqtt-[0-9a-f]{32}$/);
    await ingest([viaEventGrid(signalEvent({ id: 'cvr-1', atMs: T, cameraId: 'lobby' })), viaEventGrid(recordedEvent({ cameraId: 'lobby', startMs: T }))], batchContext(), deps);
    assert.equal(await deps.gates.get('lobby'), undefined);
    assert.deepEqual(await deps.recordings.list('lobby', { startMs: T - 60_000, endMs: T + 60_000 }), []);
  });

  it('a CVR camera with signal recordings gets the same recordings and events, but no upload-window command (it uploads everything)', async () => {
    const deps = await evrDeps();
    await deps.policies.put('cam-yard', parseRecordingPolicy({ ...evrPolicy(), mode: 'cvr', cvr: { signalRecordings: true }, retention: { archive: 'P1D', recordings: 'P30D' } }), { nowMs: T });
    await deps.policies.put('gate', parseRecordingPolicy(evrPolicy()), { nowMs: T });
    const sub = await collect(broker.url, 'keepwatch/dev1/commands/+', CLOUD);
    // An EVR camera's commands in the same batches prove the broker path works while the CVR one stays silent: a batch
    // runs its cameras in id order ('cam-yard' before 'gate') over one connection, so a cam-yard command would arrive first.
    const ev = (e: Record<string, unknown>) => viaEventGrid(e);
    await ingest([ev(signalEvent({ id: 'yard-motion-1', atMs: T, cameraId: 'cam-yard', type: 'motion' })), ev(signalEvent({ id: 'gate-open-1', atMs: T + 1, cameraId: 'gate' }))], batchContext(), deps);
    await ingest([ev(recordedEvent({ cameraId: 'cam-yard', startMs: T + 20_000 })), ev(recordedEvent({ cameraId: 'gate', startMs: T + 20_000 }))], batchContext(), deps);
    const yard = recordingApiId('cam-yard', 'yard-motion-1', T - 5000);
    const rec = await deps.recordings.get('cam-yard', yard);
    assert.deepEqual([rec?.startMs, rec?.endMs, rec?.state, rec?.signals.map((x) => x.id)], [T - 5000, T + 10_000, 'complete', ['yard-motion-1']]);
    const ids = (await events(deps)).map((e) => e.id);
    assert.ok(ids.includes(`recording-started-${yard}`) && ids.includes(`recording-stopped-${yard}`), ids.join(', '));
    await until('the gate camera\'s commands', 5000, () => sub.messages.filter((m) => m.topic === 'keepwatch/dev1/commands/gate').length >= 2);
    assert.deepEqual(sub.messages.filter((m) => m.topic === 'keepwatch/dev1/commands/cam-yard'), []);
    assert.deepEqual((await deps.gates.get('cam-yard'))?.outbox, []);
    await sub.client.endAsync();
  });
});
