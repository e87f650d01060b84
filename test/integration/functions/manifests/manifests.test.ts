import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { ingest } from '../../../../functions/ingest/ingest';
import { manifests } from '../../../../functions/manifests/manifests';
import { playlist } from '../../../../functions/playback/playlist';
import { playbackGrantQuery } from '../../../../functions/playback/playback-token';
import { applyCameraRetention } from '../../../../functions/retention/retention-camera';
import { archiveHourManifestSchema } from '../../../../shared/contracts/manifest';
import { archiveHourFolder, hourManifestBlobName, hourStart } from '../../../../shared/contracts/manifest-naming';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import type { SegmentSpan } from '../../../../shared/ports/segment-index';
import { DAY_MS, HOUR_MS, MINUTE_MS, toIso } from '../../../../shared/time';
import { recordRealSegments, sha256Hex, uploadAndIngest, type RealSegment } from '../../../helpers/archive-fixtures';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { decodeFully } from '../../../helpers/ffmpeg';
import { batchContext, diagnosticsEvent, gapEvent, TEST_SECRET, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';
import { recordingsContainer } from '../../../helpers/segment-blob-fixtures';

/**
 * Asset manifests on Azurite with real segments (the fixture clip cut by ffmpeg with codec copy, as the recorder
 * does) indexed by the real ingest handler: the `manifests` timer writes a closed hour's playlist and JSON beside its
 * media, a copy of the folder plays in ffmpeg with nothing of Keepwatch running, the hashes are the stored bytes',
 * the signed playlist read from manifests equals the one read from index rows, and late segments and retention re-open
 * an hour with a new version.
 */
describe('asset manifests of archive hours (Azurite, real segments, real ffmpeg)', () => {
  let azurite: AzuriteInstance;
  let deps: FunctionsDeps;
  let tmp: string;
  const CAMERA = 'door';
  /** Now, real: the hours before the current one have closed, as they would in production. */
  const NOW = Date.now();
  const OPEN_HOUR = hourStart(NOW);
  const H0 = OPEN_HOUR - 3 * HOUR_MS;
  const H1 = OPEN_HOUR - 2 * HOUR_MS;
  const H2 = OPEN_HOUR - HOUR_MS;
  let sessionA: RealSegment[];
  let startsA: number[];
  let startsB: number[];
  let startsOpen: number[];

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kw-manifests-'));
    azurite = await startAzurite();
    deps = createDeps(testSettings(azurite.connectionString, { KEEPWATCH_MANIFEST_GRACE: 'PT1M' }));
    await deps.ensureStorage();
    sessionA = recordRealSegments(6);
    // Hour H0: session A (6 × 2 s) at :10, a camera outage reported as a gap, session B (3 × 2 s) at :20.
    startsA = await uploadAndIngest(deps, CAMERA, H0 + 10 * MINUTE_MS, sessionA);
    startsB = await uploadAndIngest(deps, CAMERA, H0 + 20 * MINUTE_MS, recordRealSegments(3, 12));
    // Hours H1 and H2: 4 segments, the last one starting in H2; and the open hour: 2 segments (if it has begun long enough).
    await uploadAndIngest(deps, CAMERA, H1 + HOUR_MS - 5000, recordRealSegments(4, 4));
    startsOpen = NOW - OPEN_HOUR > 10_000 ? await uploadAndIngest(deps, CAMERA, OPEN_HOUR, recordRealSegments(2, 20)) : [];
    const stream = { video: { codec: 'h264', profile: 'Main', widthPx: 768, heightPx: 432, fps: 10 }, audio: null };
    const ctx = batchContext();
    const summary = await ingest(
      [
        viaEventGrid(gapEvent({ cameraId: CAMERA, startMs: startsA[5] + sessionA[5].durationMs, endMs: startsB[0], cause: 'camera-unavailable' })),
        viaEventGrid(diagnosticsEvent({ id: 'diag-door-1', cameraId: CAMERA, kind: 'session-established', time: toIso(H0 + 9 * MINUTE_MS), video: 'h264 (Main), 768x432', audio: [], stream })),
      ],
      ctx,
      deps,
    );
    assert.equal(summary.accepted, 2, JSON.stringify(ctx.logs));
  });

  after(async () => {
    await azurite?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The signed playlist of [startMs, endMs) as the playlist handler answers it, with a fixed clock (so SAS URLs are comparable). */
  async function signedPlaylist(startMs: number, endMs: number, d: Pick<FunctionsDeps, 'settings' | 'sasSigner' | 'segmentIndex' | 'manifestHours' | 'manifestBlobs'>): Promise<string> {
    const fixedNow = NOW + 1000;
    const query = playbackGrantQuery({ cameraId: CAMERA, startMs, endMs, expiresMs: fixedNow + HOUR_MS }, TEST_SECRET);
    const res = await playlist(new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/cameras/${CAMERA}/playlist.m3u8?${query}`, params: { cameraId: CAMERA } }), batchContext(), { ...d, now: () => fixedNow });
    assert.equal(res.status, 200, String(res.body ?? JSON.stringify(res.jsonBody)));
    return String(res.body);
  }

  /** Copies every blob under `prefix` to `dir`, keeping the names below the prefix. */
  async function downloadFolder(prefix: string, dir: string): Promise<string[]> {
    const container = recordingsContainer(deps.settings);
    const names: string[] = [];
    mkdirSync(dir, { recursive: true });
    for await (const b of container.listBlobsFlat({ prefix })) {
      writeFileSync(path.join(dir, b.name.slice(prefix.length)), await container.getBlobClient(b.name).downloadToBuffer());
      names.push(b.name.slice(prefix.length));
    }
    return names;
  }

  let rowScanPlaylist = '';

  it('before any manifest, the playlist is read from the index rows (every hour dirty)', async () => {
    const hours = await deps.manifestHours.listHours(CAMERA, H0, OPEN_HOUR + HOUR_MS);
    assert.deepEqual(hours.map((h) => [toIso(h.hourStartMs), h.dirty, h.version]), [
      [toIso(H0), true, 0],
      [toIso(H1), true, 0],
      [toIso(H2), true, 0],
      ...(startsOpen.length ? [[toIso(OPEN_HOUR), true, 0]] : []),
    ]);
    rowScanPlaylist = await signedPlaylist(H0, NOW, deps);
    assert.equal((rowScanPlaylist.match(/#EXTINF/g) ?? []).length, 6 + 3 + 4 + startsOpen.length);
  });

  it('an hour closes: the manifests timer writes its playlist and JSON beside the media; the open hour gets none', async () => {
    const run = await manifests(undefined, batchContext(), deps);
    assert.deepEqual(run.failed, []);
    assert.equal(run.outcomes.written, 3, JSON.stringify(run));
    const container = recordingsContainer(deps.settings);
    for (const h of [H0, H1, H2]) {
      for (const kind of ['json', 'm3u8'] as const) assert.ok(await container.getBlobClient(hourManifestBlobName(CAMERA, h, 1, kind)).exists(), `${kind} of ${toIso(h)}`);
    }
    assert.equal(await container.getBlobClient(hourManifestBlobName(CAMERA, OPEN_HOUR, 1, 'json')).exists(), false, 'the open hour has no manifest');
    const hours = await deps.manifestHours.listHours(CAMERA, H0, H2 + HOUR_MS);
    assert.deepEqual(hours.map((h) => [h.dirty, h.version, h.segmentCount]), [[false, 1, 9], [false, 1, 3], [false, 1, 1]]);
    assert.equal((await manifests(undefined, batchContext(), deps)).dirty, 0, 'a second run finds nothing to do');
  });

  it("the JSON manifest lists every segment with the stored blob's size and SHA-256, the gap with its cause and the stream", async () => {
    const container = recordingsContainer(deps.settings);
    const json = JSON.parse((await container.getBlobClient(hourManifestBlobName(CAMERA, H0, 1, 'json')).downloadToBuffer()).toString('utf8'));
    const m = archiveHourManifestSchema.parse(json);
    assert.equal(m.start, toIso(H0));
    assert.equal(m.playlist, 'manifest-v0001.m3u8');
    assert.deepEqual(m.segments.map((s) => s.start), [...startsA, ...startsB].map(toIso));
    for (const s of m.segments) {
      const stored = await container.getBlobClient(segmentBlobName(CAMERA, Date.parse(s.start))).downloadToBuffer();
      assert.equal(s.sha256, sha256Hex(stored), `${s.start}: hash of the stored bytes`);
      assert.equal(s.bytes, stored.length);
      assert.equal(s.uri, `./${s.start}.ts`);
      assert.equal(s.deviceId, 'dev1');
    }
    assert.deepEqual(m.gaps, [{ start: toIso(startsA[5] + sessionA[5].durationMs), end: toIso(startsB[0]), cause: 'camera-unavailable' }]);
    assert.deepEqual(m.stream?.video, { codec: 'h264', profile: 'Main', widthPx: 768, heightPx: 432, fps: 10 });
  });

  it('a copy of the hour folder on local disk plays in ffmpeg with nothing of Keepwatch running', async () => {
    const dir = path.join(tmp, 'copy-h0');
    const files = await downloadFolder(archiveHourFolder(CAMERA, H0), dir);
    assert.ok(files.includes('manifest-v0001.m3u8') && files.filter((f) => f.endsWith('.ts')).length === 9, files.join(' '));
    const decoded = await decodeFully(path.join(dir, 'manifest-v0001.m3u8'));
    assert.equal(decoded.code, 0, decoded.errors.join('\n'));
    assert.deepEqual(decoded.errors, []);
    assert.equal(decoded.frames, 9 * 2 * 10, 'every frame of the 9 segments (2 s at 10 fps)');
  });

  it('the playlist from manifests equals the playlist from index rows byte for byte, and scans only the open hour', async () => {
    const scanned: Array<[string, string]> = [];
    const observed = {
      ...deps,
      segmentIndex: {
        ...deps.segmentIndex,
        listSegmentSpans: (cameraId: string, startMs: number, endMs: number, onPage?: (spans: readonly SegmentSpan[]) => void) => {
          scanned.push([toIso(startMs), toIso(endMs)]);
          return deps.segmentIndex.listSegmentSpans(cameraId, startMs, endMs, onPage);
        },
      },
    };
    assert.equal((await deps.manifestHours.getMarker(CAMERA))?.sinceHourMs, 0, 'the backfill of the timer run found every hour tracked');
    const fromManifests = await signedPlaylist(H0, NOW, observed);
    assert.equal(fromManifests, rowScanPlaylist);
    // Only the open hour is scanned; the hour before H0 (the look-back for a segment reaching into the range) has no
    // row and every hour of the camera is tracked (the timer's backfill set its marker to 0), so no segment: not read.
    assert.deepEqual(scanned, startsOpen.length ? [[toIso(OPEN_HOUR), toIso(NOW)]] : []);
    // A range that starts inside a segment of a closed hour and ends inside another.
    const inner = [startsA[1] + 500, startsB[1] + 700] as const;
    const before = await signedPlaylist(inner[0], inner[1], deps);
    assert.match(before, new RegExp(`#EXT-X-PROGRAM-DATE-TIME:${toIso(startsA[1]).replace(/\./g, '\\.')}`));
    const dirtyHours = async (cameraId: string, fromMs: number, toMs: number) => (await deps.manifestHours.listHours(cameraId, fromMs, toMs)).map((h) => ({ ...h, dirty: true }));
    const rows = await signedPlaylist(inner[0], inner[1], { ...deps, manifestHours: { listHours: dirtyHours, getMarker: (cameraId: string) => deps.manifestHours.getMarker(cameraId) } as unknown as FunctionsDeps['manifestHours'] });
    assert.equal(before, rows, 'the same with every hour scanned');
    // Hours whose rows carry no spans (they did not fit) are read from their JSON manifests: the same again.
    const reads: string[] = [];
    const withoutSpans = {
      ...deps,
      manifestHours: {
        listHours: async (cameraId: string, fromMs: number, toMs: number) => (await deps.manifestHours.listHours(cameraId, fromMs, toMs)).map(({ spans: _s, ...h }) => h),
        getMarker: (cameraId: string) => deps.manifestHours.getMarker(cameraId),
      } as unknown as FunctionsDeps['manifestHours'],
      manifestBlobs: { read: (name: string) => (reads.push(name), deps.manifestBlobs.read(name)) } as unknown as FunctionsDeps['manifestBlobs'],
    };
    assert.equal(await signedPlaylist(H0, NOW, withoutSpans), rowScanPlaylist);
    assert.deepEqual(reads.sort(), [H0, H1, H2].map((h) => hourManifestBlobName(CAMERA, h, 1, 'json')));
  });

  it('a late segment re-opens its hour: the next run writes version 2, deletes version 1, and playback follows', async () => {
    // An agent back from an outage uploads a segment recorded during H0's gap.
    const late = recordRealSegments(1, 30);
    const lateStart = startsB[0] - 60_000;
    await uploadAndIngest(deps, CAMERA, lateStart, late, 'dev1');
    const [row] = await deps.manifestHours.listHours(CAMERA, H0, H0 + HOUR_MS);
    assert.deepEqual([row.dirty, row.version], [true, 1], 'dirty, the old version still recorded');
    const scanPlaylist = await signedPlaylist(H0, H0 + HOUR_MS, deps);
    assert.match(scanPlaylist, new RegExp(toIso(lateStart).replace(/\./g, '\\.')), 'a dirty hour is scanned: the late segment plays at once');

    const run = await manifests(undefined, batchContext(), deps);
    assert.equal(run.outcomes.written, 1, JSON.stringify(run));
    const container = recordingsContainer(deps.settings);
    assert.equal(await container.getBlobClient(hourManifestBlobName(CAMERA, H0, 1, 'json')).exists(), false, 'version 1 deleted');
    const m = archiveHourManifestSchema.parse(JSON.parse((await container.getBlobClient(hourManifestBlobName(CAMERA, H0, 2, 'json')).downloadToBuffer()).toString('utf8')));
    assert.equal(m.version, 2);
    assert.equal(m.segments.length, 10);
    assert.ok(m.segments.some((s) => s.start === toIso(lateStart) && s.sha256 === sha256Hex(late[0].bytes)));
    assert.equal(await signedPlaylist(H0, H0 + HOUR_MS, deps), scanPlaylist, 'from the new manifest, the same playlist');
    const dir = path.join(tmp, 'copy-h0-v2');
    await downloadFolder(archiveHourFolder(CAMERA, H0), dir);
    const decoded = await decodeFully(path.join(dir, 'manifest-v0002.m3u8'));
    assert.equal(decoded.code, 0, decoded.errors.join('\n'));
    assert.equal(decoded.frames, 10 * 2 * 10);
  });

  it('an indexed segment whose blob is gone is left out: no new version for it, run after run', async () => {
    // A late segment into H1, whose blob goes before the manifest is written (a retention step between its blob and
    // its row deletes, or a lost blob).
    const [lateStart] = await uploadAndIngest(deps, CAMERA, H1 + 30 * MINUTE_MS, recordRealSegments(1, 8));
    await recordingsContainer(deps.settings).getBlobClient(segmentBlobName(CAMERA, lateStart)).delete();
    for (let i = 0; i < 2; i++) {
      const ctx = batchContext();
      const run = await manifests(undefined, ctx, deps);
      assert.equal(run.outcomes.unchanged, 1, JSON.stringify(run));
      assert.ok(ctx.logs.some((l) => String(l.args[0]).includes('indexed segment has no blob')), 'warned');
      const [row] = await deps.manifestHours.listHours(CAMERA, H1, H1 + HOUR_MS);
      assert.deepEqual([row.dirty, row.version, row.segmentCount], [false, 1, 3], 'version 1 lists what storage holds');
      await deps.manifestHours.markDirty([{ cameraId: CAMERA, startMs: H1 }]);
    }
    await deps.segmentIndex.deleteSegments(CAMERA, [lateStart]);
  });

  it('retention that deletes an hour re-opens it, and the next run removes its manifests and its row', async () => {
    const camera = (await deps.cameras.getCamera(CAMERA))!;
    // A pass 7 days (the default archive retention) after H0 ended: H0's segments expire, H1's do not.
    const result = await applyCameraRetention(camera, deps, H0 + HOUR_MS + 7 * DAY_MS, {});
    assert.equal(result.age.segments, 10, JSON.stringify(result.age));
    const [row] = await deps.manifestHours.listHours(CAMERA, H0, H0 + HOUR_MS);
    assert.equal(row?.dirty, true, 'retention marked the hour dirty before deleting');
    const run = await manifests(undefined, batchContext(), deps);
    assert.equal(run.outcomes.removed, 1, JSON.stringify(run));
    assert.deepEqual(await deps.manifestHours.listHours(CAMERA, H0, H0 + HOUR_MS), []);
    assert.deepEqual(await deps.manifestBlobs.list(`${archiveHourFolder(CAMERA, H0)}manifest-`), []);
  });
});
