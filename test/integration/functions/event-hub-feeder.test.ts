import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InvocationContext } from '@azure/functions';
import { cameraEventsTopic } from '../../../shared/contracts/topics';
import { MQTT_EVENT_PUBLISHED } from '../../../shared/event-grid-mqtt';
import { resetSettings, settings } from '../../../functions/settings';
import { EventHubFeeder } from '../../../local/event-hub-feeder';
import { silentLogger, type HostLogger } from '../../../local/host-logger';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { segmentEvent, tableRows, TEST_SECRET } from '../../helpers/functions-fixtures';
import { storeClaimedBlobs } from '../../helpers/segment-blob-fixtures';

interface Call {
  messages: Array<Record<string, unknown>>;
  context: InvocationContext;
}

function recorder(behaviour: (call: Call, n: number) => Promise<void> | void = () => {}) {
  const calls: Call[] = [];
  let active = 0;
  let maxActive = 0;
  const handler = async (messages: unknown, context: InvocationContext) => {
    active++;
    maxActive = Math.max(maxActive, active);
    const call = { messages: messages as Array<Record<string, unknown>>, context };
    calls.push(call);
    try {
      await new Promise((r) => setTimeout(r, 5));
      await behaviour(call, calls.length);
    } finally {
      active--;
    }
  };
  return { calls, handler, maxActive: () => maxActive };
}

const publish = (i: number) => ({ topic: 'keepwatch/dev1/events/cam1', payload: Buffer.from(JSON.stringify({ n: i })) });

describe('EventHubFeeder (Event Hubs batch delivery)', () => {
  it('batches up to maxBatchSize, in order, one batch at a time, with consecutive sequence numbers', async () => {
    const r = recorder();
    const feeder = new EventHubFeeder({ handler: r.handler, maxBatchSize: 100, maxWaitMs: 10_000, logger: silentLogger });
    for (let i = 0; i < 250; i++) feeder.push(publish(i));
    await feeder.flush();
    assert.deepEqual(r.calls.map((c) => c.messages.length), [100, 100, 50]);
    assert.equal(r.maxActive(), 1, 'batches of one partition never overlap');
    const all = r.calls.flatMap((c) => c.messages.map((m) => JSON.parse(Buffer.from(String(m.data_base64), 'base64').toString()).n));
    assert.deepEqual(all, Array.from({ length: 250 }, (_, i) => i));
    const seqs = r.calls.flatMap((c) => c.context.triggerMetadata!.sequenceNumberArray as number[]);
    assert.deepEqual(seqs, Array.from({ length: 250 }, (_, i) => i));
    await feeder.close();
  });

  it('delivers a lone message after maxWaitMs without a flush', async () => {
    const r = recorder();
    const feeder = new EventHubFeeder({ handler: r.handler, maxWaitMs: 20, logger: silentLogger });
    feeder.push(publish(1));
    for (let i = 0; i < 200 && r.calls.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.calls.length, 1);
    assert.equal(feeder.pending, 0);
    await feeder.close();
  });

  it('hands the handler Event Grid MQTT CloudEvents and the host cardinality-many trigger metadata', async () => {
    const r = recorder();
    const feeder = new EventHubFeeder({ handler: r.handler, namespace: 'my-ns', eventHubName: 'hub', consumerGroup: 'functions', partitionId: '2', logger: silentLogger });
    const body = { hello: 'world' };
    feeder.push({ authenticationName: 'dev1', topic: 'keepwatch/dev1/events/cam1', payload: Buffer.from(JSON.stringify(body)), payloadFormatIndicator: true });
    feeder.push({ topic: 'keepwatch/dev1/events/cam2', payload: Buffer.from('raw') });
    await feeder.flush();
    const [{ messages, context }] = r.calls;
    assert.equal(messages[0].type, MQTT_EVENT_PUBLISHED);
    assert.equal(messages[0].source, 'my-ns');
    assert.equal(messages[0].subject, 'keepwatch/dev1/events/cam1');
    assert.equal(messages[0].specversion, '1.0');
    assert.deepEqual(messages[0].data, body);
    assert.equal(messages[1].data_base64, Buffer.from('raw').toString('base64'));
    // The routing enrichments (infra/modules/event-grid-mqtt.bicep): the authenticated name and the topic, when known.
    assert.deepEqual([messages[0].kwclient, messages[0].kwtopic], ['dev1', 'keepwatch/dev1/events/cam1']);
    assert.deepEqual([messages[1].kwclient, messages[1].kwtopic], [undefined, undefined]);
    assert.notEqual(messages[0].id, messages[1].id);
    const m = context.triggerMetadata!;
    for (const key of ['enqueuedTimeUtcArray', 'sequenceNumberArray', 'offsetArray', 'partitionKeyArray', 'propertiesArray', 'systemPropertiesArray']) {
      assert.ok(Array.isArray(m[key]) && (m[key] as unknown[]).length === 2, key);
    }
    assert.ok(!Number.isNaN(Date.parse((m.enqueuedTimeUtcArray as string[])[0])));
    const offsets = (m.offsetArray as string[]).map(Number);
    assert.ok(offsets[1] > offsets[0]);
    assert.deepEqual((m.systemPropertiesArray as Array<Record<string, unknown>>)[1].sequenceNumber, (m.sequenceNumberArray as number[])[1]);
    assert.deepEqual(m.partitionContext, { consumerGroup: 'functions', eventHubName: 'hub', fullyQualifiedNamespace: 'my-ns.servicebus.local', partitionId: '2' });
    assert.equal(context.functionName, 'ingest');
    await feeder.close();
  });

  it('retries a failing batch with backoff and a retry context, then moves on after the last retry', async () => {
    const errors: string[] = [];
    const logger: HostLogger = { ...silentLogger, error: (_f, msg) => errors.push(msg) };
    const r = recorder((call) => {
      if (call.messages.some((m) => m.subject === 'keepwatch/dev1/events/poison')) throw new Error('storage down');
    });
    const feeder = new EventHubFeeder({ handler: r.handler, maxBatchSize: 1, maxRetries: 2, retryDelayMs: 5, logger });
    feeder.push({ topic: 'keepwatch/dev1/events/poison', payload: Buffer.from('{}') });
    feeder.push(publish(2));
    await feeder.flush();
    assert.deepEqual(r.calls.map((c) => [c.messages[0].subject, c.context.retryContext?.retryCount ?? 0]), [
      ['keepwatch/dev1/events/poison', 0],
      ['keepwatch/dev1/events/poison', 1],
      ['keepwatch/dev1/events/poison', 2],
      ['keepwatch/dev1/events/cam1', 0],
    ]);
    assert.deepEqual(errors, ['event batch failed after retries; skipped']);
    await feeder.close();
  });

  it('a batch that fails once and then succeeds is delivered again, whole', async () => {
    const r = recorder((_c, n) => {
      if (n === 1) throw new Error('transient');
    });
    const feeder = new EventHubFeeder({ handler: r.handler, retryDelayMs: 1, logger: silentLogger });
    for (let i = 0; i < 3; i++) feeder.push(publish(i));
    await feeder.flush();
    assert.equal(r.calls.length, 2);
    assert.deepEqual(r.calls[1].messages, r.calls[0].messages);
    await feeder.close();
  });

  it('close waits for the batch in flight and refuses further pushes', async () => {
    let finished = false;
    const r = recorder(async () => {
      await new Promise((res) => setTimeout(res, 50));
      finished = true;
    });
    const feeder = new EventHubFeeder({ handler: r.handler, logger: silentLogger });
    feeder.push(publish(1));
    await feeder.close();
    assert.equal(finished, true);
    assert.throws(() => feeder.push(publish(2)), /closed/);
  });

  it('refuses an unknown function name, listing the registered ones', () => {
    assert.throws(() => new EventHubFeeder({ functionName: 'nope', logger: silentLogger }), /no Event Hubs function 'nope'.*ingest/);
  });
});

