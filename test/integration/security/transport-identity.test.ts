import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import mqtt, { type MqttClient } from 'mqtt';
import { createDeps, type FunctionsDeps } from '../../../functions/deps';
import { ingest } from '../../../functions/ingest/ingest';
import type { FunctionsSettings } from '../../../functions/settings';
import { startLocalBroker, type LocalBroker } from '../../../local/broker';
import { EventHubFeeder } from '../../../local/event-hub-feeder';
import { silentLogger } from '../../../local/host-logger';
import { MQTT_EVENT_PUBLISHED } from '../../../shared/event-grid-mqtt';
import { PIPELINE_STATE } from '../../../shared/contracts/pipeline-state';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { SEGMENT_UPLOADED } from '../../../shared/contracts/device-events';
import { cameraEventsTopic } from '../../../shared/contracts/topics';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { deviceCloudEvent, deviceEventTypes, hasSample, sampleEventData } from '../../helpers/device-event-types';
import { storageSnapshot } from '../../helpers/storage-snapshot';
import { until } from '../../helpers/wait';
import { batchContext, tableRows, testSettings } from '../../helpers/functions-fixtures';

/**
 * docs/security.md "Device identity comes from the transport": a stolen device A cannot speak as device B. Ingest takes
 * device and camera only from the routing enrichments the broker stamps (`kwclient`, `kwtopic`; Event Grid in Azure,
 * local/broker.ts + local/event-hub-feeder.ts here) and dead-letters everything without them. Real components: the
 * aedes broker of the local stack, the Event Hubs feeder, the registered ingest handler, Azurite; B's rows are
 * compared before and after (every table row and blob, with ETags).
 */
/** An hour ago, on a 10 s boundary: device times must be recent (docs/security.md, "Segment times are bounded"). */
const T0 = Math.floor(Date.now() / 10_000) * 10_000 - 3_600_000;
const A = 'dev-a';
const B = 'dev-b';
const PASSWORDS = { [A]: 'secret-of-dev-a', [B]: 'secret-of-dev-b' };
const TYPES = [...deviceEventTypes().filter(hasSample), PIPELINE_STATE];

/** A valid event of every type for B's camera (pipeline.state: a report naming B's camera). */
function eventsOfB(prefix: string, startMs: number): Array<Record<string, unknown>> {
  return TYPES.map((type, i) => {
    const data = type === PIPELINE_STATE ? { pipelineName: 'door', state: 'active', generation: 1, cameraIds: ['cam-b'] } : sampleEventData(type, 'cam-b', startMs + i * 10_000);
    return deviceCloudEvent({ id: `${prefix}-${type}`, type, deviceId: B, data });
  });
}

