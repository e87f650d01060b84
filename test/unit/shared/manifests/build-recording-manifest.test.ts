import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordingManifestSchema } from '../../../../shared/contracts/manifest';
import { buildRecordingManifest } from '../../../../shared/manifests/build-recording-manifest';

const T = Date.UTC(2026, 10, 21, 10, 59, 55);
const recording = { id: `${T}-0123456789ab`, cameraId: 'door', gateRecordingId: 'door-open-1', startMs: T, endMs: T + 15_000, signals: [{ id: 'door-open-1', type: 'door', atMs: T + 5000, label: 'opened' }], signalCount: 3 };
const seg = (startMs: number) => ({ startMs, durationMs: 10_000, bytes: 10, sha256: 'b'.repeat(64), deviceId: 'dev1', eventId: `e-${startMs}` });

describe('buildRecordingManifest', () => {
  const files = buildRecordingManifest({ recording, version: 1, writtenAtMs: T + 3_600_000, segments: [seg(T + 5000), seg(T - 5000)], gaps: [{ startMs: T - 60_000, endMs: T + 1000, cause: 'eviction' }], stream: null });

  it('lives under {camera}/recordings/{id}/ and passes its schema', () => {
    assert.equal(files.jsonName, `door/recordings/${recording.id}/manifest-v0001.json`);
    assert.equal(files.playlistName, `door/recordings/${recording.id}/manifest-v0001.m3u8`);
    assert.deepEqual(recordingManifestSchema.parse(JSON.parse(JSON.stringify(files.manifest))), files.manifest);
  });

  it('carries the recording with its signals, the gaps clipped to the window, and URIs up to the hour folders', () => {
    assert.deepEqual(files.manifest.recording, { id: recording.id, gateRecordingId: 'door-open-1', start: '2026-11-21T10:59:55.000Z', end: '2026-11-21T11:00:10.000Z', signals: [{ id: 'door-open-1', type: 'door', at: '2026-11-21T11:00:00.000Z', label: 'opened' }], signalCount: 3 });
    assert.deepEqual(files.manifest.gaps, [{ start: '2026-11-21T10:59:55.000Z', end: '2026-11-21T10:59:56.000Z', cause: 'eviction' }]);
    assert.deepEqual(files.manifest.segments.map((s) => s.uri), ['../../2026/11/21/10/2026-11-21T10:59:50.000Z.ts', '../../2026/11/21/11/2026-11-21T11:00:00.000Z.ts']);
    assert.deepEqual(files.playlist.split('\n').filter((l) => l.startsWith('../')), files.manifest.segments.map((s) => s.uri));
    assert.equal(new URL(files.manifest.segments[1].uri, `https://a.example/${files.playlistName}`).pathname, '/door/2026/11/21/11/2026-11-21T11:00:00.000Z.ts');
  });

  it('refuses a segment outside the window', () => {
    assert.throws(() => buildRecordingManifest({ recording, version: 1, writtenAtMs: T, segments: [seg(T + 15_000)], gaps: [], stream: null }), RangeError);
  });
});

