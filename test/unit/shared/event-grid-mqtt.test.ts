import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { MQTT_EVENT_PUBLISHED, routeMqttPublish, routingEnrichments, unwrapMqttPublished } from '../../../shared/event-grid-mqtt';

const stamp = { namespace: 'kw-ns', id: 'eg-1', timeMs: Date.UTC(2026, 10, 21, 10, 0, 0, 123) };
const topic = 'keepwatch/dev1/events/cam1';
const body = { specversion: '1.0', id: 'e1', source: '/devices/dev1', type: 'segment.uploaded', time: '2026-11-21T10:00:00Z', data: { a: 1 } };
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('routeMqttPublish (Event Grid MQTT routing)', () => {
  it('MQTT 3.1.1 / PFI 0: the payload goes base64 in data_base64, with the envelope attributes', () => {
    const e = routeMqttPublish({ topic, payload: bytes(body) }, stamp);
    assert.deepEqual(e, {
      specversion: '1.0',
      id: 'eg-1',
      time: '2026-11-21T10:00:00.1230000Z',
      type: MQTT_EVENT_PUBLISHED,
      source: 'kw-ns',
      subject: topic,
      data_base64: bytes(body).toString('base64'),
    });
    assert.equal('data' in e, false);
  });

  it('PFI 1 with JSON: the payload goes parsed in data', () => {
    const e = routeMqttPublish({ topic, payload: bytes(body), payloadFormatIndicator: true }, stamp);
    assert.deepEqual(e.data, body);
    assert.equal('data_base64' in e, false);
    assert.deepEqual(routeMqttPublish({ topic, payload: bytes(body), payloadFormatIndicator: 1 }, stamp).data, body);
  });

  it('content type application/json (with charset): data, and datacontenttype carries it', () => {
    const e = routeMqttPublish({ topic, payload: bytes(body), contentType: 'application/json; charset=utf-8' }, stamp);
    assert.deepEqual(e.data, body);
    assert.equal(e.datacontenttype, 'application/json; charset=utf-8');
  });

  it('PFI 1 with text that is not JSON: data is that text as a JSON string', () => {
    assert.equal(routeMqttPublish({ topic, payload: bytes('hello'), payloadFormatIndicator: true }, stamp).data, 'hello');
  });

  it('PFI 1 with bytes that are not UTF-8: falls back to data_base64', () => {
    const e = routeMqttPublish({ topic, payload: Buffer.from([0xff, 0xfe, 0x00]), payloadFormatIndicator: true }, stamp);
    assert.equal(e.data_base64, '//4A');
  });

  it('a structured-mode CloudEvent (application/cloudevents+json) is forwarded as it is, without the topic', () => {
    const e = routeMqttPublish({ topic, payload: bytes(body), contentType: 'application/cloudevents+json', payloadFormatIndicator: true }, stamp);
    assert.deepEqual(e, body);
  });

  it('with the authenticated name, every form carries the routing enrichments kwclient and kwtopic; the publisher cannot set them', () => {
    for (const extra of [{}, { payloadFormatIndicator: true }, { contentType: 'application/json' }]) {
      const e = routeMqttPublish({ authenticationName: 'dev1', topic, payload: bytes(body), ...extra }, stamp);
      assert.deepEqual([e.kwclient, e.kwtopic, e.subject], ['dev1', topic, topic]);
      assert.deepEqual(routingEnrichments(e), { authenticationName: 'dev1', topic });
    }
    const forged = { ...body, kwclient: 'dev2', kwtopic: 'keepwatch/dev2/events/cam2' };
    const e = routeMqttPublish({ authenticationName: 'dev1', topic, payload: bytes(forged), contentType: 'application/cloudevents+json' }, stamp);
    assert.deepEqual(e, { ...body, kwclient: 'dev1', kwtopic: topic });
  });

  it('routingEnrichments: undefined unless both are non-empty strings of at most 128 characters', () => {
    assert.equal(routingEnrichments({ kwclient: 'dev1' }), undefined);
    assert.equal(routingEnrichments({ kwclient: 'dev1', kwtopic: '' }), undefined);
    assert.equal(routingEnrichments({ kwclient: ['dev1'], kwtopic: topic }), undefined);
    assert.equal(routingEnrichments({ kwclient: 'd'.repeat(129), kwtopic: topic }), undefined);
    assert.equal(routingEnrichments(routeMqttPublish({ topic, payload: bytes(body) }, stamp)), undefined, 'no authenticated name, no enrichments');
  });
});

describe('unwrapMqttPublished', () => {
  const envelope = (extra: Record<string, unknown>) => ({ specversion: '1.0', id: 'eg-1', type: MQTT_EVENT_PUBLISHED, source: 'ns', subject: topic, time: '2026-11-21T10:00:00Z', ...extra });

  it('reads data as object, data as JSON string, and data_base64', () => {
    assert.deepEqual(unwrapMqttPublished(envelope({ data: body })), { topic, payload: body });
    assert.deepEqual(unwrapMqttPublished(envelope({ data: JSON.stringify(body) })), { topic, payload: body });
    assert.deepEqual(unwrapMqttPublished(envelope({ data_base64: bytes(body).toString('base64') })), { topic, payload: body });
  });

  it('round-trips every routing case that keeps the envelope', () => {
    for (const extra of [{}, { payloadFormatIndicator: true }, { contentType: 'application/json' }]) {
      const routed = routeMqttPublish({ topic, payload: bytes(body), ...extra }, stamp);
      assert.deepEqual(unwrapMqttPublished(routed), { topic, payload: body });
    }
  });

  it('rejects envelopes without subject or payload, bad base64, and payloads that are not JSON', () => {
    const fails = (e: Record<string, unknown>, code: string) =>
      assert.throws(() => unwrapMqttPublished(e), (x: unknown) => x instanceof ValidationError && x.code === code, JSON.stringify(e));
    fails(envelope({ subject: undefined, data: body }), 'InvalidEnvelope');
    fails(envelope({}), 'InvalidEnvelope');
    fails(envelope({ specversion: '0.3', data: body }), 'InvalidEnvelope');
    fails(envelope({ data_base64: '***' }), 'InvalidEnvelope');
    fails(envelope({ data_base64: bytes('{not json').toString('base64') }), 'InvalidJson');
    fails(envelope({ data_base64: Buffer.from([0xff, 0xfe]).toString('base64') }), 'InvalidJson');
    fails(envelope({ data: 'hello' }), 'InvalidJson');
  });
});
