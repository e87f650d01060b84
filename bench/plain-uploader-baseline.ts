import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { SEGMENT_CONTENT_TYPE } from '../shared/contracts/blob-naming';
import { killTree, track } from './child-processes';

/**
 * The fair baseline of the recording benchmark (docs/benchmarks.md "Recording overhead"), one per camera: bare ffmpeg
 * run with the agent's own arguments (edge-agent/recorder/ffmpeg-args.ts `recorderArgs`, start guard included), its
 * segment list (CSV on fd 3) piped into bench/plain-uploader.sh, a plain uploader that PUTs each finished segment with
 * `curl -T` to the same storage, under the agent's blob name (shared/contracts/blob-naming.ts) and create-only
 * (`If-None-Match: *`), as the agent's uploader does (edge-agent/uploader/segment-uploader.ts `putSegment`). It does
 * not hash, journal, announce or delete anything: that is the agent's extra work the benchmark measures.
 *
 * One bash per camera; its process tree (bash, the pipeline's subshells, ffmpeg, each curl) is what is measured.
 */
export const PLAIN_UPLOADER_SCRIPT = path.join(repoRoot(), 'bench', 'plain-uploader.sh');

/** The repository root: this module runs from `dist/bench/` (or, with a TS loader, from `bench/`). */
function repoRoot(): string {
  const candidates = [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..')];
  return candidates.find((root) => existsSync(path.join(root, 'bench', 'plain-uploader.sh'))) ?? candidates[0];
}

/** Where the plain uploader puts segments. */
export interface PlainUploadTarget {
  /** `{blobEndpoint}/{container}`, e.g. `http://127.0.0.1:10000/devstoreaccount1/recordings`. */
  containerUrl: string;
  /** Container SAS query string (no `?`) with create and write permission. */
  sas: string;
}

/**
 * A container SAS (create + write, valid for `validMs`) for the plain uploader, signed with the account key.
 * @param blobEndpoint e.g. Azurite's `http://127.0.0.1:10000/devstoreaccount1`
 */
export function plainUploadTarget(blobEndpoint: string, accountName: string, accountKey: string, container: string, validMs = 3 * 3600_000): PlainUploadTarget {
  const sas = generateBlobSASQueryParameters(
    { containerName: container, permissions: ContainerSASPermissions.parse('cw'), startsOn: new Date(Date.now() - 60_000), expiresOn: new Date(Date.now() + validMs) },
    new StorageSharedKeyCredential(accountName, accountKey),
  ).toString();
  return { containerUrl: `${blobEndpoint.replace(/\/+$/, '')}/${container}`, sas };
}

/** One upload the plain uploader reported. */
export interface PlainUpload {
  /** HTTP status (201 created, 409/412 exists; 0 when curl could not connect). */
  status: number;
  blobName: string;
  /** `Date.now()` when the bench read the report, epoch ms. */
  atMs: number;
}

/** Options of {@link startPlainBaselineCamera}. */
export interface PlainBaselineCameraOptions {
  cameraId: string;
  /** The folder ffmpeg writes the segments into (the segment list names files relative to it). */
  dir: string;
  target: PlainUploadTarget;
  /**
   * The recording command, e.g. `[ffmpegPath, ...recorderArgs(...)]`: it must write its segment list as CSV on fd 3;
   * its stdout, stderr and fd 4 are discarded. Empty: the uploader alone reads `file,start_s,end_s` lines from stdin.
   */
  command: string[];
  /** File the command's stderr is appended to (diagnosis); default: discarded, as nobody reads it. */
  commandLog?: string;
  /** Epoch ms that segment time 0 maps to (the blob names' clock); default: when the bash starts. */
  sessionStartMs?: number;
  onUpload: (u: PlainUpload) => void;
}

/** A running baseline camera. */
export interface PlainBaselineCamera {
  /** The bash at the root of the camera's process tree. */
  child: ChildProcess;
  /** Its last stderr lines (curl's errors, bash's). */
  tail: string[];
  /**
   * Stops the recording as the agent does (`q` on ffmpeg's stdin), lets the last upload finish, waits for the bash to
   * exit; SIGKILLs the tree after `timeoutMs`. Without a command, ends the uploader's input instead.
   */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Starts one baseline camera: bench/plain-uploader.sh running `command` piped into the plain uploader. Its
 * stdin stays open (ffmpeg reads `q` from it, as in the agent); each upload's status line goes to `onUpload`.
 */
export function startPlainBaselineCamera(opts: PlainBaselineCameraOptions): PlainBaselineCamera {
  const child = track(
    spawn('bash', [PLAIN_UPLOADER_SCRIPT, ...opts.command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        TZ: 'UTC',
        KW_CAMERA: opts.cameraId,
        KW_DIR: opts.dir,
        KW_SESSION_START_MS: String(Math.round(opts.sessionStartMs ?? Date.now())),
        KW_CONTAINER_URL: opts.target.containerUrl,
        KW_SAS: opts.target.sas,
        KW_CONTENT_TYPE: SEGMENT_CONTENT_TYPE,
        ...(opts.commandLog ? { KW_COMMAND_LOG: opts.commandLog } : {}),
      },
    }),
  );
  child.stdin!.on('error', () => {}); // the bash may be gone already
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /^(\d{3}) (\S+)$/.exec(line);
    if (m) opts.onUpload({ status: Number(m[1]), blobName: m[2], atMs: Date.now() });
  });
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  });
  return {
    child,
    tail,
    async stop(timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (opts.command.length > 0) child.stdin!.write('q');
      else child.stdin!.end();
      const timer = setTimeout(() => child.pid !== undefined && killTree(child.pid), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
