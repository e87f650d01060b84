import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EVIDENCE_MANIFEST_FILE, EVIDENCE_MANIFEST_FORMAT, type EvidenceManifest } from '../../shared/export/evidence-manifest';
import { KeepwatchError, NotFoundError, ValidationError, toError } from '../../shared/errors';
import { exportFileName } from '../../shared/export/export-file-name';
import { planExport } from '../../shared/export/plan-export';
import { TAR_MAX_FILE_BYTES } from '../../shared/export/tar-header';
import { playableSegments } from '../../shared/hls/playable-segments';
import { redact } from '../../shared/redact';
import { toIso } from '../../shared/time';
import type { ExportJobRecord } from '../adapters/blob/blob-export-jobs';
import { startMp4Export } from '../adapters/ffmpeg/ffmpeg-mp4-export';
import type { FunctionsDeps } from '../deps';
import { bundleTarStream } from './export-bundle-tar';

/** How long a run holds a job without writing progress before another run may take it over. */
export const EXPORT_JOB_LEASE_MS = 10 * 60_000;

/**
 * Most stored segment bytes one export job reads: 8 GiB − 1, the largest member a ustar archive holds (the MP4 is about
 * as large as its segments). Above it the job fails with `ExportTooLarge`: export a shorter range.
 */
export const EXPORT_JOB_MAX_BYTES = TAR_MAX_FILE_BYTES;

/** Share of the progress for reading the segments and making the MP4; storing the bundle is the rest. */
const READ_SHARE = 0.9;

export type ExportJobDeps = Pick<FunctionsDeps, 'segmentIndex' | 'segmentReader' | 'ffmpegPath' | 'exportJobs' | 'now'>;

/** Options of {@link runExportJob}. */
export interface ExportJobRunOptions {
  /** Called after each progress write, with the job as stored (a test observes the job mid-way through this). */
  onProgress?(job: ExportJobRecord): void | Promise<void>;
  /** Where the run keeps its files while it works (default the OS temp folder); removed at the end. */
  tmpDir?: string;
}

/**
 * Runs one evidence export job (POST /api/exports, functions/exports/exports-create.ts) to its end: takes the job (a
 * `queued` one, or a `running` one whose lease ran out: its run died), plans the export of its range from the index
 * (shared/export/plan-export.ts: whole segments, keyframe start, exact end, gaps left out), reads each segment's stored
 * bytes once — keeping them in a local file and hashing them (SHA-256) — while ffmpeg makes the MP4 from them with
 * codec copy (functions/adapters/ffmpeg/ffmpeg-mp4-export.ts, the same path as `export.mp4`), then stores the bundle
 * `_exports/{id}/bundle.tar` (manifest.json, the MP4, `segments/*.ts`; shared/contracts/evidence-manifest.ts) and marks
 * the job `done`. Progress (segments, bytes, 0..1) is written to the job after each segment and every 8 MiB stored,
 * renewing the lease. A failure marks the job `failed` with its error code and message.
 * @returns the job as stored at the end (unchanged when it was done, failed, or another run holds it)
 * @throws TransientError only when the job itself cannot be read or written
 */