describe('device identity comes from the transport (routing enrichments), never from the payload', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let feeder: EventHubFeeder;
  let s: FunctionsSettings;
  let deps: FunctionsDeps;
  const clients: MqttClient[] = [];
  let fed = 0;

  before(async () => {
    azurite = await startAzurite();
    s = testSettings(azurite.connectionString);
    deps = createDeps(s);
    await deps.ensureStorage();
    // Both provisioned (docs/devices.md), each for its own camera: A's forgeries name B's own camera, so the camera
    // ownership check (CameraNotOwned) cannot be what stops them.
    await deps.devices.create({ deviceId: A, secretSha256: 'a'.repeat(64), cameras: ['cam-a'], createdAtMs: T0, secretSetAtMs: T0, disabled: false });
    await deps.devices.create({ deviceId: B, secretSha256: 'b'.repeat(64), cameras: ['cam-b'], createdAtMs: T0, secretSetAtMs: T0, disabled: false });
    feeder = new EventHubFeeder({ handler: async (messages, context) => void (await ingest(messages as unknown[], context, deps)), maxWaitMs: 20, logger: silentLogger });
    broker = await startLocalBroker({ port: 0, devices: PASSWORDS, onMessage: (m) => (fed++, feeder.push(m)), logger: silentLogger });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await feeder?.close();
    await broker?.close();
    await azurite?.stop();
  });

  async function connect(deviceId: typeof A | typeof B): Promise<MqttClient> {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: deviceId, username: deviceId, password: PASSWORDS[deviceId], reconnectPeriod: 0 });
    clients.push(c);
    return c;
  }

  /** Everything stored but the dead letters (which a refused message adds by design). */
  async function storageWithoutDeadLetters(): Promise<string[]> {
    return (await storageSnapshot(azurite.connectionString)).filter((l) => !l.startsWith(`row ${s.tables.deadLetters} `));
  }

  it("B's own publishes through the broker carry its authenticated name and are indexed; A's forgeries for B, as Event Grid delivers them in both forms, are all dead-lettered and B's rows stay as they were", async () => {
    // B publishes over MQTT (3.1.1, as the agent does against aedes): the broker authenticated it, the feeder stamps
    // kwclient = dev-b, kwtopic = its topic, ingest indexes every type.
    const b = await connect(B);
    // An event follows its upload: B's segment blob is stored first (the sample's 1000 bytes).
    const honestSegment = eventsOfB('honest', T0).find((e) => e.type === SEGMENT_UPLOADED)!;
    const start = Date.parse(String((honestSegment.data as { start: string }).start));
    assert.equal((honestSegment.data as { blobName: string }).blobName, segmentBlobName('cam-b', start));
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(s.recordingsContainer).getBlockBlobClient(segmentBlobName('cam-b', start)).uploadData(Buffer.alloc(1000));
    for (const e of eventsOfB('honest', T0)) await b.publishAsync(cameraEventsTopic(B, 'cam-b'), JSON.stringify(e), { qos: 1 });
    await until('B published', 10_000, () => fed >= TYPES.length);
    await feeder.flush();
    const segmentsOfB = await tableRows(azurite.connectionString, s.tables.segments);
    assert.deepEqual(segmentsOfB.map((r) => [r.deviceId, r.cameraId]), [[B, 'cam-b']], 'B is indexed through the enrichments');
    assert.equal((await tableRows(azurite.connectionString, s.tables.gaps)).length, 1);
    const lettersBefore = (await tableRows(azurite.connectionString, s.tables.deadLetters)).length;
    const before = await storageWithoutDeadLetters();

    // A's forgeries, each a valid event of B (a fresh id and time, so nothing is a redelivery of B's own):
    const forged = eventsOfB('forged', T0 + 600_000);
    const ownTopic = cameraEventsTopic(A, 'cam-a');
    const bTopic = cameraEventsTopic(B, 'cam-b');
    // 1. Routed form: an MQTT.EventPublished envelope whose subject is B's topic, published by A in structured mode
    //    (MQTT 5 content type application/cloudevents+json) on its own topic, so Event Grid forwards it as it is. A
    //    even sets the enrichment attributes itself.
    for (const e of forged) {
      const envelope = { specversion: '1.0', id: `eg-${String(e.id)}`, time: '2026-11-21T10:10:00.0000000Z', type: MQTT_EVENT_PUBLISHED, source: 'kw-namespace', subject: bTopic, data: e, kwclient: B, kwtopic: bTopic };
      feeder.push({ authenticationName: A, topic: ownTopic, payload: Buffer.from(JSON.stringify(envelope)), contentType: 'application/cloudevents+json' });
    }
    // 2. Unrouted form: B's bare CloudEvent (source /devices/dev-b), published by A in structured mode on its own topic.
    for (const e of forged) feeder.push({ authenticationName: A, topic: ownTopic, payload: Buffer.from(JSON.stringify({ ...e, id: `bare-${String(e.id)}` })), contentType: 'application/cloudevents+json' });
    // 3. Both forms with no enrichments at all: what anyone able to send to the device-events hub (or a namespace
    //    without the enrichments) would deliver.
    const direct = forged.flatMap((e) => [
      { specversion: '1.0', id: `direct-eg-${String(e.id)}`, time: '2026-11-21T10:10:00.0000000Z', type: MQTT_EVENT_PUBLISHED, source: 'kw-namespace', subject: bTopic, data: e },
      { ...e, id: `direct-${String(e.id)}` },
    ]);
    await feeder.flush();
    const summary = await ingest(direct, batchContext(), deps);
    // 4. Over the real broker: A publishes the forged envelope on its own topic (MQTT 3.1.1 payload, so it arrives as
    //    data of an envelope of A's topic) and tries B's topic (refused by the broker, nothing forwarded).
    const a = await connect(A);
    const fedBefore = fed;
    await a.publishAsync(ownTopic, JSON.stringify({ type: MQTT_EVENT_PUBLISHED, subject: bTopic, data: forged[0], kwclient: B, kwtopic: bTopic, specversion: '1.0', id: 'eg-x', source: 'ns', time: '2026-11-21T10:10:00Z' }), { qos: 1 });
    await until('A published', 10_000, () => fed === fedBefore + 1);
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.publish(bTopic, JSON.stringify(forged[0]), { qos: 1 }, () => {});
    await closed; // the broker drops a client that publishes outside its tree
    await feeder.flush();

    assert.deepEqual({ accepted: summary.accepted, deadLettered: summary.deadLettered }, { accepted: 0, deadLettered: direct.length });
    assert.equal(fed, fedBefore + 1, "the broker forwarded nothing A published on B's topic");
    const letters = await tableRows(azurite.connectionString, s.tables.deadLetters);
    assert.equal(letters.length - lettersBefore, 2 * forged.length + direct.length + 1, 'every forgery is one dead letter');
    const codes = new Set(letters.map((l) => String(l.reasonCode)));
    for (const code of ['TopicMismatch', 'DeviceMismatch', 'MissingTransportIdentity']) assert.ok(codes.has(code), `${code} in ${[...codes].join(', ')}`);
    assert.deepEqual(await storageWithoutDeadLetters(), before, "B's rows (and everything else) unchanged");
  });
});
