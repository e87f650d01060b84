import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAgentConfig } from '../../shared/schemas/agent-config';
import { parseDeviceEvent } from '../../shared/contracts/device-events';
import { parseHoldBody } from '../../shared/schemas/hold';
import { parseRecordingPolicy } from '../../shared/schemas/recording-policy';
import { signalFromDeviceEvent, signalFromHttp, signalFromMqtt } from '../../shared/contracts/signals';
import { parseUploadWindowCommand, uploadWindowCommand } from '../../shared/contracts/upload-window';
import { ID_PATTERN } from '../../shared/ids';
import { parseCameraCommandsTopic, parseCameraEventsTopic, parseCameraSignalsTopic } from '../../shared/contracts/topics';
import { segmentBlobName } from '../../shared/contracts/blob-naming';
import { checkProperty, hostileInput, onlyValidationErrors, type Json } from '../helpers/fuzz';

/**
 * Fuzzing (docs/security.md): the pure parsers of everything that crosses a trust boundary — agent config and recording
 * policy documents, device events, upload-window commands, signals (agent, MQTT, HTTP), hold bodies, topics — given
 * random JSON, mutations of a valid document and arbitrary JavaScript values, either accept or throw a
 * ValidationError with a code and a message; never another exception, never a polluted Object.prototype.
 */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

const AGENT_CONFIG: Json = {
  deviceId: 'site-1',
  cameras: [{ id: 'door-1', url: 'rtsp://10.0.0.5/stream', username: 'u', password: 'p', rtspTransport: 'tcp', inputOptions: ['-re'] }],
  segmentLength: 'PT10S',
  cameraReconnectMaximumDelay: 'PT30S',
  localMediaCacheMaximumSizeMiB: 64,
  broker: { url: 'mqtt://127.0.0.1:1883', password: 'pw', protocolVersion: 4 },
  upload: { blobServiceUrl: 'http://127.0.0.1:10000/devstoreaccount1', container: 'recordings', sasToken: 'sv=2025-11-05&sp=c&sig=x' },
  metrics: { port: 0, host: '127.0.0.1' },
};

const POLICY: Json = {
  mode: 'evr',
  retention: { archive: 'P7D', maximumSizeMiB: 1024 },
  evr: {
    signals: [{ type: 'motion', minimumConfidence: 0.5, zone: [[0, 0], [1, 0], [1, 1]] }],
    signalGate: { activationEvaluationWindow: 'PT1S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT30S', maximumActivationTime: 'PT1M' },
  },
};

const SEGMENT_EVENT: Json = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/devices/dev1',
  type: 'segment.uploaded',
  time: '2026-11-21T10:00:10.000Z',
  data: { cameraId: 'cam1', start: new Date(T0).toISOString(), durationMs: 10_000, bytes: 1000, blobName: segmentBlobName('cam1', T0), sha256: 'a'.repeat(64) },
};

const COMMAND = uploadWindowCommand({ cameraId: 'cam1', recordingId: `${T0}-0123456789ab`, startMs: T0, endMs: T0 + 60_000, final: false, sequence: 0 }, T0) as Json;
const SIGNAL_DATA: Json = { cameraId: 'cam1', type: 'motion', time: new Date(T0).toISOString(), end: new Date(T0 + 1000).toISOString(), label: 'person', confidence: 0.9, boxes: [{ l: 0.1, t: 0.1, w: 0.2, h: 0.2 }], properties: { a: 1 } };
const EXTERNAL_SIGNAL: Json = { id: 'door-7-open-1', type: 'door', time: new Date(T0).toISOString(), properties: { state: 'open' } };
const HOLD: Json = { start: new Date(T0).toISOString(), end: new Date(T0 + 60_000).toISOString(), reason: 'incident 42' };

function notPolluted(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
}

