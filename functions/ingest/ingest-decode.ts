import { ValidationError } from '../../shared/errors';
import { MQTT_EVENT_PUBLISHED, routingEnrichments, unwrapMqttPublished } from '../../shared/event-grid-mqtt';
import { parseDeviceEvent, type DeviceEvent } from '../../shared/contracts/device-events';
import { SIGNAL, signalFromMqtt } from '../../shared/contracts/signals';
import { parseCameraEventsTopic, parseCameraSignalsTopic } from '../../shared/contracts/topics';
import { deviceStatusSchema, type DeviceStatus } from '../../shared/contracts/device-status';

/** One Event Hubs message, decoded: a valid device event, or the reason it must be dead-lettered. */
export type DecodedMessage =
  | { ok: true; event: DeviceEvent }
  | { ok: false; reasonCode: string; reasonMessage: string; deviceId?: string; cameraId?: string; eventId?: string }
  /**
   * A device's retained status (`keepwatch/{deviceId}/status`, shared/contracts/device-status.ts): routed to the hub
   * like every publish, not an event to index. `online` when the payload says so (the agent publishes it once
   * subscribed to its commands). `status`: the payload when it is a valid status of that device (its `deviceId` the
   * topic's), with `receivedMs`, the routed event's `time` (when the broker received it); health is derived from it
   * (functions/health/). A status that is not valid has none and changes no health.
   */
  | { ok: 'ignored'; deviceId: string; online: boolean; status?: DeviceStatus; receivedMs?: number };

const STATUS_TOPIC = /^keepwatch\/([a-z0-9-]{1,32})\/status$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one message of an Event Hubs batch as the Functions host delivers it: an object (the host parsed the
 * JSON body), a JSON string, or a Buffer/Uint8Array of UTF-8 JSON.
 *
 * Who sent it comes from the transport only (docs/security.md "Device identity comes from the transport"): the
 * routing enrichments the broker stamps on every routed message (shared/event-grid-mqtt.ts `kwclient`, the name it
 * authenticated, and `kwtopic`, the topic its topic spaces allowed). A message without both is dead-lettered
 * `MissingTransportIdentity`, whatever it claims: a bare device CloudEvent (`source: /devices/B`) sent to the hub by
 * anyone, or one a broker without the enrichments routed. The payload never names the device or the camera; where it
 * repeats them (`source`, `data.cameraId`, a routed envelope's `subject`) it must agree. The enrichment topic decides:
 *
 * (a) `keepwatch/{deviceId}/events/{cameraId}`, published by the client named `deviceId` (else `DeviceMismatch`):
 *     the device's own CloudEvent, either inside Event Grid's `MQTT.EventPublished` envelope (`data` object or JSON
 *     string, or `data_base64`; its `subject` must be that topic, else `TopicMismatch`) or forwarded as it is (a
 *     publish with content type `application/cloudevents+json`, which Event Grid routes without an envelope; the
 *     agent never sends one, docs/contracts.md). Checked by shared/contracts/device-events.ts `parseDeviceEvent`.
 * (b) `keepwatch/{deviceId}/status`, published by that device: ignored (`ok: 'ignored'`), see above.
 * (c) `keepwatch/{deviceId}/signals/{cameraId}`: an external signal (a door sensor: any client the broker allowed on
 *     that topic), plain JSON in an `MQTT.EventPublished` envelope (shared/contracts/signals.ts `externalSignalSchema`,
 *     `signalFromMqtt`); its default time is the envelope's `time` (when the broker received it), its default id a
 *     hash of topic and payload bytes. A bad payload is dead-lettered `InvalidSignal`. It comes back as a `signal`
 *     event whose envelope is synthetic (id = the signal id, source = the topic).
 * Any other topic: `InvalidTopic`.
 *
 * Never throws for bad input; unexpected errors (bugs) propagate.
 */
export function decodeIngestMessage(message: unknown): DecodedMessage {
  const known: { deviceId?: string; cameraId?: string; eventId?: string } = {};
  try {
    const value = toJsonValue(message);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError(`message is ${Array.isArray(value) ? 'an array' : `a ${value === null ? 'null' : typeof value}`}, not a JSON object`, undefined, 'InvalidEnvelope');
    }
    const record = value as Record<string, unknown>;
    const routed = record.type === MQTT_EVENT_PUBLISHED;
    Object.assign(known, eventIdOf(routed ? record.data : record));
    const sender = routingEnrichments(record);
    if (!sender) {
      throw new ValidationError(`message ${describeId(record)} has no routing enrichments (kwclient, kwtopic): nothing vouches for its sender`, undefined, 'MissingTransportIdentity');
    }
    const topic = sender.topic;
    if (routed && record.subject !== topic) {
      throw new ValidationError(`${MQTT_EVENT_PUBLISHED} ${describeId(record)}: subject ${typeof record.subject === 'string' ? JSON.stringify(record.subject.slice(0, 200)) : `(${typeof record.subject})`} is not the topic the broker routed (${JSON.stringify(topic)})`, undefined, 'TopicMismatch');
    }
    const status = STATUS_TOPIC.exec(topic);
    if (status) {
      known.deviceId = status[1];
      assertPublisher(sender.authenticationName, status[1], topic);
      return { ok: 'ignored', deviceId: status[1], online: routed && statusIsOnline(record), ...(routed ? statusOf(record, status[1]) : {}) };
    }
    const signalIds = parseCameraSignalsTopic(topic);
    if (signalIds) {
      Object.assign(known, signalIds);
      // The broker's topic rules decide who may signal a camera (a device on its own tree, a door sensor it lists).
      const { payload } = routed ? unwrapMqttPublished(record) : { payload: record };
      return { ok: true, event: externalSignalEvent(record, topic, signalIds, payload) };
    }
    const ids = parseCameraEventsTopic(topic);
    if (!ids) {
      throw new ValidationError(`MQTT topic ${JSON.stringify(topic.slice(0, 200))} is not keepwatch/{deviceId}/events/{cameraId}`, undefined, 'InvalidTopic');
    }
    Object.assign(known, ids);
    assertPublisher(sender.authenticationName, ids.deviceId, topic);
    const payload = routed ? unwrapMqttPublished(record).payload : record;
    Object.assign(known, eventIdOf(payload));
    return { ok: true, event: parseDeviceEvent(payload, ids.deviceId, ids.cameraId) };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { ok: false, reasonCode: err.code, reasonMessage: err.message, ...known };
  }
}

