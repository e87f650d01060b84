import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { ENRICHMENT_CLIENT_NAME, ENRICHMENT_TOPIC, MQTT_EVENT_PUBLISHED, routeMqttPublish } from '../../../../shared/event-grid-mqtt';
import { decodeIngestMessage, rawPayload, type DecodedMessage } from '../../../../functions/ingest/ingest-decode';
import type { DeviceEvent } from '../../../../shared/contracts/device-events';

const START = Date.UTC(2026, 10, 21, 10, 0, 0);

function deviceEvent(deviceId = 'dev1', cameraId = 'cam1', id = 'evt-1'): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: `/devices/${deviceId}`,
    type: 'segment.uploaded',
    time: '2026-11-21T10:00:10.000Z',
    data: {
      cameraId,
      start: '2026-11-21T10:00:00.000Z',
      durationMs: 10_000,
      bytes: 1000,
      blobName: segmentBlobName(cameraId, START),
      sha256: '0'.repeat(64),
    },
  };
}

/** The routing enrichments Event Grid stamps (infra/modules/event-grid-mqtt.bicep): who published, on which topic. */
function enriched(client: string, topic: string): Record<string, string> {
  return { [ENRICHMENT_CLIENT_NAME]: client, [ENRICHMENT_TOPIC]: topic };
}

/** What Event Grid routes of a publish by `client` (default: the topic's device) on `topic`. */
function envelope(payload: Record<string, unknown>, topic = 'keepwatch/dev1/events/cam1', form: 'data' | 'data-string' | 'data_base64' = 'data', client = topic.split('/')[1]) {
  const base = { specversion: '1.0', id: 'eg-1', time: '2026-11-21T10:00:10.1234567Z', type: MQTT_EVENT_PUBLISHED, source: 'kw-ns', subject: topic, ...enriched(client, topic) };
  if (form === 'data') return { ...base, data: payload };
  if (form === 'data-string') return { ...base, data: JSON.stringify(payload) };
  return { ...base, data_base64: Buffer.from(JSON.stringify(payload)).toString('base64') };
}

function accepted(d: DecodedMessage): Extract<DecodedMessage, { ok: true }> {
  assert.equal(d.ok, true, d.ok ? '' : `${d.reasonCode}: ${d.reasonMessage}`);
  return d as Extract<DecodedMessage, { ok: true }>;
}

function rejected(d: DecodedMessage, code: string): Extract<DecodedMessage, { ok: false }> {
  assert.equal(d.ok, false, 'expected a rejection');
  const r = d as Extract<DecodedMessage, { ok: false }>;
  assert.equal(r.reasonCode, code, r.reasonMessage);
  return r;
}


