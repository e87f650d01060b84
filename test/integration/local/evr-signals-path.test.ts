import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { createDeps, type FunctionsDeps } from '../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../helpers/segment-blob-fixtures';
import { startLocalBroker, topicMatches, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { EventHubFeeder } from '../../../local/event-hub-feeder';
import { silentLogger } from '../../../local/host-logger';
import { parseRecordingPolicy } from '../../../shared/schemas/recording-policy';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { until, waitFor } from '../../helpers/wait';
import { collect, evrPolicy, recordedEvent } from '../../helpers/evr-fixtures';
import { testSettings } from '../../helpers/functions-fixtures';

const T = Date.UTC(2026, 11, 2, 9);
const CLOUD = { username: 'keepwatch-cloud', password: 'cloud-pw' };
const SENSOR = { username: 'door-sensor', password: 'sensor-pw' };

describe('EVR signals on the local stack path: local/broker.ts → EventHubFeeder → ingest', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let feeder: EventHubFeeder;
  let deps: FunctionsDeps;
  const fed: BrokerMessage[] = [];
  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({
      port: 0,
      devices: { dev1: 'dev-pw' },
      signalPublishers: { [SENSOR.username]: { password: SENSOR.password, topics: ['keepwatch/dev1/signals/door'] } },
      cloudClients: { [CLOUD.username]: CLOUD.password },
      onMessage: (m) => {
        fed.push(m);
        feeder.push(m);
      },
    });
    deps = createDeps(testSettings(azurite.connectionString, { KEEPWATCH_MQTT_URL: broker.url, KEEPWATCH_MQTT_USERNAME: CLOUD.username, KEEPWATCH_MQTT_PASSWORD: CLOUD.password }));
    feeder = new EventHubFeeder({ handler: async (messages, context) => void (await ingest(messages as unknown[], context, deps)), maxWaitMs: 20, logger: silentLogger });
    await deps.policies.put('door', parseRecordingPolicy(evrPolicy()), { nowMs: T });
  });
  after(async () => {
    await feeder?.close();
    await deps?.deviceCommands.close();
    await broker?.close();
    await azurite?.stop();
  });

  it('topic filters match + and # as MQTT does', () => {
    assert.equal(topicMatches('keepwatch/+/signals/door', 'keepwatch/dev1/signals/door'), true);
    assert.equal(topicMatches('keepwatch/dev1/#', 'keepwatch/dev1/signals/door'), true);
    assert.equal(topicMatches('keepwatch/dev1/signals/door', 'keepwatch/dev1/signals/gate'), false);
    assert.equal(topicMatches('keepwatch/dev1/signals', 'keepwatch/dev1/signals/door'), false);
  });

  it('a door sensor publishes over MQTT; the recording starts 5 s before its signal and the device gets the window', async () => {
    const commands = await collect(broker.url, 'keepwatch/dev1/commands/+', CLOUD);
    const sensor = await mqtt.connectAsync(broker.url, { ...SENSOR, reconnectPeriod: 0 });
    const device = await mqtt.connectAsync(broker.url, { clientId: 'dev1', username: 'dev1', password: 'dev-pw', reconnectPeriod: 0 });
    try {
      await sensor.publishAsync('keepwatch/dev1/signals/door', JSON.stringify({ type: 'door', time: new Date(T).toISOString(), properties: { state: 'open' } }), { qos: 1 });
      await until('signal fed', 5000, () => fed.some((m) => m.topic === 'keepwatch/dev1/signals/door'));
      await feeder.flush();
      for (const startMs of [T - 10_000, T]) await device.publishAsync('keepwatch/dev1/events/door', JSON.stringify(recordedEvent({ deviceId: 'dev1', startMs })), { qos: 1 });
      const rec = await waitFor('recording row', 10_000, async () => (await deps.recordings.list('door', { startMs: T - 60_000, endMs: T + 60_000 }))[0]);
      assert.deepEqual([rec.startMs, rec.endMs, rec.deviceId, rec.signals[0]?.type], [T - 5000, T + 10_000, 'dev1', 'door']);
      await until('command', 5000, () => commands.messages.length >= 1);
      assert.equal((commands.messages[0].body.data as { start: string }).start, new Date(T - 5000).toISOString());
      assert.equal(fed.filter((m) => m.topic.includes('/commands/')).length, 0, "the cloud's own commands are not fed back as device events");
    } finally {
      await sensor.endAsync();
      await device.endAsync();
      await commands.client.endAsync();
    }
  });

  it('a signal publisher may publish only its granted signals topics; a device only its own tree, never commands', async () => {
    const before = fed.length;
    const sensor = await mqtt.connectAsync(broker.url, { ...SENSOR, reconnectPeriod: 0 });
    sensor.on('error', () => {});
    await sensor.publishAsync('keepwatch/dev1/signals/gate', '{"type":"door"}', { qos: 0 }).catch(() => {});
    const device = await mqtt.connectAsync(broker.url, { clientId: 'dev1', username: 'dev1', password: 'dev-pw', reconnectPeriod: 0 });
    device.on('error', () => {});
    await device.publishAsync('keepwatch/dev1/signals/door', '{"type":"motion-ext"}', { qos: 0 }); // its own signals topic: allowed
    await device.publishAsync('keepwatch/dev1/commands/door', '{}', { qos: 0 }).catch(() => {});
    await until('own signal fed', 5000, () => fed.slice(before).some((m) => m.topic === 'keepwatch/dev1/signals/door'));
    await feeder.flush();
    assert.deepEqual(fed.slice(before).map((m) => m.topic), ['keepwatch/dev1/signals/door']);
    await assert.rejects(mqtt.connectAsync(broker.url, { username: SENSOR.username, password: 'wrong', reconnectPeriod: 0 }));
    await sensor.endAsync(true);
    await device.endAsync(true);
  });
});