describe('fuzz: document and message parsers accept or throw ValidationError, nothing else', () => {
  it('sanity: the valid documents the mutations start from are accepted', () => {
    parseAgentConfig(AGENT_CONFIG);
    parseRecordingPolicy(POLICY);
    parseDeviceEvent(SEGMENT_EVENT, 'dev1', 'cam1');
    parseUploadWindowCommand(COMMAND, 'cam1');
    signalFromDeviceEvent('s1', SIGNAL_DATA, 'dev1');
    signalFromMqtt({ deviceId: 'dev1', cameraId: 'cam1' }, EXTERNAL_SIGNAL, T0, Buffer.from(JSON.stringify(EXTERNAL_SIGNAL)));
    parseHoldBody(HOLD);
  });

  it('agent config (parseAgentConfig)', async () => {
    await checkProperty('agent-config', fc.property(hostileInput(AGENT_CONFIG), (doc) => {
      if (onlyValidationErrors(() => parseAgentConfig(doc), doc) === 'ok') {
        const c = parseAgentConfig(doc);
        assert.match(c.deviceId, ID_PATTERN);
        assert.ok(c.cameras.every((cam) => ID_PATTERN.test(cam.id)));
      }
      notPolluted();
    }), 3);
  });

  it('recording policy (parseRecordingPolicy)', async () => {
    await checkProperty('recording-policy', fc.property(hostileInput(POLICY), (doc) => {
      onlyValidationErrors(() => parseRecordingPolicy(doc), doc);
      notPolluted();
    }), 3);
  });

  it('device events (parseDeviceEvent): accepted ones name the trusted device and camera and the canonical blob', async () => {
    await checkProperty('device-event', fc.property(hostileInput(SEGMENT_EVENT), (doc) => {
      if (onlyValidationErrors(() => parseDeviceEvent(doc, 'dev1', 'cam1'), doc) === 'ok') {
        const e = parseDeviceEvent(doc, 'dev1', 'cam1');
        if (e.kind === 'segment.uploaded') {
          assert.equal(e.segment.deviceId, 'dev1');
          assert.equal(e.segment.cameraId, 'cam1');
          assert.equal(e.segment.blobName, segmentBlobName('cam1', e.segment.startMs));
        }
      }
      notPolluted();
    }), 3);
  });

  it('upload-window commands (parseUploadWindowCommand): accepted ones are for the topic camera, end after start, ≤ 61 min', async () => {
    await checkProperty('upload-window-command', fc.property(hostileInput(COMMAND), (doc) => {
      if (onlyValidationErrors(() => parseUploadWindowCommand(doc, 'cam1'), doc) === 'ok') {
        const w = parseUploadWindowCommand(doc, 'cam1');
        assert.equal(w.cameraId, 'cam1');
        assert.ok(w.endMs > w.startMs && w.endMs - w.startMs <= 61 * 60_000);
      }
      notPolluted();
    }), 3);
  });

  it('agent signals (signalFromDeviceEvent)', async () => {
    await checkProperty('signal-device', fc.property(hostileInput(SIGNAL_DATA), (data) => {
      if (onlyValidationErrors(() => signalFromDeviceEvent('s1', data, 'dev1'), data) === 'ok') assert.match(signalFromDeviceEvent('s1', data, 'dev1').cameraId, ID_PATTERN);
      notPolluted();
    }), 3);
  });

  it('external signals over MQTT and HTTP (signalFromMqtt, signalFromHttp)', async () => {
    await checkProperty('signal-external', fc.property(hostileInput(EXTERNAL_SIGNAL), fc.integer({ min: -8.64e15, max: 8.64e15 }), (payload, receivedMs) => {
      let raw: Buffer;
      try {
        raw = Buffer.from(JSON.stringify(payload) ?? '');
      } catch {
        raw = Buffer.alloc(0); // bigint, cycles: what MQTT could never carry, still handed to the parser
      }
      onlyValidationErrors(() => signalFromMqtt({ deviceId: 'dev1', cameraId: 'cam1' }, payload, receivedMs, raw), payload);
      onlyValidationErrors(() => signalFromHttp('cam1', payload, receivedMs, () => 'http-1'), payload);
      notPolluted();
    }), 3);
  });

  it('hold bodies (parseHoldBody)', async () => {
    await checkProperty('hold-body', fc.property(hostileInput(HOLD), (doc) => {
      onlyValidationErrors(() => parseHoldBody(doc), doc);
      notPolluted();
    }), 3);
  });

  it('topic parsers never throw, and what they accept rebuilds the same topic with valid ids', async () => {
    const segment = fc.oneof(fc.constantFrom('keepwatch', 'events', 'signals', 'commands', 'dev1', 'cam1', '+', '#', '', '..', 'CAM1', 'саm1', 'x'.repeat(33)), fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 }));
    const topic = fc.oneof(fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/')), fc.string({ maxLength: 80 }));
    await checkProperty('topics', fc.property(topic, (t) => {
      for (const [parse, kind] of [[parseCameraEventsTopic, 'events'], [parseCameraSignalsTopic, 'signals'], [parseCameraCommandsTopic, 'commands']] as const) {
        const ids = parse(t);
        if (ids) {
          assert.match(ids.deviceId, ID_PATTERN);
          assert.match(ids.cameraId, ID_PATTERN);
          assert.equal(`keepwatch/${ids.deviceId}/${kind}/${ids.cameraId}`, t);
        }
      }
    }), 5);
  });
});
