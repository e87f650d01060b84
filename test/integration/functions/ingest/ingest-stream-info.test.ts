import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultDeps } from '../../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { OPENAPI_DOCUMENT, type OpenApiResponse } from '../../../../functions/openapi/openapi';
import { settings } from '../../../../functions/settings';
import { checkJsonSchema } from '../../../helpers/json-schema-check';
import { startTestHost, type TestHost } from '../../../helpers/test-host';
import { batchContext, diagnosticsEvent, segmentEvent, tableRows, viaEventGrid } from '../../../helpers/functions-fixtures';

/**
 * The stream info of a `session-established` diagnostics event lands on the camera (ingest on Azurite)
 * and shows as its `stream` in `GET /api/cameras` (the local functions host); the newest event time wins; bad stream
 * info is dead-lettered and changes nothing.
 */
const API_KEY = 'stream-info-test-key-5e2a';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** H.264 High 720p25 + AAC, as the agent parses it from ffmpeg 5.1 on the test RTSP server. */
const HIGH_720P = {
  video: { codec: 'h264', profile: 'High', widthPx: 1280, heightPx: 720, fps: 25 },
  audio: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 2 },
};
/** H.265 Main 768×432, no audio. */
const HEVC_432P = { video: { codec: 'hevc', profile: 'Main', widthPx: 768, heightPx: 432, fps: 25 }, audio: null };
/** H.264 Baseline 12.50 fps + G.711 µ-law. */
const BASELINE_PCMU = {
  video: { codec: 'h264', profile: 'Baseline', widthPx: 768, heightPx: 432, fps: 12.5 },
  audio: { codec: 'pcm_mulaw', profile: null, sampleRateHz: 8000, channels: 1 },
};

/** A `session-established` event of `cameraId` at `atMs` (event time), as the agent sends it, via Event Grid. */
function established(id: string, cameraId: string, atMs: number, stream: unknown): Record<string, unknown> {
  return viaEventGrid(diagnosticsEvent({ id, cameraId, kind: 'session-established', time: iso(atMs), video: 'h264 (High), 1280x720', audio: [], stream }));
}

