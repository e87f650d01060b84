import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { live } from '../../../../functions/playback/live';
import { livePlaylist } from '../../../../functions/playback/live-playlist';
import { playbackGrantQuery } from '../../../../functions/playback/playback-token';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, segmentEvent, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';
import { parseLivePlaylist, type LivePlaylist } from '../../../helpers/live-playlist';
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const SEGMENT_MS = 2000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The live playlist through its real handlers on Azurite: segments indexed by ingest (Event Hubs batches in the host's
 * shape), the live mark in its table, the clock swapped so the window can be walked segment by segment.
 */
describe('GET /cameras/{id}/live and live.m3u8 (handlers on Azurite)', () => {
  let azurite: AzuriteInstance;
  let deps: FunctionsDeps;
  let clockMs = T0;
  let hlsUrl = '';
  const context = () => new InvocationContext({ functionName: 'live-playlist' });

  /** Indexes 2 s segments of cam1 starting at each of `startsMs` (their blobs stored first, as an agent does). */
  async function record(...startsMs: number[]): Promise<void> {
    const events = startsMs.map((startMs) => viaEventGrid(segmentEvent({ startMs, durationMs: SEGMENT_MS })));
    const ctx = batchContext();
    const summary = await ingest(events, ctx, deps);
    assert.equal(summary.accepted, startsMs.length, JSON.stringify({ summary, logs: ctx.logs.slice(-5) }));
  }
  const run = (fromMs: number, count: number) => Array.from({ length: count }, (_, i) => fromMs + i * SEGMENT_MS);

  async function reload(url = hlsUrl): Promise<LivePlaylist> {
    const u = new URL(url);
    const res = await livePlaylist(new HttpRequest({ method: 'GET', url, params: { cameraId: u.pathname.split('/')[3] } }), context(), deps);
    assert.equal(res.status, 200, JSON.stringify(res.jsonBody));
    return parseLivePlaylist(String(res.body));
  }

  before(async () => {
    azurite = await startAzurite();
    deps = createDeps(testSettings(azurite.connectionString), { now: () => clockMs });
    await deps.ensureStorage();
  });

  after(async () => {
    await azurite?.stop();
  });

  it('answers a signed live URL for a known camera, CVR by default; 404 for an unknown one', async () => {
    await record(...run(T0, 8));
    clockMs = T0 + 16_500;
    const res = await live(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/cameras/cam1/live', params: { cameraId: 'cam1' } }), context(), deps);
    assert.equal(res.status, 200, JSON.stringify(res.jsonBody));
    const body = res.jsonBody as { hlsUrl: string; expiresAt: string; mode: string; coverage: string };
    assert.deepEqual({ mode: body.mode, coverage: body.coverage, expiresAt: body.expiresAt }, { mode: 'cvr', coverage: 'continuous', expiresAt: iso(clockMs + 12 * 3_600_000) });
    hlsUrl = body.hlsUrl;
    const unknown = await live(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/cameras/cam9/live', params: { cameraId: 'cam9' } }), context(), deps);
    assert.equal(unknown.status, 404);
  });

  it('lists the newest 6 segments, then slides and grows with each newly indexed segment, every segment keeping its number', async () => {
    const first = await reload();
    assert.deepEqual(first.segments.map((s) => s.programDateTime), run(T0 + 4000, 6).map(iso));
    assert.equal(first.endList, false);
    // Another viewer's reload at the same moment gives the same numbers (the mark is per camera, not per viewer).
    assert.equal((await reload()).mediaSequence, first.mediaSequence);
    const numbers = new Map(first.segments.map((s) => [s.programDateTime, s.mediaSequence]));
    for (let k = 0; k < 4; k++) {
      await record(T0 + 16_000 + k * SEGMENT_MS);
      clockMs += SEGMENT_MS;
      const p = await reload();
      assert.equal(p.segments.at(-1)!.programDateTime, iso(T0 + 16_000 + k * SEGMENT_MS), 'the new segment is the newest listed');
      assert.equal(p.segments.length, 6);
      for (const s of p.segments) {
        if (numbers.has(s.programDateTime)) assert.equal(s.mediaSequence, numbers.get(s.programDateTime), `${s.programDateTime} kept its number`);
        numbers.set(s.programDateTime, s.mediaSequence);
      }
      assert.equal(p.mediaSequence, first.mediaSequence + k + 1);
    }
    // The mark row holds the newest segment and its number.
    const stored = await deps.liveMarks.get('cam1');
    assert.equal(stored?.mark.startMs, T0 + 22_000);
    assert.equal(stored?.mark.mediaSequence, numbers.get(iso(T0 + 22_000)));
  });

  it('puts a discontinuity at a gap and counts it once it has slid out, with consistent numbers throughout', async () => {
    const before = await reload();
    const lastBefore = before.segments.at(-1)!;
    // The camera was down 10 s; a new session starts at T0 + 34 s.
    await record(T0 + 34_000, T0 + 36_000);
    clockMs = T0 + 38_500;
    const withGap = await reload();
    const afterGap = withGap.segments.find((s) => s.programDateTime === iso(T0 + 34_000))!;
    assert.equal(afterGap.discontinuity, true, '#EXT-X-DISCONTINUITY before the first segment after the gap');
    assert.equal(withGap.segments.filter((s) => s.discontinuity).length, 1);
    assert.equal(afterGap.mediaSequence, lastBefore.mediaSequence + 1, 'numbering carries on across the gap');
    assert.equal(withGap.discontinuitySequence, before.discontinuitySequence);
    await record(...run(T0 + 38_000, 5));
    clockMs = T0 + 48_500;
    const later = await reload();
    assert.equal(later.segments.some((s) => s.discontinuity), false, 'the gap has slid out of the window');
    assert.equal(later.discontinuitySequence, before.discontinuitySequence + 1);
    assert.equal(later.segments[0].programDateTime, iso(T0 + 36_000));
    assert.equal(later.segments[0].mediaSequence, afterGap.mediaSequence + 1);
  });

  it('refuses the URL once expired, altered, or for another camera (401), and a VOD-style query', async () => {
    const expired = livePlaylist(new HttpRequest({ method: 'GET', url: hlsUrl, params: { cameraId: 'cam1' } }), context(), { ...deps, now: () => T0 + 16_500 + 12 * 3_600_000 });
    assert.equal((await expired).status, 401);
    const other = await livePlaylist(new HttpRequest({ method: 'GET', url: hlsUrl.replace('/cam1/', '/cam2/'), params: { cameraId: 'cam2' } }), context(), deps);
    assert.equal(other.status, 401);
    const u = new URL(hlsUrl);
    u.searchParams.set('sig', `${u.searchParams.get('sig')!.slice(0, -1)}A`);
    const altered = await livePlaylist(new HttpRequest({ method: 'GET', url: u.toString(), params: { cameraId: 'cam1' } }), context(), deps);
    assert.equal(altered.status, 401);
    // A VOD playlist token of the same camera opens no live playlist.
    const vod = playbackGrantQuery({ cameraId: 'cam1', startMs: T0, endMs: T0 + 20_000, expiresMs: clockMs + 60_000 }, deps.settings.playbackTokenSecret);
    const asLive = await livePlaylist(new HttpRequest({ method: 'GET', url: `http://127.0.0.1:7071/api/cameras/cam1/live.m3u8?${vod}`, params: { cameraId: 'cam1' } }), context(), deps);
    assert.equal(asLive.status, 401);
  });

  it('answers coverage while-watched for an EVR camera', async () => {
    await deps.policies.put('cam1', { mode: 'evr', retention: { archive: 'P7D' } }, { nowMs: clockMs });
    const res = await live(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/cameras/cam1/live', params: { cameraId: 'cam1' } }), context(), deps);
    assert.deepEqual({ mode: (res.jsonBody as { mode: string }).mode, coverage: (res.jsonBody as { coverage: string }).coverage }, { mode: 'evr', coverage: 'while-watched' });
  });

  it('numbers afresh, above every number given, when the mark is older than the lookback (nobody watched for a while)', async () => {
    const before = (await deps.liveMarks.get('cam1'))!.mark;
    const hourLater = T0 + 3_600_000;
    clockMs = hourLater + 6500; // ingest refuses segments from more than 5 min in its future
    await record(...run(hourLater, 3));
    const p = await reload();
    assert.deepEqual(p.segments.map((s) => s.programDateTime), run(hourLater, 3).map(iso));
    assert.equal(p.mediaSequence, before.mediaSequence + 1);
    assert.equal(p.discontinuitySequence, before.discontinuitySequence + 1);
  });
});
