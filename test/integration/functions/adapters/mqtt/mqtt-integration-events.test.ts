import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { MqttIntegrationEvents } from '../../../../../functions/adapters/mqtt/mqtt-integration-events';
import { createDeps } from '../../../../../functions/deps';
import { TransientError } from '../../../../../shared/errors';
import type { IntegrationEvent } from '../../../../../shared/ports/integration-events';
import { startMosquitto, type Mosquitto } from '../../../../helpers/mosquitto';
import { freePort } from '../../../../../testbed/ports';
import { waitFor } from '../../../../helpers/wait';
import { testSettings } from '../../../../helpers/functions-fixtures';

interface Received {
  topic: string;
  event: IntegrationEvent;
  contentType?: string;
  qos: number;
}

function event(id: string, type: string, subject: string): IntegrationEvent {
  return { specversion: '1.0', id, source: '/keepwatch/evr-policy', type, time: '2026-11-21T10:00:00.000Z', subject, datacontenttype: 'application/json', data: { cameraId: subject, recordingId: id } };
}

describe('MQTT integration events on a real broker (Mosquitto)', () => {
  let broker: Mosquitto;
  let observer: MqttClient;
  const received: Received[] = [];

  before(async () => {
    broker = await startMosquitto();
    observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'integration-observer' });
    observer.on('message', (topic, payload, packet) => {
      received.push({ topic, event: JSON.parse(payload.toString('utf8')) as IntegrationEvent, contentType: packet.properties?.contentType, qos: packet.qos });
    });
    await observer.subscribeAsync('keepwatch-integration/#', { qos: 1 });
  });

  after(async () => {
    await observer?.endAsync();
    await broker?.stop();
  });

  // The events as they leave (whole CloudEvent, order, retries, bad types, an empty call): the IntegrationEvents contract,
  // mqtt-integration-events.contract.test.ts. Here: what only MQTT has, the topic, QoS and content type.
  it('publishes each event on keepwatch-integration/{type}, QoS 1, content type application/cloudevents+json', async () => {
    const sink = new MqttIntegrationEvents({ url: broker.url, username: 'keepwatch-cloud' });
    try {
      const events = [event('e1', 'recording.started', 'cam1'), event('e2', 'recording.available', 'cam1'), event('e3', 'recording.stopped', 'cam1')];
      await sink.publish(events);
      await sink.publish([event('e4', 'recording.started', 'cam2')]); // the same connection again
      const got = await waitFor('four events at the observer', 10_000, () => (received.length >= 4 ? received.slice() : undefined));
      assert.deepEqual(got.map((r) => r.topic), ['keepwatch-integration/recording.started', 'keepwatch-integration/recording.available', 'keepwatch-integration/recording.stopped', 'keepwatch-integration/recording.started']);
      assert.ok(got.every((r) => r.qos === 1 && r.contentType === 'application/cloudevents+json'), JSON.stringify(got.map((r) => [r.qos, r.contentType])));
    } finally {
      await sink.close();
    }
  });

  it('KEEPWATCH_MQTT_URL selects the broker adapter in the composition root', async () => {
    received.length = 0;
    const deps = createDeps(testSettings('UseDevelopmentStorage=true', { KEEPWATCH_MQTT_URL: broker.url }));
    assert.ok(deps.integrationEvents instanceof MqttIntegrationEvents);
    try {
      await deps.integrationEvents.publish([event('e5', 'retention.completed', 'all')]);
      const got = await waitFor('the event at the observer', 10_000, () => received.find((r) => r.event.id === 'e5'));
      assert.equal(got.topic, 'keepwatch-integration/retention.completed');
    } finally {
      await (deps.integrationEvents as MqttIntegrationEvents).close();
    }
  });

  it('connects lazily; an unreachable broker makes publish a TransientError naming the URL, never the password', async () => {
    const port = await freePort();
    const sink = new MqttIntegrationEvents({ url: `mqtt://127.0.0.1:${port}`, username: 'keepwatch-cloud', password: 'secret-pw', timeoutMs: 1500 });
    try {
      await assert.rejects(sink.publish([event('e6', 'recording.started', 'cam1')]), (e: unknown) => e instanceof TransientError && /mqtt:\/\/127\.0\.0\.1:\d+ (failed|did not acknowledge)/.test(e.message) && !e.message.includes('secret-pw'));
    } finally {
      await sink.close();
    }
  });
});

describe('MQTT integration events on an MQTT 3.1.1 broker (aedes, as the local stack runs)', () => {
  it('falls back to MQTT 3.1.1 when the broker refuses MQTT 5, and delivers', async () => {
    const net = await import('node:net');
    const { Aedes } = await import('aedes');
    const broker = await Aedes.createBroker();
    const server = net.createServer((socket) => broker.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
    const observer = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: 'v4-observer' });
    const got: string[] = [];
    observer.on('message', (topic, payload) => got.push(`${topic} ${(JSON.parse(payload.toString('utf8')) as IntegrationEvent).id}`));
    await observer.subscribeAsync('keepwatch-integration/#', { qos: 1 });
    const sink = new MqttIntegrationEvents({ url, username: 'keepwatch-cloud' });
    try {
      await sink.publish([event('v4-1', 'recording.started', 'cam1')]);
      await waitFor('the event at the 3.1.1 observer', 10_000, () => (got.length ? got : undefined));
      assert.deepEqual(got, ['keepwatch-integration/recording.started v4-1']);
    } finally {
      await sink.close();
      await observer.endAsync();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    }
  });
});