/** The segment of an accepted `segment.uploaded` event. */
function uploaded(e: DeviceEvent): Extract<DeviceEvent, { kind: 'segment.uploaded' }> {
  assert.equal(e.kind, 'segment.uploaded');
  return e as Extract<DeviceEvent, { kind: 'segment.uploaded' }>;
}
describe('decodeIngestMessage: Event Hubs batch shapes', () => {
  const expectedSegment = {
    deviceId: 'dev1',
    cameraId: 'cam1',
    startMs: START,
    durationMs: 10_000,
    bytes: 1000,
    blobName: 'cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts',
    sha256: '0'.repeat(64),
    eventId: 'evt-1',
  };

  it('Event Grid envelope with the payload in data (object)', () => {
    const d = accepted(decodeIngestMessage(envelope(deviceEvent())));
    assert.deepEqual(uploaded(d.event).segment, expectedSegment);
  });

  it('Event Grid envelope with data as a JSON string, and with data_base64', () => {
    assert.deepEqual(uploaded(accepted(decodeIngestMessage(envelope(deviceEvent(), undefined, 'data-string'))).event).segment, expectedSegment);
    assert.deepEqual(uploaded(accepted(decodeIngestMessage(envelope(deviceEvent(), undefined, 'data_base64'))).event).segment, expectedSegment);
  });

  it('the whole message as a JSON string, a Buffer and a Uint8Array', () => {
    const json = JSON.stringify(envelope(deviceEvent()));
    assert.deepEqual(uploaded(accepted(decodeIngestMessage(json)).event).segment, expectedSegment);
    assert.deepEqual(uploaded(accepted(decodeIngestMessage(Buffer.from(json))).event).segment, expectedSegment);
    assert.deepEqual(uploaded(accepted(decodeIngestMessage(new Uint8Array(Buffer.from(json)))).event).segment, expectedSegment);
  });

  it('what routeMqttPublish (the local stand-in for Event Grid) makes, in each payload mode, structured mode included', () => {
    for (const extra of [{}, { payloadFormatIndicator: true }, { contentType: 'application/json' }, { contentType: 'application/cloudevents+json' }]) {
      const routed = routeMqttPublish({ authenticationName: 'dev1', topic: 'keepwatch/dev1/events/cam1', payload: Buffer.from(JSON.stringify(deviceEvent())), ...extra }, { namespace: 'ns', id: 'x', timeMs: START });
      assert.deepEqual(uploaded(accepted(decodeIngestMessage(routed)).event).segment, expectedSegment, JSON.stringify(extra));
    }
  });

  it('a device CloudEvent Event Grid forwarded as it is (structured mode): device and camera from the enrichments', () => {
    const d = accepted(decodeIngestMessage({ ...deviceEvent(), ...enriched('dev1', 'keepwatch/dev1/events/cam1') }));
    assert.deepEqual(uploaded(d.event).segment, expectedSegment);
  });

  it('malformed JSON (string, Buffer) and bytes that are not UTF-8', () => {
    assert.match(rejected(decodeIngestMessage('{"specversion": '), 'InvalidJson').reasonMessage, /not JSON/);
    rejected(decodeIngestMessage(Buffer.from('{oops')), 'InvalidJson');
    rejected(decodeIngestMessage(Buffer.from([0xff, 0xfe, 0xfd])), 'InvalidJson');
  });

  it('JSON that is not an object', () => {
    for (const v of ['[1,2]', '42', 'null', '"text"', [], null, 7]) rejected(decodeIngestMessage(v), 'InvalidEnvelope');
  });

  it('an envelope payload that is not JSON', () => {
    const e = { ...envelope(deviceEvent()), data: undefined, data_base64: Buffer.from('not json').toString('base64') };
    rejected(decodeIngestMessage(e), 'InvalidJson');
  });

  it('a wrong topic: other tree, invalid ids', () => {
    for (const topic of ['other/dev1/events/cam1', 'keepwatch/DEV/events/cam1', 'keepwatch/dev1/events/cam1/extra']) {
      assert.match(rejected(decodeIngestMessage(envelope(deviceEvent(), topic)), 'InvalidTopic').reasonMessage, /keepwatch\/\{deviceId\}\/events\/\{cameraId\}/);
    }
  });

  it('a device publishing as another device, or for another camera than its topic', () => {
    const r = rejected(decodeIngestMessage(envelope(deviceEvent('dev2'), 'keepwatch/dev1/events/cam1')), 'DeviceMismatch');
    assert.equal(r.deviceId, 'dev1');
    assert.equal(r.eventId, 'evt-1');
    rejected(decodeIngestMessage(envelope(deviceEvent('dev1', 'cam2'), 'keepwatch/dev1/events/cam1')), 'CameraMismatch');
  });

  it('a non-canonical blob name, bad data and unknown types keep their codes', () => {
    const badBlob = deviceEvent();
    (badBlob.data as Record<string, unknown>).blobName = 'cam1/elsewhere.ts';
    rejected(decodeIngestMessage(envelope(badBlob)), 'InvalidBlobName');
    const badData = deviceEvent();
    (badData.data as Record<string, unknown>).durationMs = -1;
    rejected(decodeIngestMessage(envelope(badData)), 'InvalidEventData');
    rejected(decodeIngestMessage(envelope({ ...deviceEvent(), type: 'segment.deleted' })), 'UnknownEventType');
  });

  it('forwarded CloudEvents with a bad envelope or a source that is not the publishing device', () => {
    const sender = enriched('dev1', 'keepwatch/dev1/events/cam1');
    rejected(decodeIngestMessage({ hello: 'world', ...sender }), 'InvalidCloudEvent');
    assert.match(rejected(decodeIngestMessage({ ...deviceEvent(), source: '/things/dev1', ...sender }), 'DeviceMismatch').reasonMessage, /\/things\/dev1/);
    rejected(decodeIngestMessage({ ...deviceEvent(), source: '/devices/../x', ...sender }), 'DeviceMismatch');
  });
});

