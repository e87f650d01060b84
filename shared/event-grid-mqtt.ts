import { ValidationError } from './errors';
import { toIso } from './time';

/**
 * Event Grid namespace MQTT routing (learn.microsoft.com/azure/event-grid/mqtt-routing-event-schema): every MQTT
 * PUBLISH routed to a topic, and from there to Event Hubs, becomes a CloudEvent with this `type`, `source` = the
 * namespace name, `subject` = the MQTT topic, and the payload in `data` or `data_base64`.
 */
export const MQTT_EVENT_PUBLISHED = 'MQTT.EventPublished';

/**
 * The namespace's routing enrichments (Event Grid docs "Enrichments for MQTT routed messages";
 * infra/modules/event-grid-mqtt.bicep `topicSpacesConfiguration.routingEnrichments.dynamic`): CloudEvent extension
 * attributes the broker stamps on every routed message, from what it authenticated, never from the payload.
 * - `kwclient` = `${client.authenticationName}`: the publishing client's name (a device's id);
 * - `kwtopic` = `${mqtt.message.topicName}`: the topic it published on, which its topic spaces allowed.
 * Keys: lower-case alphanumerics, at most 20 characters (the docs' rule). functions/ingest/ingest-decode.ts takes device and
 * camera from these two only, and dead-letters a message without them.
 */
export const ENRICHMENT_CLIENT_NAME = 'kwclient';
export const ENRICHMENT_TOPIC = 'kwtopic';

/** One MQTT PUBLISH as a broker sees it. */
export interface MqttPublish {
  /**
   * The name the broker authenticated the publisher by (Event Grid: the client's authentication name; the local
   * broker: the user name). Absent: no routing enrichments are stamped, as a namespace without them would route it.
   */
  authenticationName?: string;
  topic: string;
  payload: Uint8Array;
  /** MQTT 5 Content Type property. */
  contentType?: string;
  /** MQTT 5 Payload Format Indicator: 1/true = UTF-8 text. */
  payloadFormatIndicator?: boolean | number;
}

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const CLOUDEVENTS_JSON_CONTENT_TYPE = /^application\/cloudevents\+json\s*(;|$)/i;

/**
 * Builds the event Event Grid's MQTT routing makes of one PUBLISH (the local stack's stand-in for Azure):
 * - MQTT 5 with content type `application/cloudevents+json` holding a JSON CloudEvent (CloudEvents MQTT binding,
 *   structured mode): that CloudEvent is forwarded as it is, without the MQTT envelope and so without the topic.
 * - MQTT 5 with Payload Format Indicator 1 or content type `application/json`: the payload goes in `data`, parsed
 *   when it is JSON, else as a JSON string.
 * - Anything else (MQTT 3.1.1, PFI 0, binary, invalid UTF-8): the payload goes in `data_base64`.
 * With `publish.authenticationName`, both forms then get the routing enrichments ({@link ENRICHMENT_CLIENT_NAME},
 * {@link ENRICHMENT_TOPIC}), replacing attributes of those names the publisher put in its own CloudEvent. (Event
 * Grid's docs do not say what it does with such a clash; docs/security.md "Not covered".)
 * @param id the event id Event Grid stamps (unique per message)
 * @param timeMs when the broker received it; rendered with 7 fractional digits as Event Grid does
 */
