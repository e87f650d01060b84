import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { ValidationError } from '../../../../shared/errors';
import { deviceSource, DIAGNOSTICS, GAP, parseDeviceEvent, SEGMENT_UPLOADED } from '../../../../shared/contracts/device-events';

const START = Date.UTC(2026, 10, 21, 10, 0, 0, 250);

function event(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: deviceSource('dev1'),
    type: SEGMENT_UPLOADED,
    time: '2026-11-21T10:00:10.300Z',
    subject: 'cam1',
    datacontenttype: 'application/json',
    data: {
      cameraId: 'cam1',
      start: '2026-11-21T10:00:00.250Z',
      durationMs: 10_000,
      bytes: 123_456,
      blobName: segmentBlobName('cam1', START),
      sha256: 'ab'.repeat(32),
      ...data,
    },
    ...overrides,
  };
}

function rejects(raw: unknown, code: string, pattern: RegExp, device = 'dev1', camera?: string): void {
  assert.throws(
    () => parseDeviceEvent(raw, device, camera),
    (e: unknown) => e instanceof ValidationError && e.code === code && pattern.test(e.message),
  );
}

describe('parseDeviceEvent', () => {
  it('accepts a valid segment.uploaded and returns the segment in ms', () => {
    const parsed = parseDeviceEvent(event(), 'dev1', 'cam1');
    assert.equal(parsed.kind, SEGMENT_UPLOADED);
    assert.deepEqual(parsed.segment, {
      deviceId: 'dev1',
      cameraId: 'cam1',
      startMs: START,
      durationMs: 10_000,
      bytes: 123_456,
      blobName: 'cam1/2026/11/21/10/2026-11-21T10:00:00.250Z.ts',
      sha256: 'ab'.repeat(32),
      eventId: 'evt-1',
    });
  });

  it('accepts extension attributes and a start written with an offset', () => {
    const parsed = parseDeviceEvent(event({ traceparent: '00-abc' }, { start: '2026-11-21T11:00:00.250+01:00' }), 'dev1');
    assert.equal(parsed.kind, SEGMENT_UPLOADED);
    assert.equal(parsed.segment.startMs, START);
  });

  it('rejects a bad envelope: not an object, wrong specversion, missing id or time', () => {
    rejects('nope', 'InvalidCloudEvent', /CloudEvent/);
    rejects(event({ specversion: '0.3' }), 'InvalidCloudEvent', /specversion/);
    rejects(event({ id: '' }), 'InvalidCloudEvent', /id/);
    rejects(event({ time: 'yesterday' }), 'InvalidCloudEvent', /time/);
  });

  it('rejects an event from another device than the publishing one', () => {
    rejects(event({ source: deviceSource('dev2') }), 'DeviceMismatch', /dev2.*dev1|does not match/);
  });

  it('rejects unknown event types', () => {
    rejects(event({ type: 'segment.deleted' }), 'UnknownEventType', /segment\.deleted/);
  });

  it('rejects bad data naming each key: camera id, duration, bytes, sha256, unknown keys', () => {
    rejects(event({}, { cameraId: '../x' }), 'InvalidEventData', /cameraId/);
    rejects(event({}, { durationMs: 0 }), 'InvalidEventData', /durationMs/);
    rejects(event({}, { durationMs: 3_600_001 }), 'InvalidEventData', /durationMs/);
    rejects(event({}, { bytes: 1.5 }), 'InvalidEventData', /bytes/);
    rejects(event({}, { sha256: 'AB'.repeat(32) }), 'InvalidEventData', /sha256/);
    rejects(event({}, { colour: 'red' }), 'InvalidEventData', /unknown key 'colour'/);
    rejects(event({ data: undefined }), 'InvalidEventData', /data/);
  });

  it('rejects a camera that does not match the topic camera', () => {
    rejects(event(), 'CameraMismatch', /cam1.*cam2/, 'dev1', 'cam2');
  });

  it('rejects a blob name that is not the canonical name of camera + start', () => {
    rejects(event({}, { blobName: 'cam1/other.ts' }), 'InvalidBlobName', /cam1\/other\.ts/);
    rejects(event({}, { blobName: segmentBlobName('cam1', START + 1) }), 'InvalidBlobName', /not the segment's name/);
    rejects(event({}, { blobName: segmentBlobName('cam2', START) }), 'InvalidBlobName', /cam2/);
  });

  describe('gap events', () => {
    const gap = (data: Record<string, unknown>, overrides: Record<string, unknown> = {}) => ({
      specversion: '1.0',
      id: 'gap-cam1-1',
      source: deviceSource('dev1'),
      type: GAP,
      time: '2026-11-21T10:00:30.000Z',
      data: { cameraId: 'cam1', start: '2026-11-21T10:00:00.250Z', end: '2026-11-21T10:00:20.250Z', cause: 'camera-unavailable', ...data },
      ...overrides,
    });

    it('accepts a gap with its cause, times in epoch ms', () => {
      const parsed = parseDeviceEvent(gap({}), 'dev1', 'cam1');
      assert.equal(parsed.kind, GAP);
      assert.deepEqual(parsed.gap, { deviceId: 'dev1', cameraId: 'cam1', startMs: START, endMs: START + 20_000, cause: 'camera-unavailable', eventId: 'gap-cam1-1' });
    });

    it('rejects an unknown cause, an empty or inverted or year-long gap, another camera, another device', () => {
      rejects(gap({ cause: 'gremlins' }), 'InvalidEventData', /cause/);
      rejects(gap({ end: '2026-11-21T10:00:00.250Z' }), 'InvalidEventData', /must end after it starts/);
      rejects(gap({ end: '2026-11-21T09:00:00.000Z' }), 'InvalidEventData', /must end after it starts/);
      rejects(gap({ end: '2027-11-23T10:00:00.000Z' }), 'InvalidEventData', /366 days/);
      rejects(gap({ cameraId: 'cam2' }), 'CameraMismatch', /cam2/, 'dev1', 'cam1');
      rejects(gap({}, { source: deviceSource('dev2') }), 'DeviceMismatch', /dev2/);
      rejects(gap({ extra: 1 }), 'InvalidEventData', /unknown key 'extra'/);
    });
  });

  describe('diagnostics events', () => {
    const diag = (data: Record<string, unknown>) => ({ specversion: '1.0', id: 'd-1', source: deviceSource('dev1'), type: DIAGNOSTICS, time: '2026-11-21T10:00:00.000Z', data: { cameraId: 'cam1', ...data } });

    it('accepts each kind with its fields', () => {
      const parsed = parseDeviceEvent(diag({ kind: 'session-established', video: 'h264 (Main)', audio: ['aac'] }), 'dev1', 'cam1');
      assert.equal(parsed.kind, DIAGNOSTICS);
      assert.deepEqual(parsed.diagnostics, { cameraId: 'cam1', kind: 'session-established', video: 'h264 (Main)', audio: ['aac'] });
      assert.equal(parseDeviceEvent(diag({ kind: 'data-dropped', message: 'RTP: missed 3 packets' }), 'dev1').kind, DIAGNOSTICS);
    });

    it('rejects an unknown kind, an overlong message, unknown keys and another camera', () => {
      rejects(diag({ kind: 'gremlins' }), 'InvalidEventData', /kind/);
      rejects(diag({ kind: 'protocol-error', message: 'x'.repeat(513) }), 'InvalidEventData', /message/);
      rejects(diag({ kind: 'protocol-error', colour: 'red' }), 'InvalidEventData', /unknown key 'colour'/);
      rejects(diag({ kind: 'protocol-error', cameraId: 'cam2' }), 'CameraMismatch', /cam2/, 'dev1', 'cam1');
    });

    it('a session failure carries its cause; an unknown cause, or a cause on a kind that is no failure, is refused', () => {
      const parsed = parseDeviceEvent(diag({ kind: 'authorization-error', message: 'wrong username or password (401 Unauthorized)', cause: 'unauthorized' }), 'dev1', 'cam1');
      assert.equal(parsed.kind, DIAGNOSTICS);
      assert.deepEqual(parsed.diagnostics, { cameraId: 'cam1', kind: 'authorization-error', message: 'wrong username or password (401 Unauthorized)', cause: 'unauthorized' });
      for (const [kind, cause] of [['protocol-error', 'connection-refused'], ['protocol-error', 'dns'], ['unsupported-format', 'unsupported-codec'], ['storage-error', 'storage']]) {
        assert.equal(parseDeviceEvent(diag({ kind, message: 'm', cause }), 'dev1').kind, DIAGNOSTICS, `${kind} ${cause}`);
      }
      assert.equal(parseDeviceEvent(diag({ kind: 'protocol-error', message: 'Connection refused' }), 'dev1').kind, DIAGNOSTICS, 'without a cause, as agents sent before');
      rejects(diag({ kind: 'protocol-error', message: 'm', cause: 'gremlins' }), 'InvalidEventData', /cause/);
      rejects(diag({ kind: 'session-established', video: 'h264', audio: [], cause: 'dns' }), 'InvalidEventData', /cause is only sent with kind/);
      rejects(diag({ kind: 'data-dropped', message: 'RTP: missed 3 packets', cause: 'timeout' }), 'InvalidEventData', /cause/);
    });

    describe('stream info of session-established', () => {
      const stream = { video: { codec: 'h264', profile: 'High', widthPx: 1280, heightPx: 720, fps: 25 }, audio: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 2 } };
      const established = (s: unknown) => diag({ kind: 'session-established', video: 'h264 (High), 1280x720', audio: [], stream: s });
      const diagnosticsOf = (raw: unknown) => {
        const parsed = parseDeviceEvent(raw, 'dev1', 'cam1');
        assert.equal(parsed.kind, DIAGNOSTICS);
        return parsed.diagnostics;
      };

      it('accepts it beside the raw descriptions, with or without audio, with unknowns as null', () => {
        assert.deepEqual(diagnosticsOf(established(stream)), { cameraId: 'cam1', kind: 'session-established', video: 'h264 (High), 1280x720', audio: [], stream });
        const unknowns = { video: { codec: 'hevc', profile: null, widthPx: null, heightPx: null, fps: null }, audio: null };
        assert.deepEqual(diagnosticsOf(established(unknowns)).stream, unknowns);
      });

      it('rejects bad or unknown fields, missing fields, and stream info on another kind', () => {
        const video = stream.video;
        rejects(established({ ...stream, video: { ...video, widthPx: -1280 } }), 'InvalidEventData', /stream\.video\.widthPx/);
        rejects(established({ ...stream, video: { ...video, fps: 0 } }), 'InvalidEventData', /stream\.video\.fps/);
        rejects(established({ ...stream, video: { ...video, codec: 'H.264' } }), 'InvalidEventData', /stream\.video\.codec/);
        rejects(established({ ...stream, video: { ...video, width: 1280 } }), 'InvalidEventData', /unknown key 'width' at stream\.video/);
        rejects(established({ ...stream, audio: { ...stream.audio, sampleRateHz: '48000' } }), 'InvalidEventData', /stream\.audio\.sampleRateHz/);
        rejects(established({ video }), 'InvalidEventData', /stream\.audio/);
        rejects(established('h264'), 'InvalidEventData', /stream/);
        rejects(diag({ kind: 'protocol-error', message: 'x', stream }), 'InvalidEventData', /stream is only sent with kind session-established/);
      });
    });
  });
});
