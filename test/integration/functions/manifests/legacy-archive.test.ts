import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { backfillHours } from '../../../../functions/manifests/backfill-hours';
import { manifests } from '../../../../functions/manifests/manifests';
import { playlist } from '../../../../functions/playback/playlist';
import { playlistSpans } from '../../../../functions/playback/playlist-spans';
import { playbackGrantQuery } from '../../../../functions/playback/playback-token';
import { hourManifestBlobName, hourStart } from '../../../../shared/contracts/manifest-naming';
import { HOUR_MS, MINUTE_MS, toIso } from '../../../../shared/time';
import { recordRealSegments, uploadAndIngest } from '../../../helpers/archive-fixtures';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, TEST_SECRET, testSettings } from '../../../helpers/functions-fixtures';
import { recordingsContainer } from '../../../helpers/segment-blob-fixtures';

/**
 * Archives indexed before asset manifests existed (docs/contracts.md "Asset manifests", "Archives indexed before
 * manifests"), on Azurite with real segments indexed by the real ingest handler: the camera's rows in the manifests
 * table are then removed (hour rows and marker), which is what an archive indexed by the version before manifests
 * holds, and the app is started afresh. Nothing of it may go missing from playback, before, during and after the
 * `manifests` timer's backfill.
 */
describe('archives indexed before manifests (Azurite, real segments)', () => {
  let azurite: AzuriteInstance;
  /** The app after the upgrade (a fresh process: no marker known). */
  let deps: FunctionsDeps;
  const CAMERA = 'door';
  const YARD = 'yard';
  const NOW = Date.now();
  const OPEN_HOUR = hourStart(NOW);
  const L0 = OPEN_HOUR - 5 * HOUR_MS;
  const L1 = OPEN_HOUR - 4 * HOUR_MS;
  /** L1 + 1 h: the last legacy segment of L1 starts in it, and the segments ingested after the upgrade. */
  const LATE_HOUR = OPEN_HOUR - 3 * HOUR_MS;
  const L3 = OPEN_HOUR - 2 * HOUR_MS;
  let preUpgradePlaylist = '';
  let legacyCount = 0;

  /** Deletes every row of the camera in the manifests table: its archive as the version before manifests left it. */
  async function forgetManifestRows(cameraId: string): Promise<void> {
    const table = TableClient.fromConnectionString(azurite.connectionString, deps.settings.tables.manifests, { allowInsecureConnection: true });
    for await (const e of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${cameraId}'` } })) await table.deleteEntity(e.partitionKey!, e.rowKey!);
  }

  before(async () => {
    azurite = await startAzurite();
    const settings = testSettings(azurite.connectionString, { KEEPWATCH_MANIFEST_GRACE: 'PT1M' });
    const indexing = createDeps(settings);
    await indexing.ensureStorage();
    legacyCount += (await uploadAndIngest(indexing, CAMERA, L0 + 10 * MINUTE_MS, recordRealSegments(3))).length;
    legacyCount += (await uploadAndIngest(indexing, CAMERA, L1 + HOUR_MS - 3000, recordRealSegments(3, 6))).length; // L1 into L1 + 1 h
    legacyCount += (await uploadAndIngest(indexing, CAMERA, L3 + 5 * MINUTE_MS, recordRealSegments(2, 12))).length;
    await uploadAndIngest(indexing, YARD, L0 + MINUTE_MS, recordRealSegments(2));
    await uploadAndIngest(indexing, YARD, L3 + MINUTE_MS, recordRealSegments(2, 4));
    // Every hour dirty, no manifest: this is the row scan's playlist, as the version before manifests answered it.
    preUpgradePlaylist = await signedPlaylist(L0, NOW, indexing);
    assert.equal((preUpgradePlaylist.match(/#EXTINF/g) ?? []).length, legacyCount);
    deps = createDeps(settings);
    await forgetManifestRows(CAMERA);
    await forgetManifestRows(YARD);
  });

  after(async () => {
    await azurite?.stop();
  });

  /** The signed playlist of [startMs, endMs) as the playlist handler answers it, with a fixed clock (comparable SAS URLs). */
  async function signedPlaylist(startMs: number, endMs: number, d: FunctionsDeps, cameraId = CAMERA): Promise<string> {
    const fixedNow = NOW + 1000;
    const query = playbackGrantQuery({ cameraId, startMs, endMs, expiresMs: fixedNow + HOUR_MS }, TEST_SECRET);
    const res = await playlist(new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/cameras/${cameraId}/playlist.m3u8?${query}`, params: { cameraId } }), batchContext(), { ...d, now: () => fixedNow });
    assert.equal(res.status, 200, String(res.body ?? JSON.stringify(res.jsonBody)));
    return String(res.body);
  }

  /** The playlist's spans (from manifests, rows and scans) equal the index's own scan of the range. */
  async function assertSpansAsIndex(cameraId: string, startMs: number, endMs: number): Promise<number> {
    const key = (s: { startMs: number; durationMs: number; blobName: string }) => `${s.startMs}/${s.durationMs}/${s.blobName}`;
    const fromPlaylist = (await playlistSpans(cameraId, startMs, endMs, deps)).map(key).sort();
    const fromIndex = (await deps.segmentIndex.listSegmentSpans(cameraId, startMs, endMs)).map(key).sort();
    assert.deepEqual(fromPlaylist, fromIndex);
    return fromIndex.length;
  }

  it('an archive without hour rows and marker still plays whole, the playlist equal to the row scan', async () => {
    assert.deepEqual(await deps.manifestHours.listHours(CAMERA, L0, NOW), []);
    assert.equal(await deps.manifestHours.getMarker(CAMERA), undefined);
    assert.equal(await signedPlaylist(L0, NOW, deps), preUpgradePlaylist);
    assert.equal(await assertSpansAsIndex(CAMERA, L0, NOW), legacyCount);
  });

  let lateStart = 0;
  it('the first segment ingested after the upgrade writes the marker (from the hour after now); the older hours still play', async () => {
    [lateStart] = await uploadAndIngest(deps, CAMERA, LATE_HOUR + 30 * MINUTE_MS, recordRealSegments(1, 20));
    const marker = await deps.manifestHours.getMarker(CAMERA);
    assert.equal(marker?.sinceHourMs, OPEN_HOUR + HOUR_MS);
    assert.equal(marker?.cursorMs, 0);
    assert.deepEqual((await deps.manifestHours.listHours(CAMERA, L0, NOW)).map((h) => [h.hourStartMs, h.dirty]), [[LATE_HOUR, true]]);
    const body = await signedPlaylist(L0, NOW, deps);
    assert.equal((body.match(/#EXTINF/g) ?? []).length, legacyCount + 1);
    assert.ok(body.includes(toIso(lateStart)), 'the new segment is listed');
    assert.equal(await assertSpansAsIndex(CAMERA, L0, NOW), legacyCount + 1);
    // Create-only: another batch does not move the marker.
    await uploadAndIngest(createDeps(deps.settings), CAMERA, LATE_HOUR + 40 * MINUTE_MS, recordRealSegments(1, 22));
    assert.equal((await deps.manifestHours.getMarker(CAMERA))?.etag, marker?.etag);
  });

  it('the backfill walks in bounded, resumable steps; the playlist stays whole meanwhile', async () => {
    // door first (ids sorted): its marker is kept, 3 of its index rows are walked, the cursor moves past them.
    const doorMarker = await deps.manifestHours.getMarker(CAMERA);
    const first = await backfillHours(deps, batchContext(), 3);
    assert.deepEqual(first.failed, []);
    assert.equal(first.pending, 2);
    assert.equal(first.rowsWalked, 3);
    assert.deepEqual(first.finished, []);
    const walked = await deps.manifestHours.getMarker(CAMERA);
    assert.equal(walked?.sinceHourMs, doorMarker?.sinceHourMs);
    assert.ok(walked!.cursorMs > L0 + 10 * MINUTE_MS && walked!.cursorMs < L1 + HOUR_MS, `cursor ${toIso(walked!.cursorMs)}`);
    assert.deepEqual((await deps.manifestHours.listHours(CAMERA, L0, NOW)).map((h) => h.hourStartMs), [L0, LATE_HOUR], 'the hour walked got its row');
    assert.equal(await deps.manifestHours.getMarker(YARD), undefined, 'the budget was spent on door');
    // The part walked has rows, the rest is still scanned: both cameras play whole.
    assert.equal(await assertSpansAsIndex(CAMERA, L0, NOW), legacyCount + 2);
    assert.equal(await assertSpansAsIndex(YARD, L0, NOW), 4);
    let runs = 1;
    const finished: string[] = [];
    for (;;) {
      const markers = await deps.manifestHours.listMarkers();
      if (markers.get(CAMERA)?.sinceHourMs === 0 && markers.get(YARD)?.sinceHourMs === 0) break;
      const r = await backfillHours(deps, batchContext(), 3);
      assert.deepEqual(r.failed, []);
      finished.push(...r.finished);
      assert.ok(++runs < 20, 'the backfill ends');
      // Whatever the walk reached, nothing goes missing.
      assert.equal(await assertSpansAsIndex(CAMERA, L0, NOW), legacyCount + 2);
      assert.equal(await assertSpansAsIndex(YARD, L0, NOW), 4);
    }
    assert.deepEqual(finished, [CAMERA, YARD]);
    assert.deepEqual((await deps.manifestHours.listHours(CAMERA, L0, NOW)).map((h) => [toIso(h.hourStartMs), h.dirty, h.version]), [L0, L1, LATE_HOUR, L3].map((h) => [toIso(h), true, 0]));
    assert.deepEqual((await deps.manifestHours.listHours(YARD, L0, NOW)).map((h) => [toIso(h.hourStartMs), h.dirty, h.version]), [L0, L3].map((h) => [toIso(h), true, 0]));
    assert.equal(await assertSpansAsIndex(YARD, L0, NOW), 4);
  });

  it('after the timer: every legacy hour has its row and manifest, the marker says every hour is tracked, and the playlist is unchanged', async () => {
    const beforeBackfill = await signedPlaylist(L0, NOW, deps);
    const run = await manifests(undefined, batchContext(), deps);
    assert.deepEqual(run.failed, []);
    assert.deepEqual(run.backfill?.failed, []);
    assert.equal((await deps.manifestHours.getMarker(CAMERA))?.sinceHourMs, 0);
    const hours = await deps.manifestHours.listHours(CAMERA, L0, OPEN_HOUR);
    // L1's last legacy segment starts in L1 + 1 h, LATE_HOUR.
    assert.deepEqual(hours.map((h) => [toIso(h.hourStartMs), h.dirty, h.version]), [L0, L1, LATE_HOUR, L3].map((h) => [toIso(h), false, 1]));
    const container = recordingsContainer(deps.settings);
    for (const h of [L0, L1, L3]) assert.ok(await container.getBlobClient(hourManifestBlobName(CAMERA, h, 1, 'json')).exists(), toIso(h));
    assert.ok(hours.every((h) => h.spans), 'the rows carry their spans: the playlist reads no index');
    assert.equal(await signedPlaylist(L0, NOW, deps), beforeBackfill);
    assert.equal(await assertSpansAsIndex(CAMERA, L0, NOW), legacyCount + 2);
    assert.equal(await assertSpansAsIndex(YARD, L0, NOW), 4);
    assert.equal((await manifests(undefined, batchContext(), deps)).backfill?.pending, 0, 'nothing left to backfill');
  });

  it('after the backfill, new segments behave as before: a new hour gets its dirty row, then its manifest', async () => {
    const NEW_HOUR = OPEN_HOUR - HOUR_MS;
    const starts = await uploadAndIngest(deps, CAMERA, NEW_HOUR + 15 * MINUTE_MS, recordRealSegments(2, 24));
    assert.deepEqual((await deps.manifestHours.getHour(CAMERA, NEW_HOUR))?.dirty, true);
    assert.equal(await assertSpansAsIndex(CAMERA, L0, NOW), legacyCount + 4);
    const run = await manifests(undefined, batchContext(), deps);
    assert.equal(run.outcomes.written, 1, JSON.stringify(run));
    assert.equal((await deps.manifestHours.getHour(CAMERA, NEW_HOUR))?.segmentCount, starts.length);
    assert.equal(await assertSpansAsIndex(CAMERA, L0, NOW), legacyCount + 4);
    assert.equal((await deps.manifestHours.getMarker(CAMERA))?.sinceHourMs, 0, 'the marker is left as it is');
  });

  it('a final marker (every hour tracked) is read once per process: a playlist then makes no point read', async () => {
    const table = TableClient.fromConnectionString(azurite.connectionString, deps.settings.tables.manifests, { allowInsecureConnection: true });
    await table.deleteEntity(CAMERA, '~tracked'); // behind the process's back: only a second read would notice
    assert.equal((await deps.manifestHours.getMarker(CAMERA))?.sinceHourMs, 0, 'this process read it final before');
    assert.equal(await createDeps(deps.settings).manifestHours.getMarker(CAMERA), undefined, 'a fresh process reads it');
  });
});
