import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultDeps } from '../../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import type { RecordingRecord } from '../../../../shared/ports/recording-store';
import { startTestHost, type TestHost } from '../../../helpers/test-host';
import { batchContext, segmentEvent, viaEventGrid } from '../../../helpers/functions-fixtures';

const API_KEY = 'recordings-api-test-key';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
/** Stored segments of cam1 (10 s, 1000 bytes each): [T0, T0+30 s) and [T0+60 s, T0+80 s). */
const OFFSETS_S = [0, 10, 20, 60, 70];

function recording(startMs: number, endMs: number, hex: string, o: Partial<RecordingRecord> = {}): RecordingRecord {
  return {
    id: `${startMs}-${hex}`,
    cameraId: 'cam1',
    deviceId: 'dev1',
    gateRecordingId: `motion-cam1-${startMs}`,
    startMs,
    endMs,
    state: 'complete',
    sequence: 2,
    signals: [],
    signalCount: 0,
    createdAtMs: startMs,
    updatedAtMs: endMs,
    ...o,
  };
}

/** R1: inside stored media, available, with a labelled signal; R2: in the gap (nothing uploaded); R0: began 50 min before T0. */
const R1 = recording(T0 + 5000, T0 + 25_000, '00000000000a', {
  signals: [
    { id: 'motion-cam1-1', type: 'motion', atMs: T0 + 8000 },
    { id: 'door-7', type: 'external', atMs: T0 + 12_000, label: 'door open' },
  ],
  signalCount: 3,
});
const R2 = recording(T0 + 40_000, T0 + 55_000, '00000000000b', { state: 'recording', sequence: 0 });
const R0 = recording(T0 - 50 * 60_000, T0 + 2000, '00000000000c');

