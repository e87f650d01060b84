import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { MEDIA_ERASED, mediaErasedEventId } from '../../../../shared/contracts/media-erasure';
import { availableMedia } from '../../../../functions/cameras/available-media';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { eraseRange } from '../../../../functions/erasure/erase-range';
import { mediaDelete, type MediaErasureResponse } from '../../../../functions/erasure/media-delete';
import { retention } from '../../../../functions/retention/retention';
import type { FunctionsSettings } from '../../../../functions/settings';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { fixtureSegments, storeAndIngest, type FixtureSegment } from '../../../helpers/fixture-segments';
import { tableRows, testSettings } from '../../../helpers/functions-fixtures';
import { recordingsContainer } from '../../../helpers/segment-blob-fixtures';
import { storageSnapshot } from '../../../helpers/storage-snapshot';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Erasure on demand on real components: real MPEG-TS segments cut from test/fixtures/media (ffmpeg codec copy), stored
 * in Azurite and indexed by the real ingest handler; the DELETE handler and the retention timer called as the host
 * calls them. The killed erasure is stopped by the world: another client holds a lease on one of the range's blobs,
 * so Blob Batch refuses that delete (412) midway, as a storage account refuses it in Azure.
 */
describe('DELETE /api/cameras/{cameraId}/media (Azurite, real segments)', () => {
  let azurite: AzuriteInstance;
  let s: FunctionsSettings;
  let deps: FunctionsDeps;
  let clip: FixtureSegment[];
  const NOW = T0 + 3_600_000;

  before(async () => {
    azurite = await startAzurite();
    clip = fixtureSegments();
    assert.equal(clip.length, 5, 'bottle-detection.mp4 cuts into 5 segments');
  });
  after(async () => {
    await azurite?.stop();
  });

  /** Fresh tables and container; `sessions` back-to-back recordings of the clip on cam1 from the given starts. */
  async function seed(...firstMs: number[]): Promise<number[][]> {
    s = testSettings(azurite.connectionString);
    deps = createDeps(s, { now: () => NOW });
    await deps.ensureStorage();
    const sessions: number[][] = [];
    for (const f of firstMs) sessions.push(await storeAndIngest(s, deps, 'cam1', f, clip));
    return sessions;
  }
  const context = () => new InvocationContext({ invocationId: randomUUID(), functionName: 'media-delete', logHandler: () => {} });
  const del = async (query: string, cameraId = 'cam1') => {
    const res = await mediaDelete(new HttpRequest({ method: 'DELETE', url: `http://localhost/api/cameras/${cameraId}/media?${query}`, params: { cameraId } }), context(), deps);
    return { status: res.status, body: res.jsonBody as MediaErasureResponse & { error: { code: string; message: string } } };
  };
  const range = (startMs: number, endMs: number) => `start=${encodeURIComponent(iso(startMs))}&end=${encodeURIComponent(iso(endMs))}`;
  const blobExists = (startMs: number) => recordingsContainer(s).getBlobClient(segmentBlobName('cam1', startMs)).exists();
  const indexed = async () => (await deps.segmentIndex.listSegmentSpans('cam1', T0 - 86_400_000, T0 + 86_400_000)).map((x) => x.startMs);
  const erasedEvents = async () =>
    (await tableRows(azurite.connectionString, s.tables.events)).filter((r) => r.type === MEDIA_ERASED).map((r) => JSON.parse(String(r.event)) as { id: string; data: Record<string, unknown> });
  const fullAvailability = async () => {
    const q = `precision=full&startTime=${encodeURIComponent(iso(T0))}&endTime=${encodeURIComponent(iso(T0 + 3_600_000))}`;
    const res = await availableMedia(new HttpRequest({ method: 'GET', url: `http://localhost/api/cameras/cam1/availableMedia?${q}`, params: { cameraId: 'cam1' } }), context(), deps);
    assert.equal(res.status, 200, JSON.stringify(res.jsonBody));
    return (res.jsonBody as { timeRanges: Array<{ start: string; end: string }> }).timeRanges;
  };
  const endOf = (starts: number[], i: number) => starts[i]! + clip[i]!.durationMs;

  it('deletes the segments overlapping the range whole: blobs, index rows, rollup and availableMedia; answers and announces what it did', async () => {
    const [starts] = await seed(T0);
    assert.deepEqual((await fullAvailability()).map((r) => [r.start, r.end]), [[iso(T0), iso(endOf(starts!, 4))]]);
    // [T0+10 s, T0+20 s) cuts segment 1 [8.4 s, 16.8 s) and segment 2 [16.8 s, 25.2 s): both go whole.
    const { status, body } = await del(range(T0 + 10_000, T0 + 20_000));
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.requested, { start: iso(T0 + 10_000), end: iso(T0 + 20_000) });
    assert.deepEqual(body.covered, { start: iso(starts![1]!), end: iso(endOf(starts!, 2)) }, 'widened to the whole segments');
    assert.equal(body.segments, 2);
    assert.equal(body.bytes, clip[1]!.bytes.length + clip[2]!.bytes.length);
    assert.equal(body.resumed, false);

    assert.deepEqual(await Promise.all(starts!.map(blobExists)), [true, false, false, true, true], 'blobs');
    assert.deepEqual(await indexed(), [starts![0], starts![3], starts![4]], 'index rows');
    assert.deepEqual(
      (await deps.availability.listRanges('cam1', T0, T0 + 3_600_000)).map((r) => [r.startMs, r.endMs]),
      [[T0, starts![1]], [starts![3], endOf(starts!, 4)]],
      'rollup',
    );
    assert.deepEqual((await fullAvailability()).map((r) => [r.start, r.end]), [[iso(T0), iso(starts![1]!)], [iso(starts![3]!), iso(endOf(starts!, 4))]], 'availableMedia');

    const events = await erasedEvents();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.id, mediaErasedEventId(body.erasureId));
    assert.deepEqual(events[0]!.data, { erasureId: body.erasureId, cameraId: 'cam1', requested: body.requested, covered: body.covered, segments: 2, bytes: body.bytes, recordingsDeleted: 0, requestedAt: body.requestedAt });
    assert.deepEqual(await tableRows(azurite.connectionString, s.tables.retention), [], 'no journal left');

    // Again: nothing left to delete, still answered (and announced).
    const again = await del(range(T0 + 10_000, T0 + 20_000));
    assert.equal(again.status, 200);
    assert.equal(again.body.segments, 0);
    assert.deepEqual(again.body.covered, again.body.requested);
  });

  it('deletes the EVR recording rows wholly inside the covered range and keeps those only partly inside', async () => {
    const [starts] = await seed(T0);
    const recording = (id: string, startMs: number, endMs: number) => ({
      id, cameraId: 'cam1', deviceId: 'dev1', gateRecordingId: `g-${id}`, startMs, endMs, state: 'complete' as const, sequence: 1,
      signals: [], signalCount: 1, createdAtMs: startMs, updatedAtMs: endMs,
    });
    const inside = recording(`${starts![1]! + 1000}-0000000000a1`, starts![1]! + 1000, starts![2]! + 1000);
    const across = recording(`${starts![2]! + 2000}-0000000000a2`, starts![2]! + 2000, starts![4]! + 1000);
    await deps.recordings.upsert([inside, across]);
    // [segment 1 + 2 s, segment 2 + 500 ms) covers segments 1 and 2 whole: `inside` lies in them, `across` reaches segment 4.
    const { body } = await del(range(starts![1]! + 2000, starts![2]! + 500));
    assert.deepEqual([body.segments, body.recordingsDeleted], [2, 1]);
    assert.equal(await deps.recordings.get('cam1', inside.id), undefined);
    assert.equal((await deps.recordings.get('cam1', across.id))?.id, across.id);
    assert.equal((await erasedEvents())[0]!.data.recordingsDeleted, 1);
  });

  it('deletes the stored signals whose media time lies in the covered range, and keeps the others', async () => {
    const [starts] = await seed(T0);
    const signal = (id: string, atMs: number) => ({ id, cameraId: 'cam1', deviceId: 'dev1', type: 'motion', atMs, label: 'person', origin: 'device' as const });
    await deps.signals.upsert([signal('before', starts![0]! + 100), signal('in-1', starts![1]! + 100), signal('in-2', starts![2]! + 100), signal('after', starts![3]! + 100)]);
    // [segment 1 + 2 s, segment 2 + 500 ms) covers segments 1 and 2 whole: their signals go with them.
    const { body } = await del(range(starts![1]! + 2000, starts![2]! + 500));
    assert.equal(body.segments, 2);
    const left = await deps.signals.list('cam1', { startMs: T0 - 3_600_000, endMs: T0 + 3_600_000 }, 100);
    assert.deepEqual(left.signals.map((x) => x.id), ['before', 'after']);
  });

  it('moves the camera first recorded instant past an erased beginning', async () => {
    const [starts] = await seed(T0);
    assert.equal((await del(range(T0, T0 + 1))).body.segments, 1);
    assert.equal((await deps.cameras.getCamera('cam1'))?.firstRecordedMs, starts![1]);
  });

  it('refuses with 409 RangeHeld a range a hold covers, also one only a whole segment reaches, and changes nothing', async () => {
    const [starts] = await seed(T0);
    await deps.holds.create({ id: 'legal-1', cameraId: 'cam1', startMs: starts![3]! + 500, endMs: starts![3]! + 600, createdAtMs: NOW });
    const before = await storageSnapshot(azurite.connectionString);
    // The range reaches 1 ms into segment 3, whose whole erasure would delete held media (the hold is 500 ms later).
    const refused = await del(range(starts![2]! + 1000, starts![3]! + 1));
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'RangeHeld');
    assert.match(refused.body.error.message, /legal-1/);
    assert.deepEqual(await storageSnapshot(azurite.connectionString), before, 'nothing changed');
    // A recording's hold refuses too.
    await deps.holds.create({ id: 'rec-1700000000000-abcdefabcdef', cameraId: 'cam1', startMs: T0, endMs: T0 + 1000, createdAtMs: NOW });
    assert.equal((await del(range(T0 + 2000, T0 + 3000))).status, 409);
    assert.deepEqual(await indexed(), starts, 'every segment is still indexed');
    // Next to the hold is fine.
    assert.equal((await del(range(starts![2]!, starts![3]!))).body.segments, 1);
  });

  it('a killed erasure (a blob lease refuses one delete midway) leaves its journal, then the same DELETE resumes and completes it', async () => {
    const [a, b] = await seed(T0, T0 + 120_000);
    const lease = recordingsContainer(s).getBlobClient(segmentBlobName('cam1', b![3]!)).getBlobLeaseClient();
    await lease.acquireLease(-1);
    const erasureId = randomUUID();
    await assert.rejects(eraseRange('cam1', { startMs: b![0]!, endMs: endOf(b!, 4) }, erasureId, deps, { stepSegments: 2 }), /blob deletes failed/);
    // Step 1 (segments 0, 1) done; step 2 stopped: segment 2's blob gone, its row and segment 3's kept; rollup not rewritten.
    assert.deepEqual(await Promise.all(b!.map(blobExists)), [false, false, false, true, true]);
    assert.deepEqual((await indexed()).filter((x) => x >= b![0]!), [b![2], b![3], b![4]]);
    const journal = await deps.erasureJournal.read('cam1');
    assert.equal(journal?.erasure?.erasureId, erasureId);
    assert.deepEqual(journal?.pendingStartsMs, [b![2], b![3]]);
    assert.equal((await erasedEvents()).length, 0, 'not announced before it is done');

    // While the lease holds, asking again fails the same way (503) and keeps the journal.
    const stillLeased = await del(range(b![0]!, endOf(b!, 4)));
    assert.equal(stillLeased.status, 503, JSON.stringify(stillLeased.body));
    assert.equal((await deps.erasureJournal.read('cam1'))?.erasure?.erasureId, erasureId);

    await lease.releaseLease();
    const resumed = await del(range(b![0]!, endOf(b!, 4)));
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.erasureId, erasureId, 'the same erasure, finished');
    assert.equal(resumed.body.resumed, true);
    assert.equal(resumed.body.segments, 5, 'each segment counted once over both runs');
    assert.equal(resumed.body.bytes, clip.reduce((sum, c) => sum + c.bytes.length, 0));
    assert.deepEqual(resumed.body.covered, { start: iso(b![0]!), end: iso(endOf(b!, 4)) });
    assert.deepEqual(await Promise.all(b!.map(blobExists)), [false, false, false, false, false]);
    assert.deepEqual(await indexed(), a, 'session a untouched');
    assert.deepEqual((await deps.availability.listRanges('cam1', T0, T0 + 3_600_000)).map((r) => [r.startMs, r.endMs]), [[T0, endOf(a!, 4)]]);
    assert.deepEqual((await erasedEvents()).map((e) => e.id), [mediaErasedEventId(erasureId)]);
    assert.equal(await deps.erasureJournal.read('cam1'), undefined);
  });

  it('the retention timer finishes an erasure that stopped midway', async () => {
    const [a] = await seed(T0);
    const lease = recordingsContainer(s).getBlobClient(segmentBlobName('cam1', a![2]!)).getBlobLeaseClient();
    await lease.acquireLease(-1);
    const erasureId = randomUUID();
    await assert.rejects(eraseRange('cam1', { startMs: a![1]!, endMs: a![3]! }, erasureId, deps, { stepSegments: 1 }));
    // While the lease holds, the run reports the erasure as failed and still applies the camera's retention.
    const blocked = await retention(undefined, context(), deps);
    assert.deepEqual(blocked.failed.map((f) => [f.cameraId, f.code, /^pending erasure: /.test(f.message)]), [['cam1', 'ServiceUnavailable', true]]);
    assert.equal(blocked.cameras, 1);
    assert.equal((await deps.erasureJournal.read('cam1'))?.erasure?.erasureId, erasureId, 'still journalled');
    await lease.releaseLease();
    const summary = await retention(undefined, context(), deps);
    assert.deepEqual(summary.failed, []);
    assert.deepEqual(await indexed(), [a![0], a![3], a![4]]);
    assert.deepEqual(await Promise.all(a!.map(blobExists)), [true, false, false, true, true]);
    const events = await erasedEvents();
    assert.deepEqual(events.map((e) => [e.id, e.data.segments]), [[mediaErasedEventId(erasureId), 2]]);
    assert.deepEqual((await fullAvailability()).map((r) => [r.start, r.end]), [[iso(T0), iso(a![1]!)], [iso(a![3]!), iso(endOf(a!, 4))]]);
  });

  it('accepts an erasure by creating its journal row, never by overwriting another erasure\'s', async () => {
    await seed(T0);
    const entry = { pendingStartsMs: [], rollupDaysMs: [], erasure: { erasureId: 'a', requestedStartMs: T0, requestedEndMs: T0 + 1, requestedAtMs: NOW, coveredStartMs: T0, coveredEndMs: T0 + 1, segments: 0, bytes: 0 } };
    assert.equal(await deps.erasureJournal.create('cam1', entry), true);
    assert.equal(await deps.erasureJournal.create('cam1', { ...entry, erasure: { ...entry.erasure, erasureId: 'b' } }), false);
    assert.equal((await deps.erasureJournal.read('cam1'))?.erasure?.erasureId, 'a');
    assert.equal(await deps.retentionJournal.read('cam1'), undefined, 'the retention journal row is another row');
  });

  it('answers 400 for a bad query and 404 for an unknown camera, changing nothing', async () => {
    await seed(T0);
    const before = await storageSnapshot(azurite.connectionString);
    assert.equal((await del('start=2026-11-21T10:00:00Z')).body.error.code, 'InvalidErasureQuery');
    assert.equal((await del(`${range(T0, T0 + 1000)}&camera=cam2`)).body.error.code, 'InvalidErasureQuery');
    assert.equal((await del(range(T0 + 1000, T0))).body.error.code, 'InvalidRange');
    const unknown = await del(range(T0, T0 + 1000), 'cam9');
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'CameraNotFound']);
    assert.deepEqual(await storageSnapshot(azurite.connectionString), before);
  });
});
