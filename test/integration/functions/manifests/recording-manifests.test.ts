import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { ingest } from '../../../../functions/ingest/ingest';
import { manifests } from '../../../../functions/manifests/manifests';
import { applyCameraRetention } from '../../../../functions/retention/retention-camera';
import { recordingManifestSchema } from '../../../../shared/contracts/manifest';
import { recordingManifestBlobName, hourStart } from '../../../../shared/contracts/manifest-naming';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { recordingApiId } from '../../../../shared/evr/recording-id';
import { parseRecordingPolicy } from '../../../../shared/schemas/recording-policy';
import { DAY_MS, HOUR_MS, MINUTE_MS, toIso } from '../../../../shared/time';
import { recordRealSegments, sha256Hex, uploadAndIngest } from '../../../helpers/archive-fixtures';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { evrPolicy, recordedEvent, signalEvent } from '../../../helpers/evr-fixtures';
import { decodeFully } from '../../../helpers/ffmpeg';
import { batchContext, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';
import { recordingsContainer } from '../../../helpers/segment-blob-fixtures';

/**
 * An EVR recording's asset manifest (Azurite, real segments through ingest): a door signal opens a recording through
 * the cloud's signal gate, its window's segments are uploaded and indexed, and once it is complete the manifests timer
 * writes its playlist and JSON under `{camera}/recordings/{id}/`, with the signals that opened it; a copy of the
 * camera's folder plays it in ffmpeg.
 */
describe('asset manifests of EVR recordings (Azurite, real segments, real ffmpeg)', () => {
  let azurite: AzuriteInstance;
  let deps: FunctionsDeps;
  let tmp: string;
  const T = hourStart(Date.now()) - 2 * HOUR_MS + 10 * MINUTE_MS;
  const FIRST = T - 6000;
  const id = recordingApiId('door', 'door-open-1', T - 5000);
  let starts: number[] = [];
  let durations: number[] = [];

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kw-recording-manifests-'));
    azurite = await startAzurite();
    deps = createDeps(testSettings(azurite.connectionString, { KEEPWATCH_MANIFEST_GRACE: 'PT1M' }));
    await deps.ensureStorage();
    await deps.policies.put('door', parseRecordingPolicy(evrPolicy()), { nowMs: T - HOUR_MS });
    const segments = recordRealSegments(20);
    durations = segments.map((s) => s.durationMs);
    starts = durations.map((_, i) => FIRST + durations.slice(0, i).reduce((a, b) => a + b, 0));
    // The agent's events: the signal, and every recorded segment (the gate's media clock), in one batch.
    const ctx = batchContext();
    const s = await ingest([viaEventGrid(signalEvent({ id: 'door-open-1', atMs: T })), ...starts.map((startMs, i) => viaEventGrid(recordedEvent({ startMs, durationMs: durations[i] })))], ctx, deps);
    assert.equal(s.deadLettered, 0, JSON.stringify(ctx.logs));
    const rec = await deps.recordings.get('door', id);
    assert.deepEqual([rec?.startMs, rec?.endMs, rec?.state], [T - 5000, T + 10_000, 'complete']);
    // Then it uploads the window's segments (those overlapping [T − 5 s, T + 10 s)).
    const inWindow = starts.map((startMs, i) => ({ startMs, i })).filter(({ startMs, i }) => startMs < T + 10_000 && startMs + durations[i] > T - 5000);
    await uploadAndIngest(deps, 'door', inWindow[0].startMs, inWindow.map(({ i }) => segments[i]));
    starts = inWindow.map(({ startMs }) => startMs);
  });

  after(async () => {
    await azurite?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the manifests timer writes the recording manifest with its signals and the stored hashes of its segments', async () => {
    const run = await manifests(undefined, batchContext(), deps);
    assert.deepEqual(run.failed, []);
    assert.equal(run.recordings.outcomes.written, 1, JSON.stringify(run));
    const container = recordingsContainer(deps.settings);
    const m = recordingManifestSchema.parse(JSON.parse((await container.getBlobClient(recordingManifestBlobName('door', id, 1, 'json')).downloadToBuffer()).toString('utf8')));
    assert.deepEqual(m.recording, { id, gateRecordingId: 'door-open-1', start: toIso(T - 5000), end: toIso(T + 10_000), signals: [{ id: 'door-open-1', type: 'door', at: toIso(T) }], signalCount: 1 });
    assert.deepEqual(m.segments.map((s) => s.start), starts.map(toIso));
    for (const s of m.segments) {
      const stored = await container.getBlobClient(segmentBlobName('door', Date.parse(s.start))).downloadToBuffer();
      assert.equal(s.sha256, sha256Hex(stored));
      assert.match(s.uri, /^\.\.\/\.\.\/\d{4}\/\d{2}\/\d{2}\/\d{2}\//);
    }
    assert.equal((await manifests(undefined, batchContext(), deps)).recordings.dirty, 0, 'clean once written');
  });

  it('a copy of the camera folder plays the recording in ffmpeg with nothing of Keepwatch running', async () => {
    const container = recordingsContainer(deps.settings);
    const dir = path.join(tmp, 'copy');
    for await (const b of container.listBlobsFlat({ prefix: 'door/' })) {
      const file = path.join(dir, b.name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, await container.getBlobClient(b.name).downloadToBuffer());
    }
    const decoded = await decodeFully(path.join(dir, recordingManifestBlobName('door', id, 1, 'm3u8')));
    assert.equal(decoded.code, 0, decoded.errors.join('\n'));
    assert.deepEqual(decoded.errors, []);
    assert.equal(decoded.frames, starts.length * 2 * 10, 'every frame of the window\'s segments');
  });

  it('retention that deletes the recording deletes its manifests on the next run', async () => {
    const camera = (await deps.cameras.getCamera('door'))!;
    const result = await applyCameraRetention(camera, deps, T + 8 * DAY_MS);
    assert.equal(result.recordingsDeleted, 1, JSON.stringify(result));
    const run = await manifests(undefined, batchContext(), deps);
    assert.equal(run.recordings.outcomes.removed, 1, JSON.stringify(run));
    assert.deepEqual(await deps.manifestBlobs.list('door/recordings/'), []);
    assert.equal((await manifests(undefined, batchContext(), deps)).recordings.dirty, 0);
  });
});