describe('ingest: the camera stream info of session-established diagnostics, shown by GET /api/cameras', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'stream' });
  });
  after(async () => {
    await t?.stop();
  });

  async function listed(): Promise<Array<Record<string, unknown>>> {
    const res = await fetch(`${t.api}/cameras`, { headers: { 'x-functions-key': API_KEY } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { cameras: Array<Record<string, unknown>> };
    const documented = OPENAPI_DOCUMENT.paths['/cameras'].get!.responses['200'] as OpenApiResponse;
    assert.deepEqual(checkJsonSchema(body, documented.content!['application/json'].schema, OPENAPI_DOCUMENT), [], 'the answer conforms to the OpenAPI document');
    return body.cameras;
  }
  /** The camera as GET /api/cameras lists it, without its health (derived from its device's status, not asserted here). */
  const camera = async (id: string) => {
    const found = (await listed()).find((c) => c.id === id);
    if (!found) return undefined;
    const { health, ...rest } = found as typeof found & { health?: unknown };
    assert.ok(health, `camera ${id} is listed with its health`);
    return rest;
  };
  const cameraRows = async (cameraId: string) => (await tableRows(t.azurite.connectionString, settings().tables.cameras)).filter((r) => r.partitionKey === cameraId);

  it('lands on the camera with the time of its session; a camera without one has no stream; an event without stream info stores none', async () => {
    const summary = await ingest(
      [
        viaEventGrid(segmentEvent({ cameraId: 'door', startMs: T0 })),
        established('diag-door-1', 'door', T0 - 2000, HIGH_720P),
        viaEventGrid(segmentEvent({ cameraId: 'yard', startMs: T0 })),
        viaEventGrid(diagnosticsEvent({ id: 'diag-yard-1', cameraId: 'yard', kind: 'session-established', video: 'h264 (Main), 1920x1080' })), // an agent that sends no stream info
      ],
      batchContext(),
      defaultDeps(),
    );
    assert.deepEqual([summary.accepted, summary.deadLettered], [4, 0]);
    assert.deepEqual(await camera('door'), { id: 'door', deviceId: 'dev1', firstRecorded: iso(T0), lastRecorded: iso(T0 + 10_000), stream: { ...HIGH_720P, since: iso(T0 - 2000) } });
    assert.deepEqual(await camera('yard'), { id: 'yard', deviceId: 'dev1', firstRecorded: iso(T0), lastRecorded: iso(T0 + 10_000) }, 'no stream until one is known');
    // The stream row sits beside the camera row; the camera row is unchanged by it.
    assert.deepEqual((await cameraRows('door')).map((r) => [r.rowKey, r.eventId ?? null]), [['camera', null], ['stream', 'diag-door-1']]);
  });

  it('a newer session replaces it; an older or redelivered event, in a later batch or the same one, changes nothing', async () => {
    const deps = defaultDeps();
    await ingest([viaEventGrid(segmentEvent({ cameraId: 'gate', startMs: T0 })), established('diag-gate-1', 'gate', T0, HIGH_720P)], batchContext(), deps);
    await ingest([established('diag-gate-2', 'gate', T0 + 60_000, HEVC_432P)], batchContext(), deps); // the camera was replaced
    assert.deepEqual((await camera('gate'))?.stream, { ...HEVC_432P, since: iso(T0 + 60_000) });
    const rows = await cameraRows('gate');
    // Late and redelivered: the first session again, one between the two, and the newest again.
    await ingest([established('diag-gate-1', 'gate', T0, HIGH_720P), established('diag-gate-0', 'gate', T0 + 30_000, BASELINE_PCMU)], batchContext(), deps);
    await ingest([established('diag-gate-2', 'gate', T0 + 60_000, HEVC_432P)], batchContext(), deps);
    assert.deepEqual(await cameraRows('gate'), rows, 'rows unchanged');
    // One batch with both, in either order: the newer wins; the same time: the greater event id wins.
    for (const [cameraId, batch] of [
      ['lobby', [established('diag-lobby-new', 'lobby', T0 + 5000, BASELINE_PCMU), established('diag-lobby-old', 'lobby', T0, HIGH_720P)]],
      ['hall', [established('diag-hall-old', 'hall', T0, HIGH_720P), established('diag-hall-new', 'hall', T0 + 5000, BASELINE_PCMU)]],
      ['roof', [established('diag-roof-b', 'roof', T0 + 5000, BASELINE_PCMU), established('diag-roof-a', 'roof', T0 + 5000, HIGH_720P)]],
      ['dock', [established('diag-dock-a', 'dock', T0 + 5000, HIGH_720P), established('diag-dock-b', 'dock', T0 + 5000, BASELINE_PCMU)]],
    ] as const) {
      await ingest([viaEventGrid(segmentEvent({ cameraId, startMs: T0 })), ...batch], batchContext(), deps);
      assert.deepEqual((await camera(cameraId))?.stream, { ...BASELINE_PCMU, since: iso(T0 + 5000) }, cameraId);
    }
  });

  it('a stream reported before the camera first recorded shows once it has', async () => {
    const deps = defaultDeps();
    await ingest([established('diag-shed-1', 'shed', T0, BASELINE_PCMU)], batchContext(), deps);
    assert.equal(await camera('shed'), undefined, 'not listed before it recorded');
    await ingest([viaEventGrid(segmentEvent({ cameraId: 'shed', startMs: T0 + 1000 }))], batchContext(), deps);
    assert.deepEqual((await camera('shed'))?.stream, { ...BASELINE_PCMU, since: iso(T0) });
  });

  it('bad stream info is dead-lettered with its reason and changes nothing; the rest of the batch proceeds', async () => {
    const deps = defaultDeps();
    await ingest([viaEventGrid(segmentEvent({ cameraId: 'pier', startMs: T0 })), established('diag-pier-1', 'pier', T0, HIGH_720P)], batchContext(), deps);
    const rows = await cameraRows('pier');
    const bad = [
      established('diag-pier-bad1', 'pier', T0 + 60_000, { ...HEVC_432P, video: { ...HEVC_432P.video, widthPx: '768' } }),
      established('diag-pier-bad2', 'pier', T0 + 60_000, { ...HEVC_432P, video: { ...HEVC_432P.video, width: 768 } }),
      established('diag-pier-bad3', 'pier', T0 + 60_000, { video: HEVC_432P.video }),
      viaEventGrid(diagnosticsEvent({ id: 'diag-pier-bad4', cameraId: 'pier', kind: 'protocol-error', message: 'x', stream: HEVC_432P })),
    ];
    const summary = await ingest([...bad, viaEventGrid(segmentEvent({ cameraId: 'pier', startMs: T0 + 10_000 }))], batchContext(), deps);
    assert.deepEqual([summary.accepted, summary.deadLettered], [1, 4]);
    const letters = (await tableRows(t.azurite.connectionString, settings().tables.deadLetters)).filter((r) => String(r.eventId).startsWith('diag-pier-bad'));
    assert.deepEqual(letters.map((r) => [r.eventId, r.reasonCode]).sort(), [
      ['diag-pier-bad1', 'InvalidEventData'],
      ['diag-pier-bad2', 'InvalidEventData'],
      ['diag-pier-bad3', 'InvalidEventData'],
      ['diag-pier-bad4', 'InvalidEventData'],
    ]);
    assert.match(String(letters.find((r) => r.eventId === 'diag-pier-bad1')?.reasonMessage), /stream\.video\.widthPx/);
    const after = await cameraRows('pier');
    assert.deepEqual(after.find((r) => r.rowKey === 'stream'), rows.find((r) => r.rowKey === 'stream'), 'the stream row is unchanged');
    assert.deepEqual((await camera('pier'))?.stream, { ...HIGH_720P, since: iso(T0) });
    const forwarded = (await tableRows(t.azurite.connectionString, settings().tables.events)).filter((r) => String(r.id).startsWith('diag-pier-bad'));
    assert.deepEqual(forwarded, [], 'no camera.diagnostics integration event for a dead-lettered one');
  });
});
