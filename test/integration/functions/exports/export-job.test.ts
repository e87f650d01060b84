import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import type { ExportJobRecord } from '../../../../functions/adapters/blob/blob-export-jobs';
import { exportGet } from '../../../../functions/exports/export-get';
import type { ExportJobResponse } from '../../../../functions/exports/export-job-response';
import { runExportJob } from '../../../../functions/exports/export-job-run';
import { exportsCreate } from '../../../../functions/exports/exports-create';
import { exportsResume } from '../../../../functions/exports/exports-resume';
import type { FunctionsSettings } from '../../../../functions/settings';
import { parseTarHeader, TAR_BLOCK } from '../../../../shared/export/tar-header';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { FFMPEG } from '../../../helpers/ffmpeg';
import { fixtureSegments, storeAndIngest, type FixtureSegment } from '../../../helpers/fixture-segments';
import { testSettings } from '../../../helpers/functions-fixtures';
import { waitFor } from '../../../helpers/wait';

const run = promisify(execFile);
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
/** The built CLI (package.json bin `keepwatch-admin`), from dist/test/integration/functions/exports/. */
const ADMIN_CLI = path.resolve(__dirname, '..', '..', '..', '..', 'admin', 'keepwatch-admin.js');

/** Members of a tar (ustar) with the offset of their data. */
function tarMembers(tar: Buffer): Array<{ name: string; offset: number; size: number }> {
  const out: Array<{ name: string; offset: number; size: number }> = [];
  for (let at = 0; at + TAR_BLOCK <= tar.length; ) {
    const h = parseTarHeader(tar.subarray(at, at + TAR_BLOCK));
    if (!h) break;
    out.push({ name: h.name, offset: at + TAR_BLOCK, size: h.size });
    at += TAR_BLOCK + Math.ceil(h.size / TAR_BLOCK) * TAR_BLOCK;
  }
  return out;
}

/** Offset of the first byte of media data in an MP4: inside its first `mdat` box, past the header. */
function firstMdatPayload(mp4: Buffer): number {
  for (let at = 0; at + 8 <= mp4.length; ) {
    const size = mp4.readUInt32BE(at);
    if (mp4.toString('latin1', at + 4, at + 8) === 'mdat' && size > 64) return at + 8;
    if (size < 8) break;
    at += size;
  }
  throw new Error('no mdat box');
}

/**
 * Evidence export jobs on real components: real MPEG-TS segments of test/fixtures/media in Azurite, indexed by the
 * real ingest handler; the MP4 made by real ffmpeg; the bundle fetched through its SAS URL and checked by the built
 * `keepwatch-admin verify-export`, as an investigator would.
 */
