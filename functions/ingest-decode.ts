import { ValidationError } from '../shared/errors';
import { MQTT_EVENT_PUBLISHED, unwrapMqttPublished } from '../shared/event-grid-mqtt';
import { cloudEventSchema, parseDeviceEvent, type DeviceEvent } from '../shared/schemas/device-events';
import { parseWith } from '../shared/schemas/format-issues';
import { SIGNAL, signalFromMqtt } from '../shared/schemas/signals';
import { parseCameraEventsTopic, parseCameraSignalsTopic } from '../shared/topics';

/** One Event Hubs message, decoded: a valid device event, or the reason it must be dead-lettered. */
export type DecodedMessage =
  | {
      ok: true;
      event: DeviceEvent;
      /** True when the device and camera come from the MQTT topic Event Grid vouched for (shape a). */
      trusted: boolean;
    }
  | { ok: false; reasonCode: string; reasonMessage: string; deviceId?: string; cameraId?: string; eventId?: string }
  /**
   * A device's retained status (`keepwatch/{deviceId}/status`, `{"deviceId","state":"online"|"offline","time"}`):
   * routed to the hub like every publish, not an event to index. `online` when the payload says so (the agent
   * publishes it once subscribed to its commands).
   */
  | { ok: 'ignored'; deviceId: string; online: boolean };

const DEVICE_SOURCE = /^\/devices\/([a-z0-9-]{1,32})$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one message of an Event Hubs batch as the Functions host delivers it: an object (the host parsed the
 * JSON body), a JSON string, or a Buffer/Uint8Array of UTF-8 JSON. Accepted shapes:
 *
 * (a) an Event Grid MQTT routing CloudEvent (`type: 'MQTT.EventPublished'`, shared/event-grid-mqtt.ts) whose
 *     `subject` is the topic `keepwatch/{deviceId}/events/{cameraId}` and whose payload (`data` object or JSON
 *     string, or `data_base64`) is the device's own CloudEvent. This is the trusted path: in Azure the namespace's
 *     topic spaces and permission bindings only let a device publish under its own id (docs/security.md), so
 *     the topic vouches for device and camera and the payload must agree with it.
 * (b) a device CloudEvent on its own; the device id comes from its `source` `/devices/{deviceId}`. Nothing vouches
 *     for it: anyone allowed to send to the event hub could claim any device, and Event Grid forwards a device's
 *     structured-mode CloudEvent (`application/cloudevents+json`) as it is, without the topic, so a device can reach
 *     this path too. It stays accepted (docs/contracts.md "Events on the wire"); functions/ingest.ts checks its cameras
 *     against the named device's (docs/security.md, "Unprovisioned devices and untrusted events").
 * (c) an Event Grid MQTT routing CloudEvent whose `subject` is `keepwatch/{deviceId}/signals/{cameraId}`: an external
 *     signal (a door sensor), plain JSON (shared/schemas/signals.ts `externalSignalSchema`, `signalFromMqtt`); its
 *     default time is the envelope's `time` (when the broker received it), its default id a hash of topic and
 *     payload bytes. A bad payload is dead-lettered `InvalidSignal`. It comes back as a `signal` event whose
 *     envelope is synthetic (id = the signal id, source = the topic).
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
    if (record.type === MQTT_EVENT_PUBLISHED) {
      const status = typeof record.subject === 'string' ? /^keepwatch\/([a-z0-9-]{1,32})\/status$/.exec(record.subject) : null;
      if (status) return { ok: 'ignored', deviceId: status[1], online: statusIsOnline(record) };
      const { topic, payload } = unwrapMqttPublished(record);
      const signalIds = parseCameraSignalsTopic(topic);
      if (signalIds) {
        Object.assign(known, signalIds);
        return { ok: true, event: externalSignalEvent(record, topic, signalIds, payload), trusted: true };
      }
      const ids = parseCameraEventsTopic(topic);
      if (!ids) {
        throw new ValidationError(`MQTT topic ${JSON.stringify(topic.slice(0, 200))} is not keepwatch/{deviceId}/events/{cameraId}`, undefined, 'InvalidTopic');
      }
      Object.assign(known, ids, eventIdOf(payload));
      return { ok: true, event: parseDeviceEvent(payload, ids.deviceId, ids.cameraId), trusted: true };
    }
    Object.assign(known, eventIdOf(record));
    const envelope = parseWith(cloudEventSchema, record, 'CloudEvent', 'InvalidCloudEvent');
    const m = DEVICE_SOURCE.exec(envelope.source);
    if (!m) {
      throw new ValidationError(`CloudEvent ${envelope.id}: source ${JSON.stringify(envelope.source)} is not /devices/{deviceId}`, undefined, 'InvalidSource');
    }
    known.deviceId = m[1];
    return { ok: true, event: parseDeviceEvent(record, m[1]), trusted: false };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { ok: false, reasonCode: err.code, reasonMessage: err.message, ...known };
  }
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