/**
 * A device speaks only on its own tree: the topic's device must be the client the broker authenticated. (Event Grid's
 * topic spaces and the local broker already refuse anything else; this holds even if they were misconfigured.)
 * @throws ValidationError `DeviceMismatch`
 */
function assertPublisher(authenticationName: string, deviceId: string, topic: string): void {
  if (authenticationName !== deviceId) {
    throw new ValidationError(`${topic}: published by client ${JSON.stringify(authenticationName.slice(0, 64))}, not by device '${deviceId}'`, undefined, 'DeviceMismatch');
  }
}

function describeId(record: Record<string, unknown>): string {
  return typeof record.id === 'string' ? JSON.stringify(record.id.slice(0, 128)) : '(no id)';
}

/**
 * The message as text for a dead-letter row: objects as JSON, strings as they are, bytes as UTF-8 when they are
 * valid UTF-8, else base64.
 */
export function rawPayload(message: unknown): { payload: string; payloadEncoding: 'utf8' | 'base64' } {
  if (message instanceof Uint8Array) {
    try {
      return { payload: strictUtf8.decode(message), payloadEncoding: 'utf8' };
    } catch {
      return { payload: Buffer.from(message).toString('base64'), payloadEncoding: 'base64' };
    }
  }
  if (typeof message === 'string') return { payload: message, payloadEncoding: 'utf8' };
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch {
    text = undefined; // cycles, bigint
  }
  return { payload: text ?? describe(message), payloadEncoding: 'utf8' };
}

/** `String(value)`, or its type tag when that throws (an object without a prototype; found by test/fuzz/ingest.test.ts). */
function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function toJsonValue(message: unknown): unknown {
  let text: string;
  if (message instanceof Uint8Array) {
    try {
      text = strictUtf8.decode(message);
    } catch {
      throw new ValidationError('message body is not UTF-8 text', undefined, 'InvalidJson');
    }
  } else if (typeof message === 'string') {
    text = message;
  } else {
    return message;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`message body is not JSON (${(err as Error).message})`, undefined, 'InvalidJson');
  }
}

/** The `signal` event of an external publish on a signals topic (shape c). @throws ValidationError `InvalidSignal` */
function externalSignalEvent(record: Record<string, unknown>, topic: string, ids: { deviceId: string; cameraId: string }, payload: unknown): DeviceEvent {
  const receivedMs = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
  if (!Number.isFinite(receivedMs)) {
    throw new ValidationError(`${MQTT_EVENT_PUBLISHED} on ${topic}: time ${JSON.stringify(record.time)} is not an ISO 8601 date-time`, undefined, 'InvalidEnvelope');
  }
  // The bytes as published, for the default id: data_base64 as sent, else the JSON text Event Grid put in data.
  const raw =
    typeof record.data_base64 === 'string'
      ? Buffer.from(record.data_base64, 'base64')
      : Buffer.from(typeof record.data === 'string' ? record.data : JSON.stringify(record.data));
  const signal = signalFromMqtt(ids, payload, Math.floor(receivedMs), raw);
  return {
    kind: SIGNAL,
    event: { specversion: '1.0', id: signal.id, source: topic, type: SIGNAL, time: new Date(signal.atMs).toISOString(), data: payload },
    signal,
  } as DeviceEvent;
}

function eventIdOf(payload: unknown): { eventId?: string } {
  const id = (payload as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 128 ? { eventId: id } : {};
}

/** Whether a routed status publish says `"state":"online"`; anything unreadable is not. */
function statusIsOnline(record: Record<string, unknown>): boolean {
  try {
    const { payload } = unwrapMqttPublished(record);
    return typeof payload === 'object' && payload !== null && (payload as { state?: unknown }).state === 'online';
  } catch {
    return false;
  }
}

/**
 * The routed status payload and when the broker received it, when the payload is a valid status of `deviceId`
 * (shared/contracts/device-status.ts) and the envelope's `time` a date; else nothing.
 */
function statusOf(record: Record<string, unknown>, deviceId: string): { status?: DeviceStatus; receivedMs?: number } {
  const receivedMs = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
  if (!Number.isFinite(receivedMs)) return {};
  try {
    const parsed = deviceStatusSchema.safeParse(unwrapMqttPublished(record).payload);
    return parsed.success && parsed.data.deviceId === deviceId ? { status: parsed.data, receivedMs: Math.floor(receivedMs) } : {};
  } catch {
    return {};
  }
}