describe('POST /api/exports, GET /api/exports/{id} and keepwatch-admin verify-export (Azurite, real ffmpeg)', () => {
  let azurite: AzuriteInstance;
  let s: FunctionsSettings;
  let deps: FunctionsDeps;
  let clip: FixtureSegment[];
  let starts: number[];
  let tmp: string;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kw-export-job-'));
    azurite = await startAzurite();
    clip = fixtureSegments();
    s = testSettings(azurite.connectionString, { FFMPEG_PATH: FFMPEG });
    deps = createDeps(s);
    await deps.ensureStorage();
    starts = await storeAndIngest(s, deps, 'cam1', T0, clip);
  });
  after(async () => {
    await azurite?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const context = () => new InvocationContext({ invocationId: randomUUID(), functionName: 'exports', logHandler: () => {} });
  const post = async (body: unknown) => {
    const res = await exportsCreate(new HttpRequest({ method: 'POST', url: 'http://localhost/api/exports', body: { string: JSON.stringify(body) }, headers: { 'content-type': 'application/json' } }), context(), deps);
    return { status: res.status, body: res.jsonBody as ExportJobResponse & { error: { code: string; message: string } }, headers: res.headers as Record<string, string> };
  };
  const get = async (id: string) => {
    const res = await exportGet(new HttpRequest({ method: 'GET', url: `http://localhost/api/exports/${id}`, params: { exportId: id } }), context(), deps);
    return { status: res.status, body: res.jsonBody as ExportJobResponse & { error: { code: string } } };
  };
  const verify = async (file: string) => {
    try {
      const r = await run(process.execPath, [ADMIN_CLI, 'verify-export', file, '--ffmpeg', FFMPEG]);
      return { code: 0, out: r.stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: `${e.stdout}${e.stderr}` };
    }
  };
  const download = async (job: ExportJobResponse, name: string) => {
    assert.ok(job.downloadUrl, 'a download URL once done');
    const res = await fetch(job.downloadUrl);
    assert.equal(res.status, 200);
    const file = path.join(tmp, name);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return file;
  };

  it('POST answers 202 with the job; it runs, completes, and its bundle verifies with keepwatch-admin verify-export', async () => {
    const created = await post({ cameraId: 'cam1', start: iso(T0 + 3000), end: iso(T0 + 30_000) });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal(created.headers.location, `/api/exports/${created.body.id}`);
    assert.equal(created.body.state, 'queued');
    const done = await waitFor('the export job to end', 120_000, async () => {
      const j = (await get(created.body.id)).body;
      return j.state === 'done' || j.state === 'failed' ? j : undefined;
    });
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    // [3 s, 30 s) needs segments 0..3 (segment 3 holds 25.2 s..33.6 s): whole, the MP4 cut at 30 s.
    assert.deepEqual([done.segmentsDone, done.segmentsTotal, done.progress], [4, 4, 1]);
    assert.equal(done.bytesDone, clip.slice(0, 4).reduce((sum, c) => sum + c.bytes.length, 0));

    const file = await download(done, 'bundle.tar');
    const tar = readFileSync(file);
    assert.equal(done.bundleBytes, tar.length);
    const members = tarMembers(tar);
    assert.deepEqual(members.map((m) => m.name.replace(/_.*/, '')), ['manifest.json', 'cam1', 'segments/00000', 'segments/00001', 'segments/00002', 'segments/00003']);
    const manifest = JSON.parse(tar.subarray(members[0]!.offset, members[0]!.offset + members[0]!.size).toString('utf8'));
    assert.deepEqual(manifest.segments.map((x: { start: string }) => x.start), starts.slice(0, 4).map(iso));
    for (const [i, m] of members.slice(2).entries()) assert.ok(tar.subarray(m.offset, m.offset + m.size).equals(clip[i]!.bytes), `segment ${i} stored bytes, unchanged`);

    const ok = await verify(file);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /^VERIFIED/m);
    assert.match(ok.out, /ok {4}packets: stream 0: \d+ packets equal/);

    // One byte changed in the MP4's media: refused, on its SHA-256 and on its packets.
    const mp4 = members[1]!;
    const tampered = Buffer.from(tar);
    const at = mp4.offset + firstMdatPayload(tar.subarray(mp4.offset, mp4.offset + mp4.size)) + 40;
    tampered[at] = tampered[at]! ^ 0x01;
    const badFile = path.join(tmp, 'tampered.tar');
    writeFileSync(badFile, tampered);
    const bad = await verify(badFile);
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /^NOT VERIFIED/m);
    assert.match(bad.out, /FAIL {2}MP4 .*SHA-256/);
    assert.match(bad.out, /FAIL {2}packets: stream 0: packet 0 differs/);

    // The same byte changed and the manifest's SHA-256 changed to match: the packets still give it away.
    const { createHash } = await import('node:crypto');
    const forged = Buffer.from(tampered);
    const newSha = createHash('sha256').update(forged.subarray(mp4.offset, mp4.offset + mp4.size)).digest('hex');
    const manifestText = forged.subarray(members[0]!.offset, members[0]!.offset + members[0]!.size).toString('utf8').replace(manifest.mp4.sha256, newSha);
    forged.write(manifestText, members[0]!.offset, 'utf8');
    const forgedFile = path.join(tmp, 'forged.tar');
    writeFileSync(forgedFile, forged);
    const forgedResult = await verify(forgedFile);
    assert.equal(forgedResult.code, 1, forgedResult.out);
    assert.match(forgedResult.out, /ok {4}MP4 .*size and SHA-256 match/);
    assert.match(forgedResult.out, /FAIL {2}packets: stream 0: packet 0 differs/);
  });

  it('a job reports its progress segment by segment while it runs, then completes', async () => {
    const nowMs = Date.now();
    const job: ExportJobRecord = { id: randomUUID(), cameraId: 'cam1', startMs: T0, endMs: T0 + 60_000, state: 'queued', segmentsDone: 0, segmentsTotal: 0, bytesDone: 0, bytesTotal: 0, progress: 0, attempts: 0, createdAtMs: nowMs, updatedAtMs: nowMs };
    await deps.exportJobs.create(job);
    const seen: Array<[string, number, number, number]> = [];
    const end = await runExportJob(job.id, deps, {
      onProgress: async () => {
        const j = (await get(job.id)).body; // what a client polling the status URL sees at that moment
        seen.push([j.state, j.segmentsDone, j.segmentsTotal, j.progress]);
      },
    });
    assert.equal(end?.state, 'done', JSON.stringify(end?.error));
    assert.deepEqual(seen.slice(0, 6), [
      ['running', 0, 5, 0],
      ['running', 1, 5, 0.18],
      ['running', 2, 5, 0.36],
      ['running', 3, 5, 0.54],
      ['running', 4, 5, 0.72],
      ['running', 5, 5, 0.9],
    ]);
    assert.deepEqual(seen.at(-1), ['done', 5, 5, 1]);
    const status = (await get(job.id)).body;
    assert.equal((await verify(await download(status, 'whole.tar'))).code, 0);
  });

  it('the exports-resume timer runs a job whose run died (lease ran out) and leaves finished ones alone', async () => {
    const old = Date.now() - 3_600_000;
    const job: ExportJobRecord = { id: randomUUID(), cameraId: 'cam1', startMs: T0 + 10_000, endMs: T0 + 12_000, state: 'running', leaseUntilMs: old, segmentsDone: 1, segmentsTotal: 1, bytesDone: 1, bytesTotal: 1, progress: 0.5, attempts: 1, createdAtMs: old, updatedAtMs: old };
    await deps.exportJobs.create(job);
    const ran = await exportsResume(undefined, context(), deps);
    assert.deepEqual(ran, [{ id: job.id, state: 'done' }]);
    const after = (await get(job.id)).body;
    assert.deepEqual([after.state, after.segmentsTotal], ['done', 1]);
    assert.deepEqual(await exportsResume(undefined, context(), deps), [], 'nothing left to run');
  });

  it('refuses bad requests (400), unknown cameras and recordings (404), and reports a range with no media as a failed job', async () => {
    assert.deepEqual([(await post({ cameraId: 'cam1', start: iso(T0) })).body.error.code], ['InvalidExport']);
    assert.deepEqual([(await post({ cameraId: 'cam1', start: iso(T0), end: iso(T0 + 1000), recordingId: '1700000000000-abcdefabcdef' })).body.error.code], ['InvalidExport']);
    assert.deepEqual([(await post({ cameraId: 'cam1', start: iso(T0), end: iso(T0 + 25 * 3_600_000) })).body.error.code], ['RangeTooLong']);
    assert.deepEqual([(await post({ cameraId: 'cam1', start: iso(T0), end: iso(T0 + 1000), extra: 1 })).body.error.code], ['InvalidExport']);
    const unknown = await post({ cameraId: 'cam9', start: iso(T0), end: iso(T0 + 1000) });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'CameraNotFound']);
    const noRecording = await post({ cameraId: 'cam1', recordingId: '1700000000000-abcdefabcdef' });
    assert.deepEqual([noRecording.status, noRecording.body.error.code], [404, 'RecordingNotFound']);
    assert.deepEqual([(await get('nope')).status, (await get(randomUUID())).status], [400, 404]);

    const empty = await post({ cameraId: 'cam1', start: iso(T0 + 3_600_000), end: iso(T0 + 3_700_000) });
    const failed = await waitFor('the empty export job to end', 60_000, async () => {
      const j = (await get(empty.body.id)).body;
      return j.state === 'failed' || j.state === 'done' ? j : undefined;
    });
    assert.deepEqual([failed.state, failed.error?.code], ['failed', 'NoMediaInRange']);
  });
});
