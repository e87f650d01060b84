import mqtt, { type MqttClient } from 'mqtt';
import { deviceStatusTopic } from '../../shared/contracts/topics';
import { MQTT_KEEPALIVE_S, STATUS_HEARTBEAT_MS, type AgentCameraStatus, type DeviceStatus } from '../../shared/contracts/device-status';
import type { Logger } from '../log';
import type { BrokerTls } from './broker-tls';

/** Options of {@link MqttTransport}. */
export interface MqttTransportOptions {
  deviceId: string;
  /** Broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`). */
  url: string;
  /** MQTT user name, default the device id; Event Grid: the client's authentication name. */
  username?: string;
  /** Secret: never logged. Absent with a client certificate. */
  password?: string;
  /**
   * TLS client certificate, key and CA (edge-agent/transport/broker-tls.ts), for `mqtts://`/`wss://`: the device
   * authenticates by its certificate (Event Grid thumbprint match, local/broker.ts `thumbprints`).
   */
  tls?: BrokerTls;
  /** 5 (default) or 4 (MQTT 3.1.1). */
  protocolVersion?: 4 | 5;
  logger: Logger;
  /** Delay between reconnect attempts, ms (default 2000). */
  reconnectPeriodMs?: number;
  /** Called on each reconnect attempt (metrics). */
  onReconnect?: () => void;
  /** Called on every CONNACK (first connect and each reconnect). */
  onConnect?: () => void;
  /** Topic filters subscribed at QoS 1 after every CONNACK (EVR: `deviceCommandsFilter`); none by default. */
  subscriptions?: string[];
  /** Called for each message received on a subscription (payload as sent). */
  onMessage?: (topic: string, payload: Buffer) => void;
  /**
   * Keep the MQTT session across disconnects (clean start off; MQTT 5 session expiry 1 h), so QoS 1 commands
   * published while the device is away are delivered when it is back. Default false (a clean session, as CVR has).
   */
  persistentSession?: boolean;
  /**
   * The state of each camera the agent records, put in every `online` status (shared/contracts/device-status.ts); the
   * status then goes again every `statusHeartbeatMs` and on {@link MqttTransport.publishStatus}. None: the status
   * lists no cameras.
   */
  cameraStates?: () => Record<string, AgentCameraStatus>;
  /** Heartbeat period of the `online` status (ms; default `STATUS_HEARTBEAT_MS`, 15 s). */
  statusHeartbeatMs?: number;
  /** MQTT keep-alive (s; default `MQTT_KEEPALIVE_S`, 20): the broker publishes the last will after 1.5 × this of silence. */
  keepaliveS?: number;
}

/** MQTT 5 session expiry of a persistent session, s: commands sent during an outage up to 1 h are kept by the broker. */
export const SESSION_EXPIRY_S = 3600;

/**
 * MQTT 5 content type of the events: plain `application/json` (with payload format indicator 1),
 * not `application/cloudevents+json`. Event Grid's MQTT routing forwards a payload marked as a
 * CloudEvent as-is, dropping its own envelope and with it the MQTT topic, which is the only device
 * identity the broker vouches for; as JSON it is wrapped in an `MQTT.EventPublished` CloudEvent whose
 * `subject` is the topic (Event Grid docs "mqtt-routing-event-schema").
 */
export const EVENT_CONTENT_TYPE = 'application/json';

/**
 * The agent's MQTT connection (MQTT.js; MQTT 5 unless configured to 3.1.1): client id = device id, QoS 1 publishes that resolve on
 * PUBACK, automatic reconnect (MQTT.js keeps unacknowledged QoS 1 messages and resends them after
 * a reconnect), and a retained status on `keepwatch/{deviceId}/status` (shared/contracts/device-status.ts): `online`
 * once connected and subscribed, with each camera's state, again on every change of one (`publishStatus`) and every
 * 15 s (the heartbeat); `offline` as the last will when the connection drops (keep-alive 20 s) and when it closes.
 * Optionally it subscribes (QoS 1) to topic filters after every CONNACK and hands on what arrives (EVR commands).
 */
export class MqttTransport {
  private client: MqttClient | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** True once the first `online` of this connection went (after the subscriptions): earlier statuses wait for it. */
  private onlineSent = false;