describe('decodeIngestMessage: the sender comes from the transport (docs/security.md)', () => {
  it('no routing enrichments, in any form: MissingTransportIdentity, whatever the payload claims', () => {
    const bare: Record<string, unknown> = { ...envelope(deviceEvent()) };
    delete bare[ENRICHMENT_CLIENT_NAME];
    delete bare[ENRICHMENT_TOPIC];
    for (const m of [deviceEvent(), JSON.stringify(deviceEvent()), Buffer.from(JSON.stringify(deviceEvent())), bare, JSON.stringify(bare)]) {
      assert.equal(rejected(decodeIngestMessage(m), 'MissingTransportIdentity').eventId, 'evt-1', 'the dead letter still names the event');
    }
    // What routeMqttPublish makes without an authenticated name (a broker without the enrichments).
    rejected(decodeIngestMessage(routeMqttPublish({ topic: 'keepwatch/dev1/events/cam1', payload: Buffer.from(JSON.stringify(deviceEvent())) }, { namespace: 'ns', id: 'x', timeMs: START })), 'MissingTransportIdentity');
    // Half of them, empty or non-string values.
    for (const partial of [{ [ENRICHMENT_CLIENT_NAME]: 'dev1' }, { [ENRICHMENT_TOPIC]: 'keepwatch/dev1/events/cam1' }, enriched('', 'keepwatch/dev1/events/cam1'), { ...enriched('dev1', 'x'), [ENRICHMENT_TOPIC]: 7 }]) {
      rejected(decodeIngestMessage({ ...deviceEvent(), ...partial }), 'MissingTransportIdentity');
    }
  });

  it("device A's envelope naming B's topic in its subject (forwarded as it is): TopicMismatch; B's topic with A's name: DeviceMismatch", () => {
    const forged = { ...envelope(deviceEvent('dev2', 'cam2'), 'keepwatch/dev2/events/cam2'), ...enriched('dev1', 'keepwatch/dev1/events/cam1') };
    rejected(decodeIngestMessage(forged), 'TopicMismatch');
    const r = rejected(decodeIngestMessage(envelope(deviceEvent('dev2', 'cam2'), 'keepwatch/dev2/events/cam2', 'data', 'dev1')), 'DeviceMismatch');
    assert.deepEqual([r.deviceId, r.cameraId, r.eventId], ['dev2', 'cam2', 'evt-1']);
  });

  it("device A's bare CloudEvent with source /devices/B, forwarded with A's enrichments: DeviceMismatch", () => {
    rejected(decodeIngestMessage({ ...deviceEvent('dev2', 'cam1'), ...enriched('dev1', 'keepwatch/dev1/events/cam1') }), 'DeviceMismatch');
  });

  it("a status of another device's id, published by A: DeviceMismatch, never ignored", () => {
    rejected(decodeIngestMessage(envelope({ deviceId: 'dev2', state: 'online' }, 'keepwatch/dev2/status', 'data', 'dev1')), 'DeviceMismatch');
  });

  it('signals: any client the broker allowed on the topic (a door sensor has its own name)', () => {
    const d = accepted(decodeIngestMessage(envelope({ type: 'door' }, 'keepwatch/site-1/signals/door', 'data', 'door-sensor')));
    assert.ok(d.event.kind === 'signal' && d.event.signal.deviceId === 'site-1' && d.event.signal.cameraId === 'door');
  });
});

describe('rawPayload', () => {
  it('keeps strings, serialises objects, decodes UTF-8 bytes and base64-encodes other bytes', () => {
    assert.deepEqual(rawPayload('{bad'), { payload: '{bad', payloadEncoding: 'utf8' });
    assert.deepEqual(rawPayload({ a: 1 }), { payload: '{"a":1}', payloadEncoding: 'utf8' });
    assert.deepEqual(rawPayload(Buffer.from('héllo')), { payload: 'héllo', payloadEncoding: 'utf8' });
    assert.deepEqual(rawPayload(Buffer.from([0xff, 0x00])), { payload: '/wA=', payloadEncoding: 'base64' });
  });
});

