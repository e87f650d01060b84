import { CloudMqtt, type CloudMqttOptions } from './cloud-mqtt';
import type { IntegrationEvent, IntegrationEvents } from '../../../shared/ports/integration-events';
import { integrationEventsTopic } from '../../../shared/contracts/topics';
import { CLOUDEVENTS_JSON } from '../eventhub/event-hub-integration-events';

export { MQTT_PUBLISH_TIMEOUT_MS } from './cloud-mqtt';

/** Options of {@link MqttIntegrationEvents}; from the settings `KEEPWATCH_MQTT_URL`, `_USERNAME`, `_PASSWORD`. */
export type MqttIntegrationEventsOptions = CloudMqttOptions;

/**
 * Integration events published on the cloud's MQTT broker, the local stand-in for the integration Event Hub: each
 * event on `keepwatch-integration/{type}` (shared/contracts/topics.ts `integrationEventsTopic`), payload the CloudEvent JSON,
 * QoS 1, MQTT 5 content type `application/cloudevents+json` (MQTT 3.1.1 brokers: no content type), through the
 * functions' one broker connection (functions/adapters/mqtt/cloud-mqtt.ts). Events are published one after another, so the
 * broker forwards them in order (MQTT orders QoS 1 messages of one topic from one client).
 */
export class MqttIntegrationEvents implements IntegrationEvents {
  private readonly mqtt: CloudMqtt;

  /** @param connection the functions' shared broker connection (functions/deps.ts), or options for one of its own */
  constructor(connection: CloudMqtt | MqttIntegrationEventsOptions) {
    this.mqtt = connection instanceof CloudMqtt ? connection : new CloudMqtt(connection);
  }

  /** @throws TransientError when the broker is unreachable or does not acknowledge within the timeout */
  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    if (events.length === 0) return;
    const messages = events.map((e) => ({ topic: integrationEventsTopic(e.type), payload: JSON.stringify(e), contentType: CLOUDEVENTS_JSON })); // a bad type throws before anything is sent
    await this.mqtt.publish(messages, 'integration events');
  }

  /** Disconnects (process shutdown, tests), dropping what is not yet acknowledged; a later publish connects again. */
  async close(): Promise<void> {
    await this.mqtt.close();
  }
}
