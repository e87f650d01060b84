import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EVIDENCE_MANIFEST_FILE, parseEvidenceManifest, type EvidenceManifest } from '../shared/export/evidence-manifest';
import { comparePackets, parseFramemd5, type PacketHashes } from '../shared/export/packet-hashes';
import { mp4ExportArgs } from '../functions/adapters/ffmpeg/ffmpeg-mp4-export';
import { functionsFfmpeg } from '../functions/adapters/ffmpeg/ffmpeg-path';
import { unpackBundle, type UnpackedMember } from './export-bundle-reader';

export const VERIFY_EXPORT_HELP = `keepwatch-admin verify-export FILE [--ffmpeg PATH]

Checks an evidence export bundle (the tar GET /api/exports/{id} links to) and exits 0 when it verifies, 1 when not:
  1. manifest.json is a Keepwatch evidence manifest and the bundle holds exactly its files;
  2. each segment's size and SHA-256 equal the manifest's (computed by the cloud from the stored blobs);
  3. the MP4's size and SHA-256 equal the manifest's;
  4. the MP4's packets, stream by stream, equal the packets of those segments remuxed the same way (codec copy),
     one for one from the first, up to the export's cut (ffmpeg framemd5 of both): the MP4 holds the stored
     segments' media unchanged, nothing added, nothing re-encoded.
ffmpeg: --ffmpeg, else FFMPEG_PATH, else as the cloud chooses it (ffmpeg-static, the system ffmpeg ≥ 5, the npm build).`;

/** The outcome of {@link verifyExportBundle}. */
export interface ExportVerification {
  ok: boolean;
  /** Each check passed, in words. */
  passed: string[];
  /** Each check failed, in words (empty when `ok`). */
  problems: string[];
  manifest?: EvidenceManifest;
}

/**
 * Verifies an evidence export bundle (functions/exports/export-job-run.ts makes them): see {@link VERIFY_EXPORT_HELP}.
 * Unpacks it into a temporary folder, removed afterwards.
 * @param ffmpegPath the ffmpeg binary (framemd5, and the reference remux)
 * @throws Error only when the file cannot be read or ffmpeg cannot run; every finding about the bundle is a problem
 */
