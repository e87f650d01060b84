import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeps } from '../../../../../functions/deps';
import type { RecordingRecord } from '../../../../../shared/ports/recording-store';
import { startAzurite, type AzuriteInstance } from '../../../../helpers/azurite';
import { testSettings } from '../../../../helpers/functions-fixtures';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** A recording of `cam1` starting at `startMs`, id `{startMs}-{hex}` as RECORDING_ID_PATTERN wants. */
function recording(startMs: number, o: Partial<RecordingRecord> = {}): RecordingRecord {
  return {
    id: `${startMs}-${'a1b2c3d4e5f6'}`,
    cameraId: 'cam1',
    deviceId: 'dev1',
    gateRecordingId: `motion-cam1-${startMs}`,
    startMs,
    endMs: startMs + 30_000,
    state: 'recording',
    sequence: 0,
    signals: [{ id: `motion-cam1-${startMs}`, type: 'motion', atMs: startMs + 5000 }],
    signalCount: 1,
    createdAtMs: startMs + 5000,
    updatedAtMs: startMs + 5000,
    ...o,
  };
}

describe('TableRecordingStore on Azurite', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  const fresh = () => createDeps(testSettings(azurite.connectionString)).recordings;

  it('upsert: a higher or equal sequence replaces the row, a lower one never does; createdAtMs is kept', async () => {
    const store = fresh();
    const opened = recording(T0);
    await store.upsert([opened]);
    const extended = recording(T0, { sequence: 1, endMs: T0 + 50_000, signalCount: 2, createdAtMs: T0 + 9999, updatedAtMs: T0 + 20_000 });
    await store.upsert([extended]);
    // A redelivered older decision (sequence 0, shorter window) must not shrink the window.
    await store.upsert([opened]);
    const read = await store.get('cam1', opened.id);
    assert.deepEqual(read, { ...extended, createdAtMs: opened.createdAtMs });
    // Equal sequence wins (a redelivery of the same decision rewrites the same content).
    const closed = recording(T0, { sequence: 2, endMs: T0 + 50_000, state: 'complete', signalCount: 2, updatedAtMs: T0 + 60_000 });
    await store.upsert([closed]);
    await store.upsert([{ ...closed, updatedAtMs: T0 + 61_000 }]);
    assert.deepEqual(await store.get('cam1', opened.id), { ...closed, createdAtMs: opened.createdAtMs, updatedAtMs: T0 + 61_000 });
    await store.upsert([{ ...extended, state: 'recording' }]);
    assert.equal((await store.get('cam1', opened.id))?.state, 'complete', 'a closed recording is not reopened by an older decision');
  });

  it('markAvailable sets availableAtMs once, and later upserts keep it', async () => {
    const store = fresh();
    const r = recording(T0);
    assert.equal(await store.markAvailable('cam1', r.id, T0 + 12_000), false, 'unknown recording');
    await store.upsert([r]);
    assert.equal(await store.markAvailable('cam1', r.id, T0 + 12_000), true);
    assert.equal(await store.markAvailable('cam1', r.id, T0 + 99_000), false, 'already set');
    await store.upsert([recording(T0, { sequence: 1, endMs: T0 + 40_000 })]);
    const read = await store.get('cam1', r.id);
    assert.equal(read?.availableAtMs, T0 + 12_000);
    assert.equal(read?.endMs, T0 + 40_000);
    // Concurrent marks: exactly one wins.
    const other = recording(T0 + 600_000);
    await store.upsert([other]);
    const wins = await Promise.all(Array.from({ length: 6 }, (_, i) => store.markAvailable('cam1', other.id, T0 + 600_000 + i)));
    assert.equal(wins.filter(Boolean).length, 1, `wins: ${wins.join(',')}`);
  });

  it('list: recordings overlapping [start, end), sorted by start, including one that began before start; half-open; per camera', async () => {
    const store = fresh();
    const early = recording(T0 - 45 * 60_000, { endMs: T0 + 10_000 }); // began 45 min before, reaches in
    const endsAtStart = recording(T0 - 60_000, { id: `${T0 - 60_000}-0000000000ff`, endMs: T0 });
    const inside = recording(T0 + 60_000);
    const startsAtEnd = recording(T0 + 3_600_000);
    const otherCamera = recording(T0 + 120_000, { cameraId: 'cam2' });
    await store.upsert([inside, startsAtEnd, early, endsAtStart, otherCamera]);
    const listed = await store.list('cam1', { startMs: T0, endMs: T0 + 3_600_000 });
    assert.deepEqual(listed.map((r) => r.id), [early.id, inside.id]);
    assert.deepEqual(listed[1], inside);
    assert.deepEqual((await store.list('cam2', { startMs: T0, endMs: T0 + 3_600_000 })).map((r) => r.id), [otherCamera.id]);
    assert.deepEqual(await store.list('cam3', { startMs: T0, endMs: T0 + 1 }), []);
    assert.deepEqual(await fresh().list('cam1', { startMs: T0, endMs: T0 + 1 }), [], 'no table yet: empty');
    assert.equal(await fresh().get('cam1', inside.id), undefined);
  });

  it('remove: deletes the rows in ≤ 100-row transactions, ids already gone count as gone, other cameras untouched', async () => {
    const store = fresh();
    const rows = Array.from({ length: 230 }, (_, i) => recording(T0 + i * 60_000));
    await store.upsert(rows);
    const other = recording(T0, { cameraId: 'cam2' });
    await store.upsert([other]);
    const doomed = rows.slice(0, 210).map((r) => r.id);
    // 10 of them already gone: their transaction fails with 404 and is redone row by row.
    assert.equal(await store.remove('cam1', doomed.slice(100, 110)), 10);
    assert.equal(await store.remove('cam1', [...doomed, doomed[0], `${T0 - 1}-ffffffffffff`]), 200);
    const left = await store.list('cam1', { startMs: T0 - 60_000, endMs: T0 + 300 * 60_000 });
    assert.deepEqual(left.map((r) => r.id), rows.slice(210).map((r) => r.id));
    assert.ok(await store.get('cam2', other.id), 'the same id of another camera stays');
    assert.equal(await store.remove('cam1', doomed), 0, 'again: nothing left to delete');
    assert.equal(await store.remove('cam1', []), 0);
    assert.equal(await fresh().remove('cam1', [rows[0].id]), 0, 'no table yet: nothing to delete');
  });
});
