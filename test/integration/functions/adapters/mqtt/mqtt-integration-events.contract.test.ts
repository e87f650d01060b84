import { randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import mqtt from 'mqtt';
import { MqttIntegrationEvents } from '../../../../../functions/adapters/mqtt/mqtt-integration-events';
import { startLocalBroker, type LocalBroker } from '../../../../../local/broker';
import { silentLogger } from '../../../../../local/host-logger';
import type { IntegrationEvent } from '../../../../../shared/ports/integration-events';
import { freePort } from '../../../../../testbed/ports';
import { describeIntegrationEventsContract, type IntegrationEventsContractOptions, type IntegrationEventsHarness } from '../../../../helpers/contracts/integration-events';
import { startMosquitto, type Mosquitto } from '../../../../helpers/mosquitto';
import { waitFor } from '../../../../helpers/wait';

/**
 * The IntegrationEvents contract (test/helpers/contracts/integration-events.ts) on MqttIntegrationEvents, against two
 * real brokers: Mosquitto (MQTT 5) and the local stack's aedes broker (local/broker.ts, MQTT 3.1.1, its topic rules
 * for the cloud client). A consumer subscribed to `keepwatch-integration/#` at QoS 1 observes what leaves.
 */
const CLOUD = { username: 'keepwatch-cloud', password: 'cloud-pw' };

/** A fresh sink and a fresh observer (clean session) on the broker at `url`. */
async function harness(url: string, protocolVersion: 4 | 5): Promise<IntegrationEventsHarness> {
  const observer = await mqtt.connectAsync(url, { protocolVersion, clientId: `observer-${randomUUID()}`, ...CLOUD, reconnectPeriod: 0 });
  const received: IntegrationEvent[] = [];
  observer.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString('utf8')) as IntegrationEvent));
  await observer.subscribeAsync('keepwatch-integration/#', { qos: 1 });
  const sink = new MqttIntegrationEvents({ url, ...CLOUD });
  return {
    sink,
    published: (untilId) => waitFor(`event ${untilId} at the observer`, 10_000, () => (received.some((e) => e.id === untilId) ? received.slice() : undefined)),
    close: async () => {
      await sink.close();
      await observer.endAsync();
    },
  };
}

const options: IntegrationEventsContractOptions = {
  order: 'publish',
  republished: 'delivered-again',
  typeNotATopicLevel: 'rejects-call', // the type is the topic's last level
  unreachable: async () => {
    const sink = new MqttIntegrationEvents({ url: `mqtt://127.0.0.1:${await freePort()}`, ...CLOUD, timeoutMs: 1500 });
    return { sink, close: () => sink.close() };
  },
};

describe('MqttIntegrationEvents on Mosquitto (MQTT 5)', () => {
  let broker: Mosquitto;
  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    await broker?.stop();
  });
  describeIntegrationEventsContract('MQTT, Mosquitto', () => harness(broker.url, 5), options);
});

describe('MqttIntegrationEvents on the local broker (aedes, MQTT 3.1.1)', () => {
  let broker: LocalBroker;
  before(async () => {
    broker = await startLocalBroker({ port: 0, devices: {}, cloudClients: { [CLOUD.username]: CLOUD.password }, onMessage: () => {}, logger: silentLogger });
  });
  after(async () => {
    await broker?.close();
  });
  describeIntegrationEventsContract('MQTT, local broker', () => harness(broker.url, 4), options);
});
