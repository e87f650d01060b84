import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultDeps, type FunctionsDeps } from '../../../../functions/deps';
import { retention } from '../../../../functions/retention/retention';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { parseRecordingPolicy } from '../../../../shared/schemas/recording-policy';
import { DAY_MS, toIso } from '../../../../shared/time';
import { batchContext, gapEvent, tableRows, viaEventGrid } from '../../../helpers/functions-fixtures';
import { fixtureSegments, storeAndIngest } from '../../../helpers/fixture-segments';
import { ingestStored, recordingsContainer } from '../../../helpers/segment-blob-fixtures';
import { startTestHost, type TestHost } from '../../../helpers/test-host';

const API_KEY = 'cvr-signal-recordings-test-key';
const CAMERA = 'yard';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
/** Frigate's default mode: record 24/7, keep one day of everything and thirty days of the windows around signals. */
const POLICY = {
  mode: 'cvr',
  cvr: { signalRecordings: true },
  retention: { archive: 'P1D', recordings: 'P30D' },
  evr: { signals: [], signalGate: { activationEvaluationWindow: 'PT1S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT10S', maximumActivationTime: 'PT60S' } },
};
/** The agent's signals: motion with its boxes at T0+30 s, an inference (label, confidence, box) at T0+120 s. */
const MOTION_MS = T0 + 30_000;
const PERSON_MS = T0 + 120_000;
const BOX = { l: 0.25, t: 0.5, w: 0.125, h: 0.25 };

function deviceSignal(id: string, data: Record<string, unknown>): Record<string, unknown> {
  return viaEventGrid({ specversion: '1.0', id, source: '/devices/dev1', type: 'signal', time: String(data.time), datacontenttype: 'application/json', data: { cameraId: CAMERA, ...data } });
}

