import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { TransientError } from '../../shared/errors';

/** How long one publish call waits for the broker (connect and every PUBACK), ms. */
export const MQTT_PUBLISH_TIMEOUT_MS = 10_000;

/** Options of {@link CloudMqtt}; from the settings `KEEPWATCH_MQTT_URL`, `_USERNAME`, `_PASSWORD`. */
export interface CloudMqttOptions {
  /** `mqtt://host:port` or `mqtts://host:port` */
  url: string;
  username: string;
  /** Secret: never logged. */
  password?: string;
  /** Wait for the broker per publish call, ms; default {@link MQTT_PUBLISH_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** One message to publish at QoS 1. */
export interface CloudMqttMessage {
  topic: string;
  payload: string;
  /** MQTT 5 content type (left out on MQTT 3.1.1). */
  contentType?: string;
}

/**
 * The functions' one MQTT connection to the cloud's broker (device commands, and locally the integration events):
 * connects on the first publish (lazy), MQTT 5 first and 3.1.1 when the broker refuses 5 (the local stack's aedes);
 * publishes QoS 1 one message after another and waits for each PUBACK, so one topic's messages keep their order. No
 * reconnect timer in the background: after a lost connection the next publish connects again, so a host whose broker
 * went away can still exit, and a broker that cannot be reached, or does not acknowledge within the timeout, makes the
 * publish throw TransientError (the caller's retry or outbox sends it again).
 */
export class CloudMqtt {
  private client: MqttClient | undefined;
  private connecting: Promise<MqttClient> | undefined;
  private version: 4 | 5 = 5;

  constructor(private readonly o: CloudMqttOptions) {}

  /** The protocol of the current (or next) connection: 5, or 4 after the broker refused 5. */
  get protocolVersion(): 4 | 5 {
    return this.version;
  }

  /**
   * Publishes the messages in order, QoS 1.
   * @param what names them in errors, e.g. `integration events`
   * @throws TransientError when the broker is unreachable or does not acknowledge within the timeout
   */
  async publish(messages: readonly CloudMqttMessage[], what: string): Promise<void> {
    if (!messages.length) return;
    const timeoutMs = this.o.timeoutMs ?? MQTT_PUBLISH_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientError(`MQTT broker ${this.redactedUrl()} did not acknowledge ${what} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([
        (async () => {
          const client = await this.connect();
          for (const m of messages) {
            const properties = this.version === 5 && m.contentType ? { properties: { contentType: m.contentType, payloadFormatIndicator: true } } : {};
            await client.publishAsync(m.topic, m.payload, { qos: 1, ...properties });
          }
        })(),
        timeout,
      ]);
    } catch (err) {
      await this.close();
      if (err instanceof TransientError) throw err;
      throw new TransientError(`publishing ${what} on ${this.redactedUrl()} failed: ${(err as Error)?.message ?? String(err)}`, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects (process shutdown, tests), dropping what is not yet acknowledged; a later publish connects again. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch(() => {});
  }

  private async connect(): Promise<MqttClient> {
    if (this.client?.connected) return this.client;
    if (this.client) await this.close();
    this.connecting ??= (async () => {
      try {
        try {
          return await this.connectOnce();
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (this.version !== 5 || (code !== 1 && code !== 132)) throw err;
          this.version = 4; // CONNACK 1 (3.1.1 "unacceptable protocol version") or reason 132 (MQTT 5)
          return await this.connectOnce();
        }
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async connectOnce(): Promise<MqttClient> {
    const client = await mqtt.connectAsync(this.o.url, {
      protocolVersion: this.version,
      clientId: `${this.o.username}-${randomBytes(4).toString('hex')}`,
      username: this.o.username,
      password: this.o.password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: this.o.timeoutMs ?? MQTT_PUBLISH_TIMEOUT_MS,
    });
    client.on('error', () => {}); // surfaced by the next publish; an unhandled 'error' would crash the host
    this.client = client;
    return client;
  }

  private redactedUrl(): string {
    const u = new URL(this.o.url);
    return `${u.protocol}//${u.host}`;
  }
}
