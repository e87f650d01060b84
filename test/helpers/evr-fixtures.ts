import mqtt, { type MqttClient } from 'mqtt';
import { toIso } from '../../shared/time';

/** The EVR policy document the EVR tests store: AVA's -PT5S pre-roll example (ava-evr-hubMessage-video-sink). */
export function evrPolicy(): Record<string, unknown> {
  return {
    mode: 'evr',
    retention: { archive: 'P7D' },
    evr: { signals: [], signalGate: { activationEvaluationWindow: 'PT1S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT10S', maximumActivationTime: 'PT60S' } },
  };
}

/** A `segment.recorded` CloudEvent as the agent publishes it (id `recorded-{cameraId}-{startMs}`). */
export function recordedEvent(o: { deviceId?: string; cameraId?: string; startMs: number; durationMs?: number }): Record<string, unknown> {
  const cameraId = o.cameraId ?? 'door';
  return {
    specversion: '1.0',
    id: `recorded-${cameraId}-${o.startMs}`,
    source: `/devices/${o.deviceId ?? 'dev1'}`,
    type: 'segment.recorded',
    time: toIso(o.startMs + (o.durationMs ?? 10_000)),
    datacontenttype: 'application/json',
    data: { cameraId, start: toIso(o.startMs), durationMs: o.durationMs ?? 10_000, bytes: 1000 },
  };
}

/** A device `signal` CloudEvent (data shared/contracts/signals.ts signalDataSchema). */
export function signalEvent(o: { id: string; atMs: number; deviceId?: string; cameraId?: string; type?: string }): Record<string, unknown> {
  const cameraId = o.cameraId ?? 'door';
  return {
    specversion: '1.0',
    id: o.id,
    source: `/devices/${o.deviceId ?? 'dev1'}`,
    type: 'signal',
    time: toIso(o.atMs),
    datacontenttype: 'application/json',
    data: { cameraId, type: o.type ?? 'door', time: toIso(o.atMs) },
  };
}

/** An external signal publish as Event Grid routes it (`MQTT.EventPublished`, payload in data_base64 as from MQTT 3.1.1). */
export function viaSignalsTopic(deviceId: string, cameraId: string, payload: string, id = 'eg-signal-1'): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    time: '2026-11-21T10:00:10.1234567Z',
    type: 'MQTT.EventPublished',
    source: 'kw-namespace',
    subject: `keepwatch/${deviceId}/signals/${cameraId}`,
    // The routing enrichments (shared/event-grid-mqtt.ts): a door sensor, allowed on this topic by the broker.
    kwclient: 'door-sensor',
    kwtopic: `keepwatch/${deviceId}/signals/${cameraId}`,
    data_base64: Buffer.from(payload).toString('base64'),
  };
}

/** A subscriber collecting every message on `filter` (JSON payloads), as the cloud user of the local broker. */
export async function collect(url: string, filter: string, auth: { username: string; password: string }): Promise<{ client: MqttClient; messages: Array<{ topic: string; body: Record<string, unknown> }> }> {
  const client = await mqtt.connectAsync(url, { ...auth, reconnectPeriod: 0 });
  const messages: Array<{ topic: string; body: Record<string, unknown> }> = [];
  client.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, messages };
}