export function routeMqttPublish(
  publish: MqttPublish,
  stamp: { namespace: string; id: string; timeMs: number },
): Record<string, unknown> {
  const enrichments = publish.authenticationName === undefined ? {} : { [ENRICHMENT_CLIENT_NAME]: publish.authenticationName, [ENRICHMENT_TOPIC]: publish.topic };
  const text = utf8OrUndefined(publish.payload);
  if (publish.contentType && CLOUDEVENTS_JSON_CONTENT_TYPE.test(publish.contentType) && text !== undefined) {
    const parsed = tryParseJson(text);
    if (parsed.ok && isRecord(parsed.value) && parsed.value.specversion === '1.0') return { ...parsed.value, ...enrichments };
  }
  const envelope: Record<string, unknown> = {
    specversion: '1.0',
    id: stamp.id,
    time: toIso(stamp.timeMs).replace(/Z$/, '0000Z'),
    type: MQTT_EVENT_PUBLISHED,
    source: stamp.namespace,
    subject: publish.topic,
  };
  if (publish.contentType) envelope.datacontenttype = publish.contentType;
  const pfi = publish.payloadFormatIndicator === true || publish.payloadFormatIndicator === 1;
  if ((pfi || (publish.contentType !== undefined && JSON_CONTENT_TYPE.test(publish.contentType))) && text !== undefined) {
    const parsed = tryParseJson(text);
    envelope.data = parsed.ok ? parsed.value : text;
  } else {
    envelope.data_base64 = Buffer.from(publish.payload).toString('base64');
  }
  return { ...envelope, ...enrichments };
}

/**
 * The routing enrichments of a routed message: who the broker authenticated and the topic it allowed.
 * @returns undefined when either is missing or not a non-empty string of at most 128 characters (Event Grid's limit
 *   for an enrichment value)
 */
export function routingEnrichments(message: Record<string, unknown>): { authenticationName: string; topic: string } | undefined {
  const name = message[ENRICHMENT_CLIENT_NAME];
  const topic = message[ENRICHMENT_TOPIC];
  const ok = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
  return ok(name) && ok(topic) ? { authenticationName: name, topic } : undefined;
}

/**
 * Reads the MQTT topic and the JSON payload back out of an `MQTT.EventPublished` CloudEvent.
 * @param envelope an object whose `type` is {@link MQTT_EVENT_PUBLISHED}
 * @returns `topic` (= `subject`) and the payload parsed as JSON (from `data` as object, `data` as JSON text, or
 *   `data_base64` holding UTF-8 JSON)
 * @throws ValidationError `InvalidEnvelope` (no subject, no data, bad base64), `InvalidJson` (payload not JSON)
 */
export function unwrapMqttPublished(envelope: Record<string, unknown>): { topic: string; payload: unknown } {
  const id = typeof envelope.id === 'string' ? envelope.id : '(no id)';
  if (envelope.specversion !== '1.0') {
    throw new ValidationError(`${MQTT_EVENT_PUBLISHED} ${id}: specversion ${JSON.stringify(envelope.specversion)} is not '1.0'`, undefined, 'InvalidEnvelope');
  }
  if (typeof envelope.subject !== 'string' || envelope.subject === '') {
    throw new ValidationError(`${MQTT_EVENT_PUBLISHED} ${id}: subject (the MQTT topic) is missing`, undefined, 'InvalidEnvelope');
  }
  const topic = envelope.subject;
  if (typeof envelope.data_base64 === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(envelope.data_base64)) {
      throw new ValidationError(`${MQTT_EVENT_PUBLISHED} ${id}: data_base64 is not base64`, undefined, 'InvalidEnvelope');
    }
    const text = utf8OrUndefined(Buffer.from(envelope.data_base64, 'base64'));
    if (text === undefined) throw new ValidationError(`${MQTT_EVENT_PUBLISHED} ${id}: payload is not UTF-8 text`, undefined, 'InvalidJson');
    return { topic, payload: parseJsonPayload(text, id) };
  }
  if (envelope.data === undefined || envelope.data === null) {
    throw new ValidationError(`${MQTT_EVENT_PUBLISHED} ${id}: neither data nor data_base64 is present`, undefined, 'InvalidEnvelope');
  }
  if (typeof envelope.data === 'string') return { topic, payload: parseJsonPayload(envelope.data, id) };
  return { topic, payload: envelope.data };
}

function parseJsonPayload(text: string, id: string): unknown {
  const parsed = tryParseJson(text);
  if (!parsed.ok) {
    throw new ValidationError(`${MQTT_EVENT_PUBLISHED} ${id}: payload is not JSON (${parsed.error})`, undefined, 'InvalidJson');
  }
  return parsed.value;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