describe('CVR with signal recordings: 24/7 archive P1D, signal windows P30D (Azurite, real segments, the host\'s batches)', () => {
  let t: TestHost;
  let deps: FunctionsDeps;
  let starts: number[];
  let durations: number[];
  const call = (path: string) => fetch(`${t.api}${path}`, { headers: { 'x-functions-key': API_KEY } });
  const range = (a: number, b: number) => `start=${encodeURIComponent(toIso(a))}&end=${encodeURIComponent(toIso(b))}`;

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'cvrsig' });
    deps = defaultDeps();
    await deps.policies.put(CAMERA, parseRecordingPolicy(POLICY), { nowMs: T0 - 60_000 });
    // The signals reach the cloud before the segments that carry them (the gate holds them until media time passes).
    const signals = [
      deviceSignal('motion-yard-1', { type: 'motion', time: toIso(MOTION_MS), end: toIso(MOTION_MS + 2000), boxes: [BOX] }),
      deviceSignal('inference-yard-1', { type: 'inference', time: toIso(PERSON_MS), label: 'person', confidence: 0.875, boxes: [BOX] }),
    ];
    assert.equal((await ingestStored(signals, batchContext(), deps)).accepted, 2);
    // Four passes of the real clip (5 segments of ~8 s each): ~2 min 40 s of continuous archive from T0.
    const clip = fixtureSegments();
    const segments = [...clip, ...clip, ...clip, ...clip];
    durations = segments.map((s) => s.durationMs);
    starts = await storeAndIngest(deps.settings, deps, CAMERA, T0, segments);
  });

  after(async () => {
    await t?.stop();
  });

  const segmentsInIndex = async () => (await deps.segmentIndex.listSegmentSizes(CAMERA, T0, T0 + DAY_MS)).map((s) => s.startMs);
  const overlapping = (a: number, b: number) => starts.filter((s, i) => s < b && s + durations[i]! > a);

  it('the signals opened recordings over the archive, listed with the signals that opened them, with their lifecycle events', async () => {
    const res = await call(`/cameras/${CAMERA}/recordings?${range(T0 - 60_000, T0 + 3_600_000)}`);
    assert.equal(res.status, 200);
    const { recordings } = (await res.json()) as { recordings: Array<{ id: string; start: string; end: string; state: string; signals: Array<{ id: string; type: string; label?: string }> }> };
    assert.deepEqual(
      recordings.map((r) => [r.start, r.end, r.state, r.signals.map((s) => [s.id, s.type, s.label])]),
      [
        [toIso(MOTION_MS - 5000), toIso(MOTION_MS + 10_000), 'complete', [['motion-yard-1', 'motion', undefined]]],
        [toIso(PERSON_MS - 5000), toIso(PERSON_MS + 10_000), 'complete', [['inference-yard-1', 'inference', 'person']]],
      ],
    );
    const events = (await tableRows(t.azurite.connectionString, 'cvrsigEvents')).map((r) => JSON.parse(String(r.event)) as { type: string; data: Record<string, unknown> });
    const ofRecordings = events.filter((e) => e.type.startsWith('recording.') && e.data.kind !== 'archive');
    assert.deepEqual(ofRecordings.map((e) => e.type).sort(), ['recording.available', 'recording.available', 'recording.started', 'recording.started', 'recording.stopped', 'recording.stopped']);
    const gate = await deps.gates.get(CAMERA);
    assert.ok(gate);
    assert.deepEqual(gate.outbox, []);
  });

  it('GET signals lists both signals with their boxes, labels and confidence, paged by limit', async () => {
    const res = await call(`/cameras/${CAMERA}/signals?${range(T0, T0 + 3_600_000)}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { signals: unknown[]; next?: string };
    assert.deepEqual(body, {
      signals: [
        { id: 'motion-yard-1', type: 'motion', origin: 'device', time: toIso(MOTION_MS), end: toIso(MOTION_MS + 2000), boxes: [BOX] },
        { id: 'inference-yard-1', type: 'inference', origin: 'device', time: toIso(PERSON_MS), label: 'person', confidence: 0.875, boxes: [BOX] },
      ],
    });
    const first = (await (await call(`/cameras/${CAMERA}/signals?${range(T0, T0 + 3_600_000)}&limit=1`)).json()) as { signals: Array<{ id: string }>; next?: string };
    assert.deepEqual(first.signals.map((s) => s.id), ['motion-yard-1']);
    assert.ok(first.next);
    const second = (await (await call(`/cameras/${CAMERA}/signals?${range(T0, T0 + 3_600_000)}&limit=1&after=${encodeURIComponent(first.next)}`)).json()) as { signals: Array<{ id: string }>; next?: string };
    assert.deepEqual([second.signals.map((s) => s.id), second.next], [['inference-yard-1'], undefined]);
    assert.equal((await call(`/cameras/${CAMERA}/signals?${range(T0, T0 + 3_600_000)}&limit=1001`)).status, 400);
    const bogus = await call(`/cameras/${CAMERA}/signals?${range(T0, T0 + 3_600_000)}&after=not-a-token`);
    assert.deepEqual([bogus.status, ((await bogus.json()) as { error: { code: string } }).error.code], [400, 'InvalidContinuation']);
  });

  it('the archive emits AVA\'s CVR lifecycle events: started and available on its first segment, stopped on the gap that ends it', async () => {
    const archive = async () =>
      (await tableRows(t.azurite.connectionString, 'cvrsigEvents'))
        .map((r) => JSON.parse(String(r.event)) as { id: string; type: string; data: Record<string, unknown> })
        .filter((e) => e.data.kind === 'archive')
        .map((e) => [e.type, e.id, e.data.recordingId, e.data.start, e.data.end, e.data.reason])
        .sort();
    const lastEndMs = starts[starts.length - 1]! + durations[durations.length - 1]!;
    const id = `archive-${T0}`;
    assert.deepEqual(await archive(), [
      ['recording.available', `recording-available-archive-${CAMERA}-${T0}`, id, toIso(T0), toIso(T0 + durations[0]!), 'continuous'],
      ['recording.started', `recording-started-archive-${CAMERA}-${T0}`, id, toIso(T0), toIso(T0 + durations[0]!), 'continuous'],
    ]);
    // The agent reports the camera down from the end of the last segment: the session stops there.
    assert.equal((await ingestStored([viaEventGrid(gapEvent({ cameraId: CAMERA, startMs: lastEndMs, endMs: lastEndMs + 60_000, cause: 'camera-unavailable' }))], batchContext(), deps)).accepted, 1);
    assert.deepEqual((await archive()).filter((e) => e[0] === 'recording.stopped'), [['recording.stopped', `recording-stopped-archive-${CAMERA}-${T0}`, id, toIso(T0), toIso(lastEndMs), 'continuous']]);
  });

  it('retention two days later keeps only the windows; they play, and signals still lists what opened them', async () => {
    assert.equal((await segmentsInIndex()).length, starts.length);
    const summary = await retention(undefined, batchContext(), { ...deps, now: () => T0 + 2 * DAY_MS });
    assert.deepEqual(summary.failed, []);
    const windows = [overlapping(MOTION_MS - 5000, MOTION_MS + 10_000), overlapping(PERSON_MS - 5000, PERSON_MS + 10_000)];
    const kept = [...windows[0]!, ...windows[1]!];
    assert.ok(kept.length >= 2 && kept.length < starts.length, `kept ${kept.length} of ${starts.length}`);
    assert.equal(summary.segmentsDeleted, starts.length - kept.length);
    assert.deepEqual(await segmentsInIndex(), kept);
    const container = recordingsContainer(deps.settings);
    for (const s of starts) assert.equal(await container.getBlockBlobClient(segmentBlobName(CAMERA, s)).exists(), kept.includes(s), `blob ${toIso(s)}`);

    const { recordings } = (await (await call(`/cameras/${CAMERA}/recordings?${range(T0 - 60_000, T0 + 3_600_000)}`)).json()) as { recordings: Array<{ id: string; signals: Array<{ id: string }> }> };
    assert.deepEqual(recordings.map((r) => r.signals.map((s) => s.id)), [['motion-yard-1'], ['inference-yard-1']]);
    for (const [i, r] of recordings.entries()) {
      const playback = await call(`/cameras/${CAMERA}/recordings/${r.id}/playback`);
      assert.equal(playback.status, 200);
      const { hlsUrl } = (await playback.json()) as { hlsUrl: string };
      const playlist = await fetch(hlsUrl);
      assert.equal(playlist.status, 200);
      const uris = (await playlist.text()).split('\n').filter((l) => l && !l.startsWith('#'));
      assert.equal(uris.length, windows[i]!.length);
      for (const uri of uris) assert.equal((await fetch(new URL(uri, hlsUrl))).status, 200, uri);
    }
    const signals = (await (await call(`/cameras/${CAMERA}/signals?${range(T0, T0 + 3_600_000)}`)).json()) as { signals: Array<{ id: string }> };
    assert.deepEqual(signals.signals.map((s) => s.id), ['motion-yard-1', 'inference-yard-1']);
  });

  it('once the recordings retention ends (31 days), the windows, their recording rows and the signals go too', async () => {
    const summary = await retention(undefined, batchContext(), { ...deps, now: () => T0 + 31 * DAY_MS });
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.recordingsDeleted, 2);
    assert.deepEqual(await segmentsInIndex(), []);
    assert.deepEqual(await deps.recordings.list(CAMERA, { startMs: T0 - 60_000, endMs: T0 + 3_600_000 }), []);
    const signals = (await (await call(`/cameras/${CAMERA}/signals?${range(T0, T0 + 3_600_000)}`)).json()) as { signals: unknown[] };
    assert.deepEqual(signals.signals, []);
  });
});
