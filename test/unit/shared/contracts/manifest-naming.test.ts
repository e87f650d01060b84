import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegmentBlobName } from '../../../../shared/contracts/blob-naming';
import { archiveHourFolder, hourManifestBlobName, hourStart, parseHourManifestBlobName, parseRecordingManifestVersion, recordingManifestBlobName, segmentUriFromRecording, segmentUriInFolder } from '../../../../shared/contracts/manifest-naming';

const T = Date.UTC(2026, 10, 21, 10, 42, 7, 42);
const H = Date.UTC(2026, 10, 21, 10);

describe('manifest blob names', () => {
  it('an archive hour manifest sits in the hour folder beside its segments, versioned with 4 digits', () => {
    assert.equal(archiveHourFolder('door', T), 'door/2026/11/21/10/');
    assert.equal(hourManifestBlobName('door', T, 1, 'json'), 'door/2026/11/21/10/manifest-v0001.json');
    assert.equal(hourManifestBlobName('door', H, 12, 'm3u8'), 'door/2026/11/21/10/manifest-v0012.m3u8');
    assert.equal(hourStart(T), H);
  });

  it('refuses versions outside 1..9999 and invalid cameras', () => {
    assert.throws(() => hourManifestBlobName('door', H, 0, 'json'), RangeError);
    assert.throws(() => hourManifestBlobName('door', H, 10_000, 'json'), RangeError);
    assert.throws(() => hourManifestBlobName('Door', H, 1, 'json'), /camera/);
  });

  it('parses back exactly what it makes, and nothing else', () => {
    assert.deepEqual(parseHourManifestBlobName('door/2026/11/21/10/manifest-v0003.m3u8'), { cameraId: 'door', hourStartMs: H, version: 3, kind: 'm3u8' });
    for (const bad of ['door/2026/11/21/10/manifest-v0000.json', 'door/2026/11/21/10/manifest-v1.json', 'door/2026/11/21/24/manifest-v0001.json', 'door/2026/02/30/10/manifest-v0001.json', 'door/2026/11/21/10/manifest-v0001.txt', 'Door/2026/11/21/10/manifest-v0001.json']) {
      assert.equal(parseHourManifestBlobName(bad), undefined, bad);
    }
  });

  it('no manifest name is a segment blob name (a device upload URL can never name one)', () => {
    assert.equal(parseSegmentBlobName(hourManifestBlobName('door', H, 1, 'json')), undefined);
    assert.equal(parseSegmentBlobName(hourManifestBlobName('door', H, 1, 'm3u8')), undefined);
  });

  it('segment URIs are relative to the folder, with ./ so the colon cannot read as a scheme', () => {
    assert.equal(segmentUriInFolder('door', T), './2026-11-21T10:42:07.042Z.ts');
    assert.equal(new URL(segmentUriInFolder('door', T), 'https://a.example/door/2026/11/21/10/manifest-v0001.m3u8').pathname, '/door/2026/11/21/10/2026-11-21T10:42:07.042Z.ts');
  });
});

describe('recording manifest names', () => {
  const id = `${H}-0123456789ab`;
  it('{camera}/recordings/{id}/manifest-v{NNNN}, parsed back; segment URIs climb to the hour folders', () => {
    assert.equal(recordingManifestBlobName('door', id, 3, 'm3u8'), `door/recordings/${id}/manifest-v0003.m3u8`);
    assert.equal(parseRecordingManifestVersion(`door/recordings/${id}/manifest-v0003.json`), 3);
    assert.equal(parseRecordingManifestVersion(`door/recordings/${id}/manifest-v0000.json`), undefined);
    assert.equal(parseRecordingManifestVersion(`door/2026/11/21/10/manifest-v0001.json`), undefined);
    assert.throws(() => recordingManifestBlobName('door', 'not-an-id', 1, 'json'), RangeError);
    assert.equal(segmentUriFromRecording('door', T), '../../2026/11/21/10/2026-11-21T10:42:07.042Z.ts');
  });
});
