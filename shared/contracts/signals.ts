import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { HOUR_MS, parseIsoDateTime } from '../time';
import { parseWith } from '../validation/format-issues';
import { isoDateTimeSchema } from '../validation/iso-date-time';

/**
 * Signals: anything that may open an EVR recording window — the agent's motion detector, its
 * inference extension (AVA HTTP extension), or an external event (a door sensor over MQTT, an HTTP caller). They all
 * end up as one {@link SignalRecord} that the cloud's EVR policy (functions/evr/) filters and feeds to the signal gate
 * (shared/evr/signal-gate.ts).
 *
 * Three ways in:
 * 1. the agent's `signal` CloudEvent on `keepwatch/{deviceId}/events/{cameraId}` (data {@link signalDataSchema});
 * 2. an external publisher's plain JSON on `keepwatch/{deviceId}/signals/{cameraId}` ({@link externalSignalSchema});
 * 3. `POST /api/cameras/{cameraId}/signals` with the same JSON body ({@link externalSignalSchema}).
 */

/** CloudEvents `type` of the agent's signal events. */
export const SIGNAL = 'signal';

/** Signal types the agent itself emits; external ones may use any type matching {@link SIGNAL_TYPE_PATTERN}. */
export const AGENT_SIGNAL_TYPES = ['motion', 'inference'] as const;

/** A signal type: 1..64 characters from a-z, 0-9, `.`, `_`, `-`, starting with a letter (e.g. `motion`, `door`, `alarm.zone-1`). */
export const SIGNAL_TYPE_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;

/** A caller-chosen signal id (idempotency key): 1..128 characters from A-Z, a-z, 0-9, `.`, `_`, `:`, `-`. */
export const SIGNAL_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Largest `properties` object, bytes of its JSON (UTF-8). */
export const SIGNAL_PROPERTIES_MAX_BYTES = 4096;

/** Most boxes one signal carries (the motion aggregator can see many regions in one window). */
export const SIGNAL_BOXES_MAX = 32;

/** How long one signal may say it lasted (`end` − `time`), ms. */
export const SIGNAL_SPAN_MAX_MS = HOUR_MS;

const isoDateTime = isoDateTimeSchema;

const unit = z.number().min(0).max(1);

/** AVA's normalised box (`l, t, w, h` in 0..1 of the frame; docs/reference/ava-behaviour.md "Events", inference). */
export const boxSchema = z.strictObject({ l: unit, t: unit, w: unit, h: unit });
export type SignalBox = z.output<typeof boxSchema>;

const properties = z
  .record(z.string().max(64), z.unknown())
  .refine((o) => Buffer.byteLength(JSON.stringify(o), 'utf8') <= SIGNAL_PROPERTIES_MAX_BYTES, `expected at most ${SIGNAL_PROPERTIES_MAX_BYTES} bytes of JSON`);

const signalType = z.string().regex(SIGNAL_TYPE_PATTERN, 'expected a signal type of 1 to 64 characters from a-z, 0-9, ".", "_", "-", starting with a letter');

/**
 * `data` of the agent's `signal` CloudEvent.
 * - `type`: `motion` (motion detector) or `inference` (HTTP extension) or another type;
 * - `time`: media time of the event (UTC, ms): for motion the first frame with motion in the aggregation window;
 * - `end`: optional media time of the last frame that showed it (≥ time, ≤ time + 1 h);
 * - `label`, `confidence`: an inference's tag and its confidence 0..1 (AVA `inferences[].entity.tag`);
 * - `boxes`: normalised regions (AVA `l,t,w,h`), ≤ 32;
 * - `properties`: anything else, ≤ 4 KiB of JSON.
 * The agent gives motion signals the id `motion-{cameraId}-{timeMs}` and inference signals
 * `inference-{cameraId}-{timeMs}-{index}`, so a republish is the same signal to the gate.
 */
export const signalDataSchema = z.strictObject({
  cameraId: z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -'),
  type: signalType,
  time: isoDateTime,
  end: isoDateTime.optional(),
  label: z.string().min(1).max(128).optional(),
  confidence: unit.optional(),
  boxes: z.array(boxSchema).max(SIGNAL_BOXES_MAX).optional(),
  properties: properties.optional(),
});
export type SignalData = z.output<typeof signalDataSchema>;

/**
 * An external signal as a door sensor publishes it on `keepwatch/{deviceId}/signals/{cameraId}` (MQTT, plain JSON, not
 * a CloudEvent) or a caller POSTs it to `/api/cameras/{cameraId}/signals`:
 *
 * ```json
 * { "type": "door", "time": "2026-11-21T10:00:00.000Z", "id": "door-7-open-1234", "properties": { "state": "open" } }
 * ```
 * - `type` required; `time` optional (default: when the cloud received it — MQTT: the broker's enqueue time, HTTP:
 *   the request time); `id` optional idempotency key (default: MQTT a hash of topic and payload, so a redelivered
 *   publish is the same signal; HTTP a new UUID); `label`, `confidence`, `end`, `properties` as {@link signalDataSchema}.
 * Unknown keys are rejected (a typo must not silently drop a field).
 */