  constructor(private readonly opts: MqttTransportOptions) {}

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /**
   * Connects; resolves on the first CONNACK, however long the broker stays unreachable (events
   * published meanwhile wait in MQTT.js's outgoing queue).
   * @throws when the broker refuses the connection (bad credentials, protocol version)
   */
  async connect(): Promise<void> {
    const { deviceId, url, logger } = this.opts;
    const statusTopic = deviceStatusTopic(deviceId);
    const status = (state: 'online' | 'offline') => this.statusPayload(state);
    const persistent = this.opts.persistentSession ?? false;
    const client = mqtt.connect(url, {
      protocolVersion: this.opts.protocolVersion ?? 5,
      clientId: deviceId,
      username: this.opts.username ?? deviceId,
      password: this.opts.password,
      ...(this.opts.tls ?? {}),
      clean: !persistent,
      // Subscriptions are made on every CONNACK below (MQTT.js resubscribes clean sessions only).
      resubscribe: false,
      ...(persistent && (this.opts.protocolVersion ?? 5) === 5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
      reconnectPeriod: this.opts.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      keepalive: this.opts.keepaliveS ?? MQTT_KEEPALIVE_S,
      will: { topic: statusTopic, payload: Buffer.from(status('offline')), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      logger.info({ event: 'broker-connected' }, 'connected to the MQTT broker');
      // `online` follows the subscription: the cloud answers it by sending pending pipeline commands again
      // (functions/pipelines/resend-pending.ts), which a device must be subscribed to receive.
      this.onlineSent = false;
      const online = () => {
        this.onlineSent = true;
        client.publish(statusTopic, status('online'), { qos: 1, retain: true });
      };
      const filters = this.opts.subscriptions ?? [];
      // Subscribing again on every CONNACK is harmless on a kept session and needed on a new one.
      if (filters.length) {
        client.subscribe(filters, { qos: 1 }, (err, granted) => {
          if (err) logger.error({ err, filters }, 'MQTT subscribe failed');
          else if (granted?.some((g) => g.qos > 2)) logger.error({ granted }, 'MQTT broker refused a subscription');
          else logger.info({ filters }, 'subscribed');
          online();
        });
      } else {
        online();
      }
      this.opts.onConnect?.();
    });
    client.on('message', (topic, payload) => this.opts.onMessage?.(topic, payload));
    // The heartbeat: the cloud calls a device silent when its status stops (shared/contracts/camera-health.ts
    // DEVICE_SILENCE_MS), for a broker that never delivers the last will.
    this.heartbeat = setInterval(() => this.publishStatus(), this.opts.statusHeartbeatMs ?? STATUS_HEARTBEAT_MS);
    this.heartbeat.unref();
    client.on('reconnect', () => this.opts.onReconnect?.());
    client.on('offline', () => logger.warn({ event: 'broker-offline' }, 'MQTT broker unreachable; events wait'));
    client.on('error', (err) => logger.warn({ err }, 'MQTT error'));
    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      const onError = (err: Error & { code?: number }) => {
        // A CONNACK refusal carries a numeric code (3.1.1 return code 1-5, MQTT 5 reason code
        // ≥ 0x80: bad protocol version, bad credentials, not authorised); retrying does not heal it.
        // Network errors carry string codes (ECONNREFUSED) and are retried by MQTT.js.
        if (typeof err.code === 'number') {
          client.off('connect', onConnect);
          clearInterval(this.heartbeat);
          client.end(true);
          reject(new Error(`MQTT broker refused the connection: ${err.message}`));
        }
      };
      client.once('connect', onConnect);
      client.on('error', onError);
    });
  }

  /**
   * Publishes one CloudEvent (JSON structured mode) at QoS 1, MQTT 5 content type
   * `application/json` and payload format indicator 1 (UTF-8), so Event Grid's MQTT routing passes
   * it as JSON `data` of an `MQTT.EventPublished` event that keeps the topic.
   * @returns when the broker acknowledged it (PUBACK); waits across reconnects
   */
  async publishEvent(topic: string, event: object): Promise<void> {
    if (!this.client) throw new Error('MQTT transport is not connected');
    const v5 = (this.opts.protocolVersion ?? 5) === 5;
    await this.client.publishAsync(topic, JSON.stringify(event), {
      qos: 1,
      ...(v5 ? { properties: { contentType: EVENT_CONTENT_TYPE, payloadFormatIndicator: true } } : {}),
    });
  }

  /**
   * Publishes the `online` status (retained, QoS 1, not waited for) with every camera's state now: on a change of a
   * camera's state, and as the heartbeat. Nothing while disconnected or before this connection's first `online` (the
   * next connection publishes the state of that moment).
   */
  publishStatus(): void {
    const client = this.client;
    if (!client?.connected || !this.onlineSent) return;
    client.publish(deviceStatusTopic(this.opts.deviceId), this.statusPayload('online'), { qos: 1, retain: true });
  }

  /** The status payload (shared/contracts/device-status.ts); `online` lists the cameras' states. */
  private statusPayload(state: 'online' | 'offline'): string {
    const status: DeviceStatus = { deviceId: this.opts.deviceId, state, time: new Date().toISOString() };
    if (state === 'online' && this.opts.cameraStates) status.cameras = this.opts.cameraStates();
    return JSON.stringify(status);
  }

  /** Publishes `offline` (retained) and disconnects; pending QoS 1 messages get `timeoutMs` to be acknowledged. */
  async close(timeoutMs = 5000): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (client.connected) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.publishAsync(deviceStatusTopic(this.opts.deviceId), this.statusPayload('offline'), { qos: 1, retain: true }),
        new Promise((r) => (timer = setTimeout(r, timeoutMs))),
      ]).catch(() => {});
      clearTimeout(timer); // a pending timer would keep a stopping process alive for timeoutMs
    }
    await client.endAsync(!client.connected);
  }
}
