import { cameraCommandsTopic } from '../../../shared/contracts/topics';
import { CloudMqtt } from './cloud-mqtt';

/** One command to a device about one camera: a CloudEvent (e.g. shared/contracts/upload-window.ts `uploadWindowCommand`). */
export interface DeviceCommand {
  deviceId: string;
  cameraId: string;
  /** The CloudEvent JSON object; its `id` lets the device drop redeliveries. */
  event: Record<string, unknown>;
}

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
 * Sends commands to devices, at least once: MQTT QoS 1 on `keepwatch/{deviceId}/commands/{cameraId}`
 * (shared/contracts/topics.ts `cameraCommandsTopic`), through the functions' one broker
 * connection (functions/adapters/mqtt/cloud-mqtt.ts: lazy connect, each PUBACK awaited, no background reconnect; an
 * unreachable broker makes `send` throw TransientError, so the caller's outbox keeps the command and a replay sends
 * it). Nothing at all is sent without a URL. Locally the broker is local/broker.ts (a `cloudClients` credential); in
 * Azure the Event Grid namespace's MQTT broker with a client allowed to publish `keepwatch/+/commands/+`.
 */
export class MqttDeviceCommands {
  private readonly mqtt: CloudMqtt | undefined;

  /** @param connection the functions' shared broker connection (functions/deps.ts), or options (no `url` = send nothing) */
  constructor(connection: CloudMqtt | MqttDeviceCommandsOptions) {
    this.mqtt = connection instanceof CloudMqtt ? connection : connection.url ? new CloudMqtt({ ...connection, url: connection.url }) : undefined;
  }

  /**
   * Publishes the commands in order and resolves when the broker acknowledged each (PUBACK).
   * @throws TransientError when the broker cannot be reached or does not acknowledge
   */
  async send(commands: readonly DeviceCommand[]): Promise<void> {
    if (!commands.length || !this.mqtt) return; // without a URL the EVR step warns per decision (functions/evr/apply-outbox.ts)
    const messages = commands.map((c) => ({ topic: cameraCommandsTopic(c.deviceId, c.cameraId), payload: JSON.stringify(c.event) }));
    await this.mqtt.publish(messages, `commands ${commands.map((c) => String(c.event.id)).join(', ')}`);
  }

  /** Disconnects (idempotent). */
  async close(): Promise<void> {
    await this.mqtt?.close();
  }
}
