import mqtt, { type MqttClient } from 'mqtt';
import { TransientError } from '../../shared/errors';
import type { DeviceCommand, DeviceCommands } from '../../shared/ports/device-commands';
import { cameraCommandsTopic } from '../../shared/topics';

/** Options of {@link MqttDeviceCommands}. */
export interface MqttDeviceCommandsOptions {
  /** `mqtt://` or `mqtts://` URL of the broker; undefined = commands are not sent (a warning per batch). */
  url?: string;
  username: string;
  password?: string;
  /** How long connecting and each PUBACK may take, ms (default 10 000). */
  timeoutMs?: number;
}

/**
 * Device commands over MQTT (the `mqtt` package): connects on first use (lazy), publishes QoS 1 (nothing at all without a URL) and waits for each
 * PUBACK. No automatic reconnect: a lost connection makes the next `send` connect again, and a broker that cannot be
 * reached makes `send` throw TransientError, so the caller's outbox keeps the command and a replay sends it.
 * Locally the broker is local/broker.ts (a `cloudClients` credential); in Azure the Event Grid namespace's MQTT
 * broker with a client allowed to publish `keepwatch/+/commands/+`.
 */
export class MqttDeviceCommands implements DeviceCommands {
  private client: MqttClient | undefined;
  private connecting: Promise<MqttClient> | undefined;

  constructor(private readonly o: MqttDeviceCommandsOptions) {}

  async send(commands: readonly DeviceCommand[]): Promise<void> {
    if (!commands.length) return;
    if (!this.o.url) return; // the EVR step warns per decision (functions/evr/apply-outbox.ts)
    const client = await this.connect();
    for (const c of commands) {
      const topic = cameraCommandsTopic(c.deviceId, c.cameraId);
      try {
        await withTimeout(client.publishAsync(topic, JSON.stringify(c.event), { qos: 1 }), this.timeoutMs, `PUBACK for ${String(c.event.id)}`);
      } catch (err) {
        await this.drop();
        throw new TransientError(`MQTT publish of command ${String(c.event.id)} on ${topic} failed: ${(err as Error).message}`, err);
      }
    }
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private get timeoutMs(): number {
    return this.o.timeoutMs ?? 10_000;
  }

  private async connect(): Promise<MqttClient> {
    if (this.client?.connected) return this.client;
    if (this.client) await this.drop();
    this.connecting ??= (async () => {
      try {
        const client = await mqtt.connectAsync(this.o.url!, {
          username: this.o.username,
          password: this.o.password,
          reconnectPeriod: 0,
          connectTimeout: this.timeoutMs,
          clean: true,
          clientId: `${this.o.username}-${Math.random().toString(16).slice(2, 10)}`,
        });
        client.on('error', () => {}); // surfaced by the next publish; an unhandled 'error' would crash the host
        this.client = client;
        return client;
      } catch (err) {
        throw new TransientError(`cannot connect to the MQTT broker for device commands: ${(err as Error).message}`, err);
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async drop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync(true).catch(() => {});
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}