export async function verifyExportBundle(file: string, ffmpegPath: string): Promise<ExportVerification> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'keepwatch-verify-'));
  const passed: string[] = [];
  const problems: string[] = [];
  try {
    let members: UnpackedMember[];
    try {
      members = await unpackBundle(file, path.join(dir, 'bundle'));
    } catch (err) {
      return { ok: false, passed, problems: [`not a readable bundle: ${(err as Error).message}`] };
    }
    const byName = new Map(members.map((m) => [m.name, m]));
    const manifestMember = byName.get(EVIDENCE_MANIFEST_FILE);
    if (!manifestMember) return { ok: false, passed, problems: [`the bundle has no ${EVIDENCE_MANIFEST_FILE}`] };
    let manifest: EvidenceManifest;
    try {
      manifest = parseEvidenceManifest(JSON.parse(await readFile(manifestMember.path, 'utf8')));
    } catch (err) {
      return { ok: false, passed, problems: [`${EVIDENCE_MANIFEST_FILE}: ${(err as Error).message}`] };
    }
    passed.push(`${EVIDENCE_MANIFEST_FILE}: export ${manifest.exportId} of camera '${manifest.cameraId}', ${manifest.snapped.start} .. ${manifest.snapped.end}, ${manifest.segments.length} segments`);

    const listed = new Set([EVIDENCE_MANIFEST_FILE, manifest.mp4.file, ...manifest.segments.map((s) => s.file)]);
    const extra = members.filter((m) => !listed.has(m.name)).map((m) => m.name);
    const missing = [...listed].filter((n) => !byName.has(n));
    if (extra.length > 0) problems.push(`files the manifest does not list: ${extra.join(', ')}`);
    if (missing.length > 0) problems.push(`files the manifest lists but the bundle lacks: ${missing.join(', ')}`);

    let segmentsOk = 0;
    for (const s of manifest.segments) {
      const m = byName.get(s.file);
      if (!m) continue;
      if (m.bytes !== s.bytes || m.sha256 !== s.sha256) problems.push(`segment ${s.file} (blob ${s.blobName}): ${m.bytes} bytes, SHA-256 ${m.sha256}; the manifest says ${s.bytes} bytes, SHA-256 ${s.sha256}`);
      else segmentsOk++;
    }
    if (segmentsOk === manifest.segments.length) passed.push(`segments: all ${segmentsOk} match their size and SHA-256`);
    const mp4 = byName.get(manifest.mp4.file);
    if (mp4 && (mp4.bytes !== manifest.mp4.bytes || mp4.sha256 !== manifest.mp4.sha256)) {
      problems.push(`MP4 ${manifest.mp4.file}: ${mp4.bytes} bytes, SHA-256 ${mp4.sha256}; the manifest says ${manifest.mp4.bytes} bytes, SHA-256 ${manifest.mp4.sha256}`);
    } else if (mp4) passed.push(`MP4 ${manifest.mp4.file}: size and SHA-256 match`);

    if (mp4 && missing.length === 0) {
      const reference = path.join(dir, 'reference.mp4');
      await remuxSegments(ffmpegPath, manifest.segments.map((s) => byName.get(s.file)!.path), reference);
      const comparison = comparePackets(await framemd5(ffmpegPath, mp4.path), await framemd5(ffmpegPath, reference));
      if (comparison.problems.length > 0) problems.push(...comparison.problems.map((p) => `packets: ${p}`));
      else passed.push(`packets: ${[...comparison.matched].map(([stream, n]) => `stream ${stream}: ${n}`).join(', ')} packets equal the segments' (codec copy)`);
    }
    return { ok: problems.length === 0, passed, problems, manifest };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The segments, concatenated, through the export's own ffmpeg arguments without the cut, into `out`. */
async function remuxSegments(ffmpegPath: string, segmentPaths: readonly string[], out: string): Promise<void> {
  const child = spawn(ffmpegPath, mp4ExportArgs(), { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = collect(child.stderr);
  const written = new Promise<void>((resolve, reject) => child.stdout.pipe(createWriteStream(out)).on('finish', resolve).on('error', reject));
  child.stdin.on('error', () => {});
  for (const p of segmentPaths) for await (const chunk of createReadStream(p)) if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
  child.stdin.end();
  const code = await new Promise<number | null>((r) => child.once('close', r));
  await written;
  if (code !== 0) throw new Error(`ffmpeg could not remux the segments (exit ${code}): ${(await stderr).trim()}`);
}

/** ffmpeg's per-packet MD5s of a file, every stream, codec copy. */
async function framemd5(ffmpegPath: string, file: string): Promise<PacketHashes> {
  const child = spawn(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-i', file, '-map', '0', '-c', 'copy', '-f', 'framemd5', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) return { streams: new Map([[-1, []]]), extradata: new Map([[-1, `ffmpeg cannot read ${path.basename(file)}: ${(await err).trim().slice(0, 300)}`]]) };
  return parseFramemd5(await out);
}

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => (text += d));
  return new Promise((resolve) => stream.on('end', () => resolve(text)));
}

/**
 * `keepwatch-admin verify-export FILE [--ffmpeg PATH]`: prints each check (`ok …` / `FAIL …`) and the verdict.
 * @returns the exit code: 0 verified, 1 not verified, 2 usage error
 */
export async function runVerifyExport(args: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { ffmpeg: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err(`${(e as Error).message}\n${VERIFY_EXPORT_HELP}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out(`${VERIFY_EXPORT_HELP}\n`);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    err(`verify-export takes one bundle file\n${VERIFY_EXPORT_HELP}\n`);
    return 2;
  }
  const ffmpegPath = parsed.values.ffmpeg ?? functionsFfmpeg(process.env.FFMPEG_PATH).path;
  const result = await verifyExportBundle(parsed.positionals[0]!, ffmpegPath);
  for (const line of result.passed) out(`ok    ${line}\n`);
  for (const line of result.problems) out(`FAIL  ${line}\n`);
  out(result.ok ? 'VERIFIED: the MP4 holds the listed stored segments unchanged (codec copy)\n' : 'NOT VERIFIED\n');
  return result.ok ? 0 : 1;
}
