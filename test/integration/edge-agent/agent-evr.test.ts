import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { renderFileName } from '../../../shared/schemas/file-name-pattern';
import { uploadWindowCommand, type UploadWindow } from '../../../shared/contracts/upload-window';
import { cameraCommandsTopic } from '../../../shared/contracts/topics';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { decodeFully } from '../../helpers/ffmpeg';
import { freePort } from '../../../testbed/ports';
import { mediaPath } from '../../../testbed/rtsp-server';
import { startAgentProcess, type AgentProcess } from '../../helpers/agent-process';
import { until, waitFor } from '../../helpers/wait';

const DEVICE = 'site-e';
const CAMERA = 'cam-e';
const PATTERN = 'evr-${cameraId}-${System.Runtime.DateTime}';

type Run = AgentProcess;
const startAgent = startAgentProcess;

/** A recording id as the cloud makes them: `{13-digit start}-{12 hex}`. */
function recordingId(startMs: number): string {
  return `${String(startMs).padStart(13, '0')}-${randomBytes(6).toString('hex')}`;
}

interface Recorded {
  startMs: number;
  durationMs: number;
}

async function blobNames(container: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const b of container.listBlobsFlat()) names.push(b.name);
  return names.sort();
}

const overlaps = (s: Recorded, w: { startMs: number; endMs: number }) => s.startMs < w.endMs && w.startMs < s.startMs + s.durationMs;

