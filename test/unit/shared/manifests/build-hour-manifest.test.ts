import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { archiveHourManifestSchema } from '../../../../shared/contracts/manifest';
import { buildHourManifest, type HourSegment } from '../../../../shared/manifests/build-hour-manifest';
import { manifestSegments } from '../../../../shared/manifests/manifest-segments';

const H = Date.UTC(2026, 10, 21, 10);
const seg = (startMs: number, durationMs = 10_000, n = 1): HourSegment => ({ startMs, durationMs, bytes: 1000 + n, sha256: String(n % 10).repeat(64), deviceId: 'dev1', eventId: `evt-${n}` });

describe('buildHourManifest', () => {
  const segments = [seg(H + 20_000, 10_000, 3), seg(H, 10_000, 1), seg(H + 10_000, 10_000, 2), seg(H + 3_590_000, 15_000, 4)];
  const files = buildHourManifest({
    cameraId: 'door',
    hourStartMs: H + 5,
    version: 2,
    writtenAtMs: H + 3_700_000,
    segments,
    gaps: [{ startMs: H + 30_000, endMs: H + 3_590_000, cause: 'camera-unavailable' }, { startMs: H - 60_000, endMs: H + 1, cause: 'agent-restart' }, { startMs: H + 3_700_000, endMs: H + 3_800_000, cause: 'eviction' }],
    stream: { video: { codec: 'h264', profile: 'Main', widthPx: 768, heightPx: 432, fps: 10 }, audio: null },
  });

  it('names both files of the version and passes its own schema', () => {
    assert.equal(files.jsonName, 'door/2026/11/21/10/manifest-v0002.json');
    assert.equal(files.playlistName, 'door/2026/11/21/10/manifest-v0002.m3u8');
    assert.deepEqual(archiveHourManifestSchema.parse(JSON.parse(JSON.stringify(files.manifest))), files.manifest);
    assert.equal(files.manifest.playlist, 'manifest-v0002.m3u8');
    assert.deepEqual([files.manifest.start, files.manifest.end, files.manifest.version], ['2026-11-21T10:00:00.000Z', '2026-11-21T11:00:00.000Z', 2]);
  });

  it('lists segments by start with relative URIs, and reads back to the same segments', () => {
    assert.deepEqual(files.manifest.segments.map((s) => s.uri), ['./2026-11-21T10:00:00.000Z.ts', './2026-11-21T10:00:10.000Z.ts', './2026-11-21T10:00:20.000Z.ts', './2026-11-21T10:59:50.000Z.ts']);
    assert.deepEqual(manifestSegments(files.manifest), [...segments].sort((a, b) => a.startMs - b.startMs));
  });

  it('clips gaps to the hour and drops those outside it', () => {
    assert.deepEqual(files.manifest.gaps, [
      { start: '2026-11-21T10:00:00.000Z', end: '2026-11-21T10:00:00.001Z', cause: 'agent-restart' },
      { start: '2026-11-21T10:00:30.000Z', end: '2026-11-21T10:59:50.000Z', cause: 'camera-unavailable' },
    ]);
  });

  it('the playlist is a VOD list of relative URIs with a discontinuity at the gap', () => {
    const lines = files.playlist.trim().split('\n');
    assert.equal(lines[0], '#EXTM3U');
    assert.equal(lines.at(-1), '#EXT-X-ENDLIST');
    assert.ok(lines.includes('#EXT-X-TARGETDURATION:15'));
    const uris = lines.filter((l) => !l.startsWith('#'));
    assert.deepEqual(uris, files.manifest.segments.map((s) => s.uri));
    assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1);
    assert.equal(lines[lines.indexOf('./2026-11-21T10:59:50.000Z.ts') - 3], '#EXT-X-DISCONTINUITY');
  });

  it('keeps an overlapping segment in the JSON (the index holds it) but not in the playlist', () => {
    const f = buildHourManifest({ cameraId: 'door', hourStartMs: H, version: 1, writtenAtMs: H, segments: [seg(H, 10_000, 1), seg(H + 5000, 10_000, 2)], gaps: [], stream: null });
    assert.equal(f.manifest.segments.length, 2);
    assert.equal(f.playlist.split('\n').filter((l) => l.startsWith('./')).length, 1);
  });

  it('refuses a segment that does not start in the hour', () => {
    assert.throws(() => buildHourManifest({ cameraId: 'door', hourStartMs: H, version: 1, writtenAtMs: H, segments: [seg(H + 3_600_000)], gaps: [], stream: null }), RangeError);
  });
});