export async function runExportJob(id: string, deps: ExportJobDeps, options: ExportJobRunOptions = {}): Promise<ExportJobRecord | undefined> {
  let claimed = false;
  const job = await deps.exportJobs.update(id, (j) => {
    const nowMs = deps.now();
    if (j.state === 'done' || j.state === 'failed') return undefined;
    if (j.state === 'running' && (j.leaseUntilMs ?? 0) > nowMs) return undefined;
    claimed = true;
    return { ...j, state: 'running', leaseUntilMs: nowMs + EXPORT_JOB_LEASE_MS, attempts: j.attempts + 1, updatedAtMs: nowMs };
  });
  if (!job || !claimed) return job;

  const write = async (change: Partial<ExportJobRecord>) => {
    const nowMs = deps.now();
    const finished = change.state === 'done' || change.state === 'failed';
    const stored = await deps.exportJobs.update(id, (j) => ({ ...j, ...change, leaseUntilMs: finished ? undefined : nowMs + EXPORT_JOB_LEASE_MS, updatedAtMs: nowMs }));
    if (stored) await options.onProgress?.(stored);
    return stored;
  };
  const dir = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'keepwatch-export-'));
  try {
    const window = { startMs: job.startMs, endMs: job.endMs };
    const { segments } = playableSegments(await deps.segmentIndex.listSegmentSpans(job.cameraId, window.startMs, window.endMs));
    const inputBytes = segments.filter((x) => x.startMs < window.endMs && x.startMs + x.durationMs > window.startMs).reduce((sum, x) => sum + (x.bytes ?? 0), 0);
    if (inputBytes > EXPORT_JOB_MAX_BYTES) {
      throw new ValidationError(`the export reads ${inputBytes} bytes of segments, more than a bundle holds (${EXPORT_JOB_MAX_BYTES} bytes); export a shorter range`, { inputBytes, maxBytes: EXPORT_JOB_MAX_BYTES }, 'ExportTooLarge');
    }
    const plan = planExport(window, segments, EXPORT_JOB_MAX_BYTES);
    if (!plan) throw new NotFoundError(`camera '${job.cameraId}' has no recorded media between ${toIso(window.startMs)} and ${toIso(window.endMs)}`, 'NoMediaInRange');
    await write({ segmentsTotal: plan.segments.length, bytesTotal: plan.inputBytes, segmentsDone: 0, bytesDone: 0, progress: 0 });

    // Each segment's bytes as read from storage: kept in a file, hashed, counted, and handed on to ffmpeg.
    const kept: EvidenceManifest['segments'] = [];
    const fileOf = (i: number) => `segments/${String(i).padStart(5, '0')}_${toIso(plan.segments[i]!.startMs).replace(/:/g, '-')}.ts`;
    let bytesDone = 0;
    // Each segment's stored bytes are read once, whole, into a local file while they are hashed, and then handed on to
    // ffmpeg from there: so the bundle holds, and the manifest hashes, every byte of every planned segment even when
    // ffmpeg stops reading at the cut.
    const reader = {
      readSegment: async function* (blobName: string): AsyncIterable<Uint8Array> {
        const i = kept.length;
        const s = plan.segments[i]!;
        if (s.blobName !== blobName) throw new Error(`export read ${blobName} out of order (expected ${s.blobName})`);
        const file = path.join(dir, `${i}.ts`);
        const hash = createHash('sha256');
        let bytes = 0;
        const source = Readable.from(deps.segmentReader.readSegment(blobName));
        source.on('data', (chunk: Uint8Array) => {
          hash.update(chunk);
          bytes += chunk.length;
        });
        await pipeline(source, createWriteStream(file));
        kept.push({ file: fileOf(i), blobName, start: toIso(s.startMs), durationMs: s.durationMs, bytes, sha256: hash.digest('hex') });
        bytesDone += bytes;
        await write({ segmentsDone: kept.length, bytesDone, progress: READ_SHARE * (kept.length / plan.segments.length) });
        for await (const chunk of createReadStream(file)) yield chunk as Buffer;
      },
    };
    const mp4Path = path.join(dir, 'export.mp4');
    const mp4Hash = createHash('sha256');
    let mp4Bytes = 0;
    const mp4 = await startMp4Export({ ffmpegPath: deps.ffmpegPath(), reader, blobNames: plan.segments.map((s) => s.blobName), outputDurationMs: plan.outputDurationMs });
    mp4.on('data', (chunk: Buffer) => {
      mp4Hash.update(chunk);
      mp4Bytes += chunk.length;
    });
    await pipeline(mp4, createWriteStream(mp4Path));
    // ffmpeg may stop reading at the cut before the last planned segment: it still belongs in the bundle.
    while (kept.length < plan.segments.length) for await (const _ of reader.readSegment(plan.segments[kept.length]!.blobName)) break;

    const mp4File = exportFileName(job.cameraId, plan.snapped.startMs, plan.snapped.endMs - plan.snapped.startMs);
    const manifest: EvidenceManifest = {
      format: EVIDENCE_MANIFEST_FORMAT,
      exportId: job.id,
      cameraId: job.cameraId,
      ...(job.recordingId !== undefined ? { recordingId: job.recordingId } : {}),
      requested: { start: toIso(job.startMs), end: toIso(job.endMs) },
      snapped: { start: toIso(plan.snapped.startMs), end: toIso(plan.snapped.endMs) },
      gaps: plan.gaps.map((g) => ({ start: toIso(g.startMs), end: toIso(g.endMs) })),
      createdAt: toIso(deps.now()),
      mp4: { file: mp4File, bytes: mp4Bytes, sha256: mp4Hash.digest('hex'), ...(plan.outputDurationMs !== undefined ? { outputDurationMs: Math.round(plan.outputDurationMs) } : {}) },
      segments: kept,
    };
    const members = [
      { name: EVIDENCE_MANIFEST_FILE, bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      { name: mp4File, path: mp4Path, size: mp4Bytes },
      ...kept.map((k, i) => ({ name: k.file, path: path.join(dir, `${i}.ts`), size: k.bytes })),
    ];
    const totalBundle = members.reduce((sum, m) => sum + (m.bytes ? m.bytes.length : (m.size ?? 0)), 0);
    let lastWrite = 0;
    let writing = Promise.resolve();
    const bundleBytes = await deps.exportJobs.uploadBundle(id, bundleTarStream(members, deps.now()), (bytes) => {
      if (bytes - lastWrite < 8 * 1024 * 1024) return;
      lastWrite = bytes;
      writing = writing.then(async () => void (await write({ progress: READ_SHARE + (1 - READ_SHARE) * Math.min(1, bytes / totalBundle) })));
    });
    await writing;
    return await write({ state: 'done', progress: 1, bundleBlobName: deps.exportJobs.bundleBlobName(id), bundleBytes });
  } catch (err) {
    const e = toError(err);
    const code = err instanceof KeepwatchError ? err.code : 'ExportFailed';
    return await write({ state: 'failed', error: { code, message: redact(e.message) } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