describe('Agent in EVR mode', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let cloud: MqttClient;
  const received: BrokerMessage[] = [];

  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({ port: await freePort(), devices: { [DEVICE]: 'pw', 'site-c': 'pw' }, cloudClients: { 'keepwatch-cloud': 'cloud-pw' }, onMessage: (m) => received.push(m) });
    cloud = await mqtt.connectAsync(broker.url, { clientId: 'cloud-test', username: 'keepwatch-cloud', password: 'cloud-pw', protocolVersion: 4 });
  });
  after(async () => {
    await cloud?.endAsync();
    await broker?.close();
    await azurite?.stop();
  });

  const recordedOf = (deviceId: string, cameraId: string): Recorded[] =>
    received
      .filter((m) => m.topic === `keepwatch/${deviceId}/events/${cameraId}`)
      .map((m) => JSON.parse(m.payload.toString()) as { type: string; data: { start: string; durationMs: number } })
      .filter((e) => e.type === 'segment.recorded')
      .map((e) => ({ startMs: Date.parse(e.data.start), durationMs: e.data.durationMs }))
      .filter((s, i, all) => all.findIndex((x) => x.startMs === s.startMs) === i)
      .sort((a, b) => a.startMs - b.startMs);

  const send = (deviceId: string, w: UploadWindow) => cloud.publishAsync(cameraCommandsTopic(deviceId, w.cameraId), JSON.stringify(uploadWindowCommand(w, Date.now())), { qos: 1 });

  it('uploads exactly the segments overlapping commanded windows (now, later, after SIGKILL + restart), drops the rest past the cache horizon, writes one MP4 per final window', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('evr');
    await container.create();
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kw-evr-'));
    const sinkDir = path.join(cacheDir, '..', `${path.basename(cacheDir)}-sink`);
    mkdirSync(sinkDir);
    // Older MP4s of the sink: together with a new one they exceed maximumSizeMiB 1, so the oldest must go.
    writeFileSync(path.join(sinkDir, 'a-oldest.mp4'), Buffer.alloc(700 * 1024));
    writeFileSync(path.join(sinkDir, 'b-older.mp4'), Buffer.alloc(300 * 1024));
    utimesSync(path.join(sinkDir, 'a-oldest.mp4'), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    utimesSync(path.join(sinkDir, 'b-older.mp4'), new Date(Date.now() - 1_800_000), new Date(Date.now() - 1_800_000));
    const configFile = path.join(cacheDir, '..', `${path.basename(cacheDir)}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        deviceId: DEVICE,
        cameras: [{ id: CAMERA, url: mediaPath('one-by-one-person-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'], mode: 'evr', fileSink: { baseDirectoryPath: sinkDir, fileNamePattern: PATTERN, maximumSizeMiB: 1 } }],
        segmentLength: 'PT2S',
        evrCacheHorizon: 'PT10S',
        localMediaCachePath: cacheDir,
        fileSinkRoot: sinkDir, // outside the cache folder: allowed only through fileSinkRoot (docs/security.md)
        broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
        upload: { connectionString: azurite.connectionString, container: 'evr' },
        logLevel: 'debug',
        metrics: { port: 0 },
      }),
    );
    const runs: Run[] = [startAgent(configFile)];
    const logs = () => runs.flatMap((r) => r.lines);
    const rec = () => recordedOf(DEVICE, CAMERA);
    try {
      await until('5 segment.recorded events', 60_000, () => rec().length >= 5);
      const [, r1, r2, r3] = rec();
      const id1 = recordingId(r1.startMs + 500);
      const w1: UploadWindow = { cameraId: CAMERA, recordingId: id1, startMs: r1.startMs + 500, endMs: r2.startMs + 1000, final: false, sequence: 0 };
      await send(DEVICE, w1);
      await send(DEVICE, { ...w1, endMs: r3.startMs + 500, sequence: 1 }); // extension
      // Malformed: not JSON; end before start; camera of another topic.
      await cloud.publishAsync(cameraCommandsTopic(DEVICE, CAMERA), '{not json', { qos: 1 });
      await cloud.publishAsync(cameraCommandsTopic(DEVICE, CAMERA), JSON.stringify(uploadWindowCommand({ ...w1, endMs: w1.startMs - 1000, sequence: 5 }, Date.now())), { qos: 1 });
      await send(DEVICE, { ...w1, endMs: r3.startMs + 500, sequence: 2, final: true });
      // A redelivered older extension that would widen the window if applied: changes nothing.
      await send(DEVICE, { ...w1, endMs: r3.startMs + 60_000, sequence: 1 });
      const w1Final = { startMs: w1.startMs, endMs: r3.startMs + 500 };

      // A window over segments not recorded yet.
      const lastEnd = rec().at(-1)!.startMs + rec().at(-1)!.durationMs;
      const id2 = recordingId(lastEnd + 4000);
      const w2: UploadWindow = { cameraId: CAMERA, recordingId: id2, startMs: lastEnd + 4000, endMs: lastEnd + 7000, final: true, sequence: 0 };
      await send(DEVICE, w2);

      await until('two malformed commands logged', 20_000, () => logs().filter((o) => o.msg === 'command ignored: invalid upload-window command').length >= 2);
      const reasons = logs().filter((o) => o.msg === 'command ignored: invalid upload-window command').map((o) => String(o.reason));
      assert.ok(reasons.some((r) => /JSON/.test(r)) && reasons.some((r) => /must end after it starts/.test(r)), `reasons logged: ${reasons.join(' | ')}`);
      await until('the stale command logged', 20_000, () => logs().some((o) => o.msg === 'upload-window command ignored: not newer than the one held' && o.sequence === 1));

      await until('segments past the second window recorded', 60_000, () => rec().some((s) => s.startMs >= w2.endMs));
      const mp4 = (w: UploadWindow) => path.join(sinkDir, renderFileName(PATTERN, { startMs: w.startMs, cameraId: CAMERA, recordingId: w.recordingId }));
      await until('the MP4s of both final windows', 60_000, () => existsSync(mp4(w1)) && existsSync(mp4(w2)));

      // Restart: a window received before a SIGKILL still applies to the next run.
      const w3Start = Date.now() + 9000;
      const id3 = recordingId(w3Start);
      const w3: UploadWindow = { cameraId: CAMERA, recordingId: id3, startMs: w3Start, endMs: w3Start + 3000, final: false, sequence: 0 };
      await send(DEVICE, w3);
      await until('window 3 held', 20_000, () => runs[0].lines.some((o) => o.msg === 'upload window held' && o.recordingId === id3));
      runs[0].child.kill('SIGKILL');
      await runs[0].exited;
      runs.push(startAgent(configFile));
      await until('segments past the third window recorded by the second run', 90_000, () => rec().some((s) => s.startMs >= w3.endMs));
      await send(DEVICE, { ...w3, final: true, sequence: 1 });
      // The second run stored the last journaled segment's segment.recorded again (same id) in case the kill fell between journal and outbox.
      const recordedIds = received.filter((m) => m.topic === `keepwatch/${DEVICE}/events/${CAMERA}`).map((m) => JSON.parse(m.payload.toString()) as { id: string; type: string }).filter((e) => e.type === 'segment.recorded').map((e) => e.id);
      assert.ok(recordedIds.some((id, i) => recordedIds.indexOf(id) !== i), 'a segment.recorded republished after the restart');

      // Unwindowed segments leave the cache past the cache horizon: the first one, the one the stale command named.
      const dropped = () => new Set(logs().filter((o) => o.msg === 'EVR: segment outside every upload window dropped past the cache horizon').map((o) => Number(o.segmentStartMs)));
      const r0 = rec()[0];
      const r4 = rec().find((s) => s.startMs >= r3.startMs + r3.durationMs)!;
      await until('the first and the stale-named segments dropped', 60_000, () => dropped().has(r0.startMs) && dropped().has(r4.startMs));
      const dropLines = logs().filter((o) => o.msg === 'EVR: segment outside every upload window dropped past the cache horizon' && Number(o.segmentStartMs) === r0.startMs);
      assert.ok(Date.parse(String(dropLines[0].time)) >= r0.startMs + r0.durationMs + 10_000, 'not before the cache horizon');

      // Exactly the overlapping segments reach Blob.
      const windows = [w1Final, w2, w3];
      const expected = () => rec().filter((s) => windows.some((w) => overlaps(s, w))).map((s) => segmentBlobName(CAMERA, s.startMs)).sort();
      await until('the windowed segments uploaded', 60_000, async () => (await blobNames(container)).length >= expected().length);
      await new Promise((r) => setTimeout(r, 3000)); // nothing else arrives meanwhile
      assert.deepEqual(await blobNames(container), expected(), 'exactly the segments overlapping a window');
      assert.ok(expected().length >= 3 + 2 + 2, `segments of three windows: ${expected().length}`);
      for (const s of dropped()) assert.ok(!expected().includes(segmentBlobName(CAMERA, s)), 'a dropped segment was in no window');

      // File sink: one playable MP4 per final window, about the window's length (± one segment); the oldest old file deleted.
      await until('the third MP4', 60_000, () => existsSync(mp4(w3)));
      for (const [w, span] of [[w1, w1Final], [w2, w2]] as const) {
        const segs = rec().filter((s) => overlaps(s, span));
        const decoded = await decodeFully(mp4(w));
        assert.deepEqual(decoded.errors, [], `${mp4(w)} plays`);
        const segmentsS = segs.reduce((n, s) => n + s.durationMs, 0) / 1000;
        assert.ok(Math.abs(decoded.decodedS - segmentsS) < 0.6, `${mp4(w)}: ${decoded.decodedS} s = its segments' ${segmentsS} s`);
        const maxSegS = Math.max(...segs.map((s) => s.durationMs)) / 1000;
        assert.ok(Math.abs(decoded.decodedS - (span.endMs - span.startMs) / 1000) <= maxSegS + 0.6, `${mp4(w)}: ${decoded.decodedS} s ≈ window ${(span.endMs - span.startMs) / 1000} s ± one segment`);
      }
      const sinkFiles = readdirSync(sinkDir).sort();
      assert.ok(!sinkFiles.includes('a-oldest.mp4'), `the oldest MP4 deleted beyond maximumSizeMiB: ${sinkFiles.join(', ')}`);
      assert.equal(sinkFiles.filter((n) => n.startsWith('evr-')).length, 3, `one MP4 per final window: ${sinkFiles.join(', ')}`);
      const sinkBytes = sinkFiles.reduce((n, f) => n + statSync(path.join(sinkDir, f)).size, 0);
      assert.ok(sinkBytes <= 1024 * 1024, `the sink fits maximumSizeMiB: ${sinkBytes}`);

      // Metrics of the second run; windows forgotten once final and done.
      const metricsUrl = String(runs[1].lines.find((o) => o.msg === 'metrics and health endpoint listening')?.url);
      await until('every window forgotten', 30_000, () => (JSON.parse(readFileSync(path.join(cacheDir, 'evr-windows.json'), 'utf8')) as { windows: unknown[] }).windows.length === 0);
      const text = await (await fetch(metricsUrl)).text();
      assert.match(text, /keepwatch_evr_windows_held 0/);
      assert.match(text, new RegExp(`keepwatch_file_sink_files_total\\{camera="${CAMERA}"\\} 1`));
      assert.match(text, new RegExp(`keepwatch_evr_segments_dropped_total\\{camera="${CAMERA}"\\} [1-9]`));
      // No gap announced for dropped segments: EVR drops them by design.
      const gaps = received.filter((m) => m.topic === `keepwatch/${DEVICE}/events/${CAMERA}`).map((m) => JSON.parse(m.payload.toString()) as { type: string; data: { cause: string } }).filter((e) => e.type === 'gap');
      assert.deepEqual(gaps.map((g) => g.data.cause).filter((c) => c === 'eviction'), []);
    } finally {
      for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGTERM');
      await Promise.all(runs.map((r) => r.exited));
    }
  });

  it('with a small cache cap and storage down, segments inside a window are evicted last; the undecided ones evicted become eviction gaps', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kw-evr-cap-'));
    const camera = 'cam-c';
    const deadBlob = `http://127.0.0.1:${await freePort()}/${azurite.accountName}`;
    const configFile = path.join(cacheDir, '..', `${path.basename(cacheDir)}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        deviceId: 'site-c',
        // ~450 KB per segment (744 kbit/s, a keyframe every 4.8 s): the 1 MiB cap holds two.
        cameras: [{ id: camera, url: mediaPath('car-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'], mode: 'evr' }],
        segmentLength: 'PT2S',
        evrCacheHorizon: 'PT10M',
        localMediaCacheMaximumSizeMiB: 1,
        localMediaCachePath: cacheDir,
        broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
        upload: { connectionString: azurite.connectionString.replace(azurite.blobEndpoint, deadBlob), container: 'evr' },
        logLevel: 'debug',
        metrics: false,
      }),
    );
    const run = startAgent(configFile);
    try {
      const first = await waitFor('the first segment.recorded', 60_000, () => recordedOf('site-c', camera)[0]);
      await send('site-c', { cameraId: camera, recordingId: recordingId(first.startMs), startMs: first.startMs, endMs: first.startMs + 1000, final: true, sequence: 0 });
      const gapsOf = () =>
        received
          .filter((m) => m.topic === `keepwatch/site-c/events/${camera}`)
          .map((m) => JSON.parse(m.payload.toString()) as { type: string; data: { start: string; cause: string } })
          .filter((e) => e.type === 'gap');
      await until('three eviction gaps', 90_000, () => gapsOf().length >= 3);
      const gaps = gapsOf();
      assert.ok(gaps.every((g) => g.data.cause === 'eviction'), JSON.stringify(gaps.map((g) => g.data)));
      assert.ok(!gaps.some((g) => Date.parse(g.data.start) === first.startMs), 'the window segment, although the oldest, was not evicted');
      const journal = readFileSync(path.join(cacheDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { op: string; file: string; startMs?: number });
      const pending = new Map<string, number | undefined>();
      for (const r of journal) {
        if (r.op === 'recorded') pending.set(r.file, r.startMs);
        else if (r.op === 'done') pending.delete(r.file);
      }
      assert.ok([...pending.values()].includes(first.startMs), 'the window segment is still cached (journal)');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });
});
