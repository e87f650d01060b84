import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { TransientError } from '../../shared/errors';
import type { IntegrationEvent, IntegrationEvents } from '../../shared/ports/integration-events';
import { integrationEventsTopic } from '../../shared/topics';
import { CLOUDEVENTS_JSON } from './event-hub-integration-events';

/** How long one publish call waits for the broker (connect and every PUBACK), ms. */
export const MQTT_PUBLISH_TIMEOUT_MS = 10_000;

/** Options of {@link MqttIntegrationEvents}; from the settings `KEEPWATCH_MQTT_URL`, `_USERNAME`, `_PASSWORD`. */
export interface MqttIntegrationEventsOptions {
  /** `mqtt://host:port` or `mqtts://host:port` */
  url: string;
  username: string;
  /** Secret: never logged. */
  password?: string;
  /** Wait for the broker per publish call, ms; default {@link MQTT_PUBLISH_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * Integration events published on the cloud's MQTT broker, the local stand-in for the integration Event Hub: each
 * event on `keepwatch-integration/{type}` (shared/topics.ts `integrationEventsTopic`), payload the CloudEvent JSON,
 * QoS 1, MQTT 5 content type `application/cloudevents+json` (MQTT 3.1.1 brokers: no content type). Connects on the first publish (lazy), then stays
 * connected; after a lost connection the next publish connects again (no reconnect timer in the background, so a host
 * whose broker went away can still exit). Events are published one after another, so the broker forwards them in
 * order (MQTT orders QoS 1 messages of one topic from one client).
 */
export class MqttIntegrationEvents implements IntegrationEvents {
  private client: MqttClient | undefined;
  /** MQTT 5 first; 4 (3.1.1) after a broker refused 5, as the local stack's aedes does (local/broker.ts). */
  private protocolVersion: 4 | 5 = 5;

  constructor(private readonly opts: MqttIntegrationEventsOptions) {}

  /** @throws TransientError when the broker is unreachable or does not acknowledge within the timeout */
  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    if (events.length === 0) return;
    const topics = events.map((e) => integrationEventsTopic(e.type)); // a bad type throws before anything is sent
    const timeoutMs = this.opts.timeoutMs ?? MQTT_PUBLISH_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientError(`MQTT broker ${this.redactedUrl()} did not acknowledge integration events within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([
        (async () => {
          const client = await this.connect();
          for (let i = 0; i < events.length; i++) {
            const properties = this.protocolVersion === 5 ? { properties: { contentType: CLOUDEVENTS_JSON, payloadFormatIndicator: true } } : {};
            await client.publishAsync(topics[i], JSON.stringify(events[i]), { qos: 1, ...properties });
          }
        })(),
        timeout,
      ]);
    } catch (err) {
      if (err instanceof TransientError) throw err;
      throw new TransientError(`publishing integration events on ${this.redactedUrl()} failed: ${(err as Error)?.message ?? String(err)}`, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects (process shutdown, tests), dropping what is not yet acknowledged; a later publish connects again. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.endAsync(true);
  }

  /**
   * The client, connected; created on first use, and again when the previous one lost its connection. A broker that
   * refuses MQTT 5 (CONNACK 1 "unacceptable protocol version" of 3.1.1, or reason 132 of MQTT 5) is asked again with
   * MQTT 3.1.1, without the content-type property.
   */
  private async connect(): Promise<MqttClient> {
    try {
      return await this.connectOnce();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (this.protocolVersion !== 5 || (code !== 1 && code !== 132)) throw err;
      await this.close();
      this.protocolVersion = 4;
      return this.connectOnce();
    }
  }

  private connectOnce(): Promise<MqttClient> {
    if (this.client && (this.client.disconnected || this.client.disconnecting)) {
      this.client.end(true);
      this.client = undefined;
    }
    if (!this.client) {
      this.client = mqtt.connect(this.opts.url, {
        protocolVersion: this.protocolVersion,
        clientId: `keepwatch-cloud-events-${randomBytes(4).toString('hex')}`,
        username: this.opts.username,
        password: this.opts.password,
        clean: true,
        reconnectPeriod: 0,
      });
      this.client.on('error', () => {}); // surfaced by the publish that waits for the connection; an unhandled 'error' would crash the host
    }
    const client = this.client;
    if (client.connected) return Promise.resolve(client);
    return new Promise<MqttClient>((resolve, reject) => {
      const done = (err?: Error) => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        if (err) reject(err);
        else resolve(client);
      };
      const onConnect = () => done();
      const onError = (err: Error) => done(err);
      const onClose = () => done(new Error('connection closed before CONNACK'));
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
  }

  private redactedUrl(): string {
    const u = new URL(this.opts.url);
    return `${u.protocol}//${u.host}`;
  }
}