describe('EventHubFeeder → registered ingest → Azurite', () => {
  let azurite: AzuriteInstance;
  const saved = { ...process.env };
  before(async () => {
    azurite = await startAzurite();
    Object.assign(process.env, {
      KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
      KEEPWATCH_TABLE_PREFIX: 'feed',
      KEEPWATCH_OFFLINE_HORIZON: 'P3650D', // fixed dates
    });
    resetSettings();
  });
  after(async () => {
    await azurite?.stop();
    process.env = saved;
    resetSettings();
  });

  it('indexes what devices publish (MQTT 3 and MQTT 5 shapes) and dead-letters malformed publishes and publishes without an authenticated sender', async () => {
    const feeder = new EventHubFeeder({ logger: silentLogger });
    const t0 = Date.UTC(2026, 10, 21, 8);
    // The blobs the events claim, as the agent uploads them before it publishes (ingest checks them).
    await storeClaimedBlobs(settings(), [0, 10_000, 20_000, 30_000, 40_000].map((d) => segmentEvent({ startMs: t0 + d })));
    const topic = cameraEventsTopic('dev1', 'cam1');
    const authenticationName = 'dev1';
    feeder.push({ authenticationName, topic, payload: Buffer.from(JSON.stringify(segmentEvent({ startMs: t0 }))) }); // MQTT 3.1.1 → data_base64
    feeder.push({ authenticationName, topic, payload: Buffer.from(JSON.stringify(segmentEvent({ startMs: t0 + 10_000 }))), contentType: 'application/json', payloadFormatIndicator: true });
    feeder.push({ authenticationName, topic, payload: Buffer.from(JSON.stringify(segmentEvent({ startMs: t0 + 20_000 }))), contentType: 'application/cloudevents+json', payloadFormatIndicator: true });
    feeder.push({ authenticationName, topic, payload: Buffer.from('{"broken":') });
    feeder.push({ authenticationName, topic: cameraEventsTopic('dev1', 'cam2'), payload: Buffer.from(JSON.stringify(segmentEvent({ startMs: t0 + 30_000 }))) }); // camera mismatch
    feeder.push({ topic, payload: Buffer.from(JSON.stringify(segmentEvent({ startMs: t0 + 40_000 }))) }); // no authenticated name
    await feeder.close();
    const segments = await tableRows(azurite.connectionString, 'feedSegments');
    assert.deepEqual(segments.map((s) => s.rowKey), [String(t0), String(t0 + 10_000), String(t0 + 20_000)]);
    const letters = await tableRows(azurite.connectionString, 'feedDeadLetters');
    assert.deepEqual(letters.map((l) => [l.reasonCode, l.sequenceNumber, l.partitionId]), [
      ['InvalidJson', '3', '0'],
      ['CameraMismatch', '4', '0'],
      ['MissingTransportIdentity', '5', '0'],
    ]);
    const cameras = await tableRows(azurite.connectionString, 'feedCameras');
    assert.deepEqual(cameras.map((c) => [c.partitionKey, c.lastRecordedMs]), [['cam1', t0 + 30_000]]);
  });
});