export const externalSignalSchema = z.strictObject({
  id: z
    .string()
    .regex(SIGNAL_ID_PATTERN, 'expected 1 to 128 characters from A-Z, a-z, 0-9, ".", "_", ":", "-"')
    .meta({ description: 'idempotency key; default a new `http-{uuid}`' })
    .optional(),
  type: signalType.meta({ examples: ['door'] }),
  time: isoDateTime.meta({ description: 'media time of the event; default the request time' }).optional(),
  end: isoDateTime.meta({ description: 'when it ended, at most 1 h after time' }).optional(),
  label: z.string().min(1).max(128).optional(),
  confidence: unit.optional(),
  properties: properties.meta({ description: 'anything else, at most 4 KiB of JSON' }).optional(),
});
export type ExternalSignal = z.output<typeof externalSignalSchema>;

/** Where a signal came from. */
export type SignalOrigin = 'device' | 'mqtt' | 'http';

/** One signal as the cloud handles it (times epoch ms UTC). */
export interface SignalRecord {
  /** Unique id: the CloudEvent id, the caller's `id`, or derived (see {@link externalSignalSchema}). */
  id: string;
  cameraId: string;
  /** The device the camera belongs to (the topic's), or undefined for an HTTP signal (the cloud looks it up). */
  deviceId?: string;
  type: string;
  /** Media time of the event, epoch ms UTC. */
  atMs: number;
  /** Media time it ended, epoch ms UTC (≥ atMs), when given. */
  endMs?: number;
  label?: string;
  confidence?: number;
  boxes?: SignalBox[];
  properties?: Record<string, unknown>;
  origin: SignalOrigin;
}

function spanOf(time: string, end: string | undefined, id: string): { atMs: number; endMs?: number } {
  const atMs = parseIsoDateTime(time, 'time');
  if (end === undefined) return { atMs };
  const endMs = parseIsoDateTime(end, 'end');
  if (endMs < atMs || endMs - atMs > SIGNAL_SPAN_MAX_MS) {
    throw new ValidationError(`signal ${id}: end ${end} must be at or after time ${time} and at most 1 h later`, [{ path: 'end', message: 'before time or more than 1 h after it' }], 'InvalidSignal');
  }
  return { atMs, endMs };
}

function withOptional(rec: SignalRecord, d: { label?: string; confidence?: number; boxes?: SignalBox[]; properties?: Record<string, unknown> }): SignalRecord {
  if (d.label !== undefined) rec.label = d.label;
  if (d.confidence !== undefined) rec.confidence = d.confidence;
  if (d.boxes !== undefined && d.boxes.length) rec.boxes = d.boxes;
  if (d.properties !== undefined) rec.properties = d.properties;
  return rec;
}

/**
 * The signal of an agent's `signal` CloudEvent (already checked as an envelope and for its device).
 * @throws ValidationError `InvalidEventData` (schema) or `InvalidSignal` (end before time, span > 1 h)
 */
export function signalFromDeviceEvent(eventId: string, data: unknown, deviceId: string): SignalRecord {
  const d = parseWith(signalDataSchema, data, `CloudEvent ${eventId} (${SIGNAL}) data`, 'InvalidEventData');
  return withOptional({ id: eventId, cameraId: d.cameraId, deviceId, type: d.type, ...spanOf(d.time, d.end, eventId), origin: 'device' }, d);
}

/**
 * The signal of an external publish on `keepwatch/{deviceId}/signals/{cameraId}`.
 * @param payload the parsed JSON payload
 * @param receivedMs when the broker received it (Event Grid's `time`), epoch ms: the default `time`
 * @param rawPayload the payload bytes as published: with the topic, the default id's hash input
 * @throws ValidationError `InvalidSignal` naming every bad or unknown key
 */
export function signalFromMqtt(topic: { deviceId: string; cameraId: string }, payload: unknown, receivedMs: number, rawPayload: Buffer): SignalRecord {
  const s = parseWith(externalSignalSchema, payload, `signal on keepwatch/${topic.deviceId}/signals/${topic.cameraId}`, 'InvalidSignal');
  const id =
    s.id ??
    `mqtt-${createHash('sha256').update(`keepwatch/${topic.deviceId}/signals/${topic.cameraId}\n`).update(rawPayload).digest('hex').slice(0, 32)}`;
  const time = s.time ?? new Date(receivedMs).toISOString();
  return withOptional({ id, cameraId: topic.cameraId, deviceId: topic.deviceId, type: s.type, ...spanOf(time, s.end, id), origin: 'mqtt' }, s);
}

/**
 * The signal of a `POST /api/cameras/{cameraId}/signals` body.
 * @param nowMs the request time, epoch ms: the default `time`
 * @param newId makes the default id (e.g. `() => 'http-' + randomUUID()`)
 * @throws ValidationError `InvalidSignal` naming every bad or unknown key
 */
export function signalFromHttp(cameraId: string, body: unknown, nowMs: number, newId: () => string): SignalRecord {
  const s = parseWith(externalSignalSchema, body, 'signal', 'InvalidSignal');
  const id = s.id ?? newId();
  const time = s.time ?? new Date(nowMs).toISOString();
  return withOptional({ id, cameraId, type: s.type, ...spanOf(time, s.end, id), origin: 'http' }, s);
}
