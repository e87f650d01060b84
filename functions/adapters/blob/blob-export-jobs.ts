import type { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { ConflictError } from '../../../shared/errors';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/**
 * Prefix of the export jobs and bundles in the recordings container. `_` is not in a camera id (`[a-z0-9-]`), so no
 * segment blob (`{cameraId}/…`) is ever under it, device upload URLs are never signed for it (they are for segment
 * names only) and retention never lists it.
 */
export const EXPORTS_PREFIX = '_exports/';

/** Where an export job is: `queued` (accepted, not started), `running`, `done` (the bundle is stored), `failed`. */
export type ExportJobState = 'queued' | 'running' | 'done' | 'failed';

/** One evidence export job, stored as JSON in `_exports/{id}/job.json`. Times epoch ms UTC. */
export interface ExportJobRecord {
  /** UUID. */
  id: string;
  cameraId: string;
  /** The requested half-open range (a recording's window when `recordingId` is set). */
  startMs: number;
  endMs: number;
  recordingId?: string;
  state: ExportJobState;
  /** Segments and their stored bytes read so far, of the plan's total (0 of 0 until planned). */
  segmentsDone: number;
  segmentsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Share of the work done, 0..1: reading the segments and making the MP4 (0..0.9), then storing the bundle. */
  progress: number;
  /** While `running`: the run holding it until then (a later run takes over a job whose lease ran out). */
  leaseUntilMs?: number;
  /** Runs started (a run that died is followed by another). */
  attempts: number;
  /** When `done`: the bundle's blob name and size. */
  bundleBlobName?: string;
  bundleBytes?: number;
  /** When `failed`: the error's code and message. */
  error?: { code: string; message: string };
  createdAtMs: number;
  updatedAtMs: number;
}

/** Attempts of one ETag read-modify-write before giving up (409 `Conflict`). */
const UPDATE_ATTEMPTS = 8;

/**
 * Export jobs and bundles in the recordings container under {@link EXPORTS_PREFIX}: `{id}/job.json` (the job,
 * created with `If-None-Match: *`, updated with `If-Match` on its ETag) and `{id}/bundle.tar` (the bundle).
 */
export class BlobExportJobs {
  constructor(private readonly container: ContainerClient) {}

  /** Blob name of a job's bundle. */
  bundleBlobName(id: string): string {
    return `${EXPORTS_PREFIX}${id}/bundle.tar`;
  }

  /** Stores a new job. @throws ConflictError when the id exists; TransientError when storage fails */
  async create(job: ExportJobRecord): Promise<void> {
    const body = JSON.stringify(job);
    try {
      await this.jobBlob(job.id).upload(body, Buffer.byteLength(body), { conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/json' } });
    } catch (err) {
      if (storageStatus(err) === 409) throw new ConflictError(`export job ${job.id} exists`);
      rethrowStorageError(err, `create export job ${job.id}`);
    }
  }

  /** @returns the job, or `undefined` when there is none with that id */
  async get(id: string): Promise<ExportJobRecord | undefined> {
    return (await this.read(id))?.job;
  }

  /**
   * Read-modify-write of one job on its ETag, retried when another writer came first.
   * @param change returns the new job, or `undefined` to leave it as it is
   * @returns the job as stored after the call, or `undefined` when it does not exist
   * @throws ConflictError after {@link UPDATE_ATTEMPTS} lost races; TransientError when storage fails
   */
  async update(id: string, change: (job: ExportJobRecord) => ExportJobRecord | undefined): Promise<ExportJobRecord | undefined> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.read(id);
      if (!current) return undefined;
      const next = change(current.job);
      if (!next) return current.job;
      const body = JSON.stringify(next);
      try {
        await this.jobBlob(id).upload(body, Buffer.byteLength(body), { conditions: { ifMatch: current.etag }, blobHTTPHeaders: { blobContentType: 'application/json' } });
        return next;
      } catch (err) {
        if (storageStatus(err) !== 412) rethrowStorageError(err, `update export job ${id}`);
      }
    }
    throw new ConflictError(`export job ${id} kept changing under concurrent writers; try again`);
  }

  /** Ids of every stored job. @throws TransientError when storage fails */
  async listIds(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const b of this.container.listBlobsFlat({ prefix: EXPORTS_PREFIX })) {
        const m = /^_exports\/([^/]+)\/job\.json$/.exec(b.name);
        if (m) ids.push(m[1]!);
      }
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, 'list export jobs');
    }
    return ids;
  }

  /**
   * Stores a job's bundle from a stream (block upload, 8 MiB blocks, 4 in flight), replacing an earlier attempt's.
   * @returns the bytes stored
   * @throws TransientError when storage fails, or the stream's error
   */
  async uploadBundle(id: string, body: Readable, onBytes?: (bytes: number) => void): Promise<number> {
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      onBytes?.(bytes);
    });
    try {
      await this.container.getBlockBlobClient(this.bundleBlobName(id)).uploadStream(body, 8 * 1024 * 1024, 4, { blobHTTPHeaders: { blobContentType: 'application/x-tar' } });
    } catch (err) {
      rethrowStorageError(err, `store export bundle ${id}`);
    }
    return bytes;
  }

  private jobBlob(id: string) {
    return this.container.getBlockBlobClient(`${EXPORTS_PREFIX}${id}/job.json`);
  }

  private async read(id: string): Promise<{ job: ExportJobRecord; etag: string } | undefined> {
    try {
      // One Get Blob: the body and the ETag it had (a separate Get Properties could see a later write).
      const r = await this.jobBlob(id).download();
      const chunks: Buffer[] = [];
      for await (const chunk of r.readableStreamBody!) chunks.push(chunk as Buffer);
      return { job: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportJobRecord, etag: r.etag! };
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read export job ${id}`);
    }
  }
}