describe('decodeIngestMessage: device status', () => {
  it('ignores a device status publish (routed like any publish) instead of dead-lettering it', () => {
    const status = envelope({ deviceId: 'dev1', state: 'online', time: '2026-11-21T10:00:00.000Z' }, 'keepwatch/dev1/status', 'data_base64');
    // A valid status comes with its payload and when the broker received it (the envelope's time), for health.
    assert.deepEqual(decodeIngestMessage(status), {
      ok: 'ignored',
      deviceId: 'dev1',
      online: true,
      status: { deviceId: 'dev1', state: 'online', time: '2026-11-21T10:00:00.000Z' },
      receivedMs: Date.parse(String(status.time)),
    });
    for (const form of ['data', 'data-string'] as const) {
      assert.deepEqual(decodeIngestMessage(envelope({ deviceId: 'dev1', state: 'online' }, 'keepwatch/dev1/status', form)), { ok: 'ignored', deviceId: 'dev1', online: true });
    }
    assert.deepEqual(decodeIngestMessage(envelope({ deviceId: 'dev1', state: 'offline' }, 'keepwatch/dev1/status')), { ok: 'ignored', deviceId: 'dev1', online: false });
    assert.deepEqual(decodeIngestMessage(envelope({ state: 'ONLINE' }, 'keepwatch/dev1/status')), { ok: 'ignored', deviceId: 'dev1', online: false }, 'only the exact state counts');
    const other = decodeIngestMessage(envelope({ x: 1 }, 'keepwatch/dev1/statuses'));
    assert.equal(other.ok, false);
  });

  it("keeps a status's cameras; a status that is not valid, or names another device in its payload, has no status (it moves no health)", () => {
    const cameras = { door: { state: 'not-recording', since: '2026-11-21T09:59:58.000Z', cause: 'connection-refused', message: 'connection refused by 127.0.0.1:554', retryAt: '2026-11-21T10:00:01.000Z' } };
    const d = decodeIngestMessage(envelope({ deviceId: 'dev1', state: 'online', time: '2026-11-21T10:00:00.000Z', cameras }, 'keepwatch/dev1/status'));
    assert.ok(d.ok === 'ignored' && d.status?.cameras?.door?.cause === 'connection-refused');
    for (const bad of [{ deviceId: 'dev2', state: 'online', time: '2026-11-21T10:00:00.000Z' }, { deviceId: 'dev1', state: 'online' }, { deviceId: 'dev1', state: 'online', time: '2026-11-21T10:00:00.000Z', cameras: { door: { state: 'sleeping', since: '2026-11-21T10:00:00.000Z' } } }]) {
      const r = decodeIngestMessage(envelope(bad, 'keepwatch/dev1/status'));
      assert.ok(r.ok === 'ignored' && r.status === undefined && r.receivedMs === undefined, JSON.stringify(bad));
    }
  });
});

describe('decodeIngestMessage: external signals on keepwatch/{deviceId}/signals/{cameraId}', () => {
  it('decodes plain JSON into a signal of the topic camera, time defaulting to the envelope time, id to a payload hash', () => {
    for (const form of ['data', 'data-string', 'data_base64'] as const) {
      const d = accepted(decodeIngestMessage(envelope({ type: 'door', properties: { state: 'open' } }, 'keepwatch/site-1/signals/door', form)));
      assert.equal(d.event.kind, 'signal');
      if (d.event.kind !== 'signal') return;
      const s = d.event.signal;
      assert.deepEqual([s.cameraId, s.deviceId, s.type, s.atMs, s.origin], ['door', 'site-1', 'door', Date.UTC(2026, 10, 21, 10, 0, 10, 123), 'mqtt']);
      assert.match(s.id, /^mqtt-[0-9a-f]{32}$/);
    }
    const withId = accepted(decodeIngestMessage(envelope({ type: 'door', id: 'door-7', time: '2026-11-21T09:00:00.000Z' }, 'keepwatch/site-1/signals/door')));
    assert.ok(withId.event.kind === 'signal' && withId.event.signal.id === 'door-7' && withId.event.signal.atMs === Date.UTC(2026, 10, 21, 9));
  });

  it('dead-letters a bad payload as InvalidSignal naming the key', () => {
    const r = rejected(decodeIngestMessage(envelope({ type: 'door', colour: 'red' }, 'keepwatch/site-1/signals/door')), 'InvalidSignal');
    assert.match(r.reasonMessage, /colour/);
    assert.deepEqual([r.deviceId, r.cameraId], ['site-1', 'door']);
    rejected(decodeIngestMessage(envelope({ type: 'Door Bell' }, 'keepwatch/site-1/signals/door')), 'InvalidSignal');
  });
});