describe('recordings API through the local functions host', () => {
  let t: TestHost;

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'recapi' });
    const events = OFFSETS_S.map((s) => viaEventGrid(segmentEvent({ startMs: T0 + s * 1000 })));
    assert.equal((await ingest(events, batchContext(), defaultDeps())).accepted, OFFSETS_S.length);
    const deps = defaultDeps();
    await deps.recordings.upsert([R1, R2, R0]);
    assert.equal(await deps.recordings.markAvailable('cam1', R1.id, T0 + 21_000), true);
  });

  after(async () => {
    await t?.stop();
  });

  const call = (method: string, path: string) => fetch(`${t.api}${path}`, { method, headers: { 'x-functions-key': API_KEY } });
  const json = async <T>(res: Response, status: number): Promise<T> => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  };
  async function expectError(res: Response, status: number, code: string, message?: RegExp) {
    const body = await json<{ error: { code: string; message: string } }>(res, status);
    assert.equal(body.error.code, code, body.error.message);
    if (message) assert.match(body.error.message, message);
  }
  const range = (a: number, b: number) => `start=${encodeURIComponent(iso(a))}&end=${encodeURIComponent(iso(b))}`;

  it('lists the recordings overlapping the window, whole and by start, with signals, bytes, availability and held', async () => {
    const body = await json<{ recordings: Array<Record<string, unknown>> }>(await call('GET', `/cameras/cam1/recordings?${range(T0, T0 + 3_600_000)}`), 200);
    assert.deepEqual(body.recordings.map((r) => r.id), [R0.id, R1.id, R2.id]);
    assert.deepEqual(body.recordings[1], {
      id: R1.id,
      start: iso(R1.startMs),
      end: iso(R1.endMs),
      state: 'complete',
      signals: [
        { id: 'motion-cam1-1', type: 'motion', time: iso(T0 + 8000) },
        { id: 'door-7', type: 'external', time: iso(T0 + 12_000), label: 'door open' },
      ],
      signalCount: 3,
      bytes: 3000, // the three segments overlapping [T0+5 s, T0+25 s), whole
      available: true,
      availableAt: iso(T0 + 21_000),
      held: false,
    });
    assert.deepEqual(
      { state: body.recordings[2].state, bytes: body.recordings[2].bytes, available: body.recordings[2].available, hasAvailableAt: 'availableAt' in body.recordings[2] },
      { state: 'recording', bytes: 0, available: false, hasAvailableAt: false },
    );
    assert.equal(body.recordings[0].bytes, 1000, 'R0 overlaps the first segment only');
    const later = await json<{ recordings: unknown[] }>(await call('GET', `/cameras/cam1/recordings?${range(T0 + 26_000, T0 + 40_000)}`), 200);
    assert.deepEqual(later.recordings, [], 'half-open: R1 ends at 25 s, R2 starts at 40 s');
  });

  it('bad input is a 400 naming the parameter; an unknown camera is a 404', async () => {
    await expectError(await call('GET', `/cameras/cam1/recordings?start=${encodeURIComponent(iso(T0))}`), 400, 'MissingParameter', /'end'/);
    await expectError(await call('GET', `/cameras/cam1/recordings?start=noon&end=${encodeURIComponent(iso(T0))}`), 400, 'InvalidDateTime', /start/);
    await expectError(await call('GET', `/cameras/cam1/recordings?${range(T0, T0)}`), 400, 'InvalidRange');
    await expectError(await call('GET', `/cameras/cam1/recordings?${range(T0, T0 + 32 * 86_400_000)}`), 400, 'RangeTooLong', /P31D/);
    await expectError(await call('GET', `/cameras/Cam_1/recordings?${range(T0, T0 + 1000)}`), 400, 'InvalidCameraId');
    await expectError(await call('GET', `/cameras/nobody/recordings?${range(T0, T0 + 1000)}`), 404, 'CameraNotFound', /nobody/);
  });

  it('GET one recording; 400 InvalidRecordingId, 404 RecordingNotFound', async () => {
    const one = await json<{ id: string; bytes: number; held: boolean }>(await call('GET', `/cameras/cam1/recordings/${R1.id}`), 200);
    assert.deepEqual({ id: one.id, bytes: one.bytes, held: one.held }, { id: R1.id, bytes: 3000, held: false });
    await expectError(await call('GET', '/cameras/cam1/recordings/abc'), 400, 'InvalidRecordingId', /"abc"/);
    await expectError(await call('GET', `/cameras/cam1/recordings/${T0}-ffffffffffff`), 404, 'RecordingNotFound');
    await expectError(await call('GET', `/cameras/cam2/recordings/${R1.id}`), 404, 'RecordingNotFound', /cam2/);
  });

  it("playback of a recording is the CVR playback answer for the recording's window; no media yet is 404 NoMediaInRange", async () => {
    type Playback = { hlsUrl: string; expiresAt: string; start: string; end: string; ranges: unknown[] };
    const rec = await json<Playback>(await call('GET', `/cameras/cam1/recordings/${R1.id}/playback`), 200);
    const cvr = await json<Playback>(await call('GET', `/cameras/cam1/playback?${range(R1.startMs, R1.endMs)}`), 200);
    assert.deepEqual({ start: rec.start, end: rec.end, ranges: rec.ranges }, { start: cvr.start, end: cvr.end, ranges: cvr.ranges });
    assert.deepEqual(rec.ranges, [{ start: iso(T0), end: iso(T0 + 30_000) }]);
    const url = new URL(rec.hlsUrl);
    assert.equal(url.pathname, '/api/cameras/cam1/playlist.m3u8');
    assert.equal(url.searchParams.get('start'), iso(R1.startMs));
    const playlist = await fetch(rec.hlsUrl);
    assert.equal(playlist.status, 200, 'the signed playlist opens without a key');
    assert.match(await playlist.text(), /^#EXTM3U/);
    await expectError(await call('GET', `/cameras/cam1/recordings/${R2.id}/playback`), 404, 'NoMediaInRange');
    await expectError(await call('GET', `/cameras/cam1/recordings/${T0}-ffffffffffff/playback`), 404, 'RecordingNotFound');
  });

  it('hold: POST 201 then 200 (same hold), the recording shows held, DELETE 204 then 404', async () => {
    const first = await call('POST', `/cameras/cam1/recordings/${R1.id}/hold`);
    const hold = await json<{ id: string; start: string; end: string; reason: string }>(first, 201);
    assert.equal(hold.id, `rec-${R1.id}`);
    assert.deepEqual({ start: hold.start, end: hold.end }, { start: iso(R1.startMs), end: iso(R1.endMs) });
    assert.equal(first.headers.get('location'), `/api/cameras/cam1/holds/rec-${R1.id}`);
    const again = await json<{ id: string }>(await call('POST', `/cameras/cam1/recordings/${R1.id}/hold`), 200);
    assert.equal(again.id, hold.id);
    const holds = await json<{ holds: Array<{ id: string }> }>(await call('GET', '/cameras/cam1/holds'), 200);
    assert.deepEqual(holds.holds.map((h) => h.id), [hold.id], 'one hold, not two');
    assert.equal((await json<{ held: boolean }>(await call('GET', `/cameras/cam1/recordings/${R1.id}`), 200)).held, true);
    const listed = await json<{ recordings: Array<{ id: string; held: boolean }> }>(await call('GET', `/cameras/cam1/recordings?${range(T0, T0 + 60_000)}`), 200);
    assert.deepEqual(listed.recordings.map((r) => [r.id, r.held]), [[R0.id, false], [R1.id, true], [R2.id, false]]);

    assert.equal((await call('DELETE', `/cameras/cam1/recordings/${R1.id}/hold`)).status, 204);
    await expectError(await call('DELETE', `/cameras/cam1/recordings/${R1.id}/hold`), 404, 'HoldNotFound', /not held/);
    assert.equal((await json<{ held: boolean }>(await call('GET', `/cameras/cam1/recordings/${R1.id}`), 200)).held, false);
    await expectError(await call('POST', `/cameras/cam1/recordings/${T0}-ffffffffffff/hold`), 404, 'RecordingNotFound');
    await expectError(await call('POST', '/cameras/cam1/recordings/x/hold'), 400, 'InvalidRecordingId');
    await expectError(await call('DELETE', '/cameras/cam1/recordings/x/hold'), 400, 'InvalidRecordingId');
    assert.deepEqual((await json<{ holds: unknown[] }>(await call('GET', '/cameras/cam1/holds'), 200)).holds, [], 'bad input changed nothing');
  });

  it('holding a recording that grew since widens its hold', async () => {
    const deps = defaultDeps();
    const growing = recording(T0 + 60_000, T0 + 65_000, '00000000000d', { state: 'recording', sequence: 0 });
    await deps.recordings.upsert([growing]);
    await json(await call('POST', `/cameras/cam1/recordings/${growing.id}/hold`), 201);
    await deps.recordings.upsert([{ ...growing, endMs: T0 + 78_000, sequence: 1 }]);
    const widened = await json<{ start: string; end: string }>(await call('POST', `/cameras/cam1/recordings/${growing.id}/hold`), 200);
    assert.deepEqual(widened, { ...widened, start: iso(T0 + 60_000), end: iso(T0 + 78_000) });
    assert.equal((await call('DELETE', `/cameras/cam1/recordings/${growing.id}/hold`)).status, 204);
  });

  it('needs the function key', async () => {
    assert.equal((await fetch(`${t.api}/cameras/cam1/recordings?${range(T0, T0 + 1000)}`)).status, 401);
    assert.equal((await fetch(`${t.api}/cameras/cam1/recordings/${R1.id}/hold`, { method: 'POST' })).status, 401);
  });
});
