import { createHash } from 'node:crypto';
import { BlockBlobClient, type BlockBlobUploadOptions, type ContainerClient } from '@azure/storage-blob';
import { SEGMENT_CONTENT_TYPE, segmentBlobName } from '../../shared/contracts/blob-naming';
import type { Logger } from '../log';
import type { RecordedSegment, UploadedSegment } from '../segments/recorded-segment';
import { SegmentReadBuffer } from './segment-read-buffer';
import { sha256File } from './sha256-file';
import { ForeignUploadUrl, SegmentExpired, type UploadUrlCache } from './upload-url-cache';

/**
 * Segments up to this size (bytes) are read once into memory, hashed and uploaded from the same
 * buffer (half the CPU of hashing a stream and then reading the file again), a buffer each upload worker reuses up to
 * 16 MiB (segment-read-buffer.ts); larger ones (long segments at high bitrates) are streamed twice to keep memory
 * bounded. 64 MiB covers a PT1M segment at 8 Mbit/s.
 */
const MAX_BUFFERED_UPLOAD_BYTES = 64 * 1024 * 1024;

/** Options of {@link SegmentUploader}. */
export interface SegmentUploaderOptions {
  /** A container the agent holds a credential for (connection string or container SAS); or `uploadUrls`. */
  container?: ContainerClient;
  /** Per-blob create-only URLs from the cloud (the config's `upload.apiUrl`, docs/devices.md); or `container`. */
  uploadUrls?: UploadUrlCache;
  /**
   * Called when the cloud reports the segment's blob stored with other bytes (size or SHA-256): the segment is not
   * uploaded (never overwritten), stays in the cache, and is not retried. The agent turns it into a diagnostics event.
   */
  onConflict?: (seg: RecordedSegment, message: string) => void;
  /**
   * Called once when the cloud refuses the segment for good: it starts before the cloud's offline horizon
   * (`uploadUrls` only; upload-urls 400 `TimeOutOfRange`, {@link SegmentExpired}). It is not retried; the agent removes
   * it from the cache and reports an `expired-offline` gap. `message` names the blob, the horizon and the cloud's words.
   */
  onExpired?: (seg: RecordedSegment, message: string) => void;
  logger: Logger;
  /** Called once a segment's blob exists; resolves when its event is acknowledged by the broker. */
  onUploaded: (seg: UploadedSegment) => Promise<void>;
  /** Parallel uploads (default 2). */
  concurrency?: number;
  /** First retry delay (ms, default 1000); doubles per consecutive failure up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  /** Retry delay cap (ms, default 30000). */
  maxRetryDelayMs?: number;
  /** A segment that ended at most this long ago (ms, default 60000) is live: see the upload order. */
  liveWindowMs?: number;
  /** Wall clock, epoch ms (tests). */
  now?: () => number;
}

/**
 * Uploads complete segments to Blob Storage, each exactly once.
 *
 * Order: oldest first (docs/reference/ava-behaviour.md "Resilient recording": upload resumes oldest-first), with a live
 * lane: when the previous pick was not live and no live segment (one that ended within
 * `liveWindowMs`) is uploading, the next pick is the newest live segment queued. So after an outage
 * the first upload is the oldest surviving segment, then backlog and live edge alternate: the
 * backlog drains oldest first at half the upload rate or more, while new segments keep reaching
 * Blob within about one upload time, so recent footage is playable at once and never starved.
 *
 * Exactly once:
 * - the blob name is a pure function of camera and start (shared/contracts/blob-naming.ts), created with
 *   `If-None-Match: *` and the segment content type; a 409 on a retry means an earlier attempt
 *   already stored it, which is success when its size and SHA-256 metadata match ours;
 * - failures are retried with exponential backoff and jitter, the segment going back into the
 *   queue in start order; not a segment the cloud refuses for good as older than its offline horizon
 *   ({@link SegmentExpired}: handed to `onExpired` once), nor one stored with other bytes (`onConflict`);
 * - bytes uploaded are the file's bytes as ffmpeg wrote them (uploadFile, no re-encoding).
 */
export class SegmentUploader {
  private readonly queue: RecordedSegment[] = [];
  private readonly active = new Set<RecordedSegment>();
  private readonly inflight = new Set<Promise<void>>();
  private workers = 0;
  private failures = 0;
  private lastPickLive = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  /** Read buffers of workers that ended, reused by the next ones (at most `concurrency`). */
  private readonly readBuffers: SegmentReadBuffer[] = [];

  constructor(private readonly opts: SegmentUploaderOptions) {}

  /** Segments waiting or uploading. */
  get pending(): number {
    return this.queue.length + this.active.size + this.inflight.size;
  }

  /** True while `seg` is being uploaded (the cache evicts it last). */
  isActive(seg: RecordedSegment): boolean {
    return this.active.has(seg);
  }

  /** Queues a complete segment (kept sorted by start time, oldest first). */
  enqueue(seg: RecordedSegment): void {
    this.insertSorted(seg);
    this.pump();
  }

  private insertSorted(seg: RecordedSegment): void {
    const i = this.queue.findIndex((q) => q.startMs > seg.startMs);
    if (i < 0) this.queue.push(seg);
    else this.queue.splice(i, 0, seg);
  }

  /** Forgets a queued segment (it was evicted from the cache). */
  drop(seg: RecordedSegment): void {
    const i = this.queue.indexOf(seg);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Resolves when nothing is queued, uploading or awaiting its event's acknowledgement, or after `timeoutMs`. @returns true when idle */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Stops taking new work; uploads in progress finish. */
  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    const max = this.opts.concurrency ?? 2;
    while (!this.stopped && this.workers < max && this.queue.length) {
      this.workers++;
      void this.work().finally(() => {
        this.workers--;
        this.checkIdle();
      });
    }
  }

  private checkIdle(): void {
    if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async work(): Promise<void> {
    const readBuffer = this.readBuffers.pop() ?? new SegmentReadBuffer();
    try {
      await this.workOn(readBuffer);
    } finally {
      this.readBuffers.push(readBuffer);
    }
  }

  private async workOn(readBuffer: SegmentReadBuffer): Promise<void> {
    while (!this.stopped && this.queue.length) {
      const seg = this.next();
      this.active.add(seg);
      try {
        const uploaded = await this.uploadOnce(seg, readBuffer);
        this.failures = 0;
        const ack = this.opts
          .onUploaded(uploaded)
          .catch((err) => this.opts.logger.error({ err, cameraId: seg.cameraId, segmentStartMs: seg.startMs }, 'segment.uploaded event failed'))
          .finally(() => {
            this.inflight.delete(ack);
            this.checkIdle();
          });
        this.inflight.add(ack);
      } catch (err) {
        if (err instanceof StoredSegmentConflict) {
          // Retrying cannot help and overwriting is refused by design: report once, leave the file for a person.
          this.opts.logger.error({ cameraId: seg.cameraId, segmentStartMs: seg.startMs, file: seg.path }, `segment upload abandoned: ${err.message}`);
          this.opts.onConflict?.(seg, err.message);
          this.active.delete(seg);
          continue;
        }
        if (err instanceof SegmentExpired) {
          // The cloud will never sign it (its window only moves forward): log once, hand it over, move on at once.
          this.opts.logger.error({ cameraId: seg.cameraId, segmentStartMs: seg.startMs, segmentStart: new Date(seg.startMs).toISOString(), file: seg.path }, `segment upload abandoned: ${err.message}`);
          this.opts.onExpired?.(seg, err.message);
          this.active.delete(seg);
          continue;
        }
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          // The cache evicted it while it was uploading (the cache logged the loss): nothing to retry.
          this.opts.logger.error({ cameraId: seg.cameraId, segmentStartMs: seg.startMs, file: seg.path }, 'segment file is gone; upload abandoned');
          this.active.delete(seg);
          continue;
        }
        this.failures++;
        const delay = this.retryDelay();
        // A URL to foreign storage means the API answering is not ours to trust: a person must look (the file is kept).
        const level = err instanceof ForeignUploadUrl ? 'error' : 'warn';
        this.opts.logger[level]({ err, cameraId: seg.cameraId, segmentStartMs: seg.startMs, retryInMs: delay }, 'segment upload failed; will retry');
        // Back in start order: a failed newer segment must not overtake older ones queued meanwhile.
        this.insertSorted(seg);
        this.active.delete(seg);
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      this.active.delete(seg);
    }
  }

  /** The next segment to upload (see the class docstring): the oldest, or in turn the newest live one. */
  private next(): RecordedSegment {
    const now = (this.opts.now ?? Date.now)();
    const live = (s: RecordedSegment) => now - (s.startMs + s.durationMs) <= (this.opts.liveWindowMs ?? 60_000);
    // The queue is sorted by start: its last segment is the newest, and live if any is. During a
    // failure streak (storage down or just back) the oldest goes first.
    const newest = this.queue[this.queue.length - 1];
    const pickLive = this.failures === 0 && !this.lastPickLive && live(newest) && ![...this.active].some(live);
    this.lastPickLive = pickLive;
    return pickLive ? this.queue.pop()! : this.queue.shift()!;
  }

  private retryDelay(): number {
    const base = Math.min(this.opts.maxRetryDelayMs ?? 30_000, (this.opts.retryDelayMs ?? 1000) * 2 ** (this.failures - 1));
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  /**
   * A 409 on a create-only upload: an earlier attempt stored the blob and its response was lost
   * (so a 409 on a retry is success), or another writer holds the name. The blob is compared (size and SHA-256
   * metadata) and only the same bytes count as uploaded. A credential that cannot read properties (a `cw` container
   * SAS, the legacy device credential: 403) cannot tell the two apart, so the segment is not counted as uploaded: it
   * stays in the cache (never deleted on a name alone, docs/security.md) and is reported as a conflict. A pure
   * create-only SAS (`c`) gets 403 AuthorizationPermissionMismatch, not 409, on the retry (Azurite 3.35, verified) and
   * is not handled here: such uploads go through {@link uploadThroughUrl}, whose `exists` answer carries size and SHA-256.
   * @throws StoredSegmentConflict when the stored blob cannot be read to compare (reported once, not retried); Error
   *   when it holds other bytes (retried with backoff, the file kept)
   */
  private async confirmExisting(blob: BlockBlobClient, seg: RecordedSegment, sha256: string): Promise<void> {
    let props;
    try {
      props = await blob.getProperties();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 403) throw err;
      throw new StoredSegmentConflict(`blob ${blob.name} exists and this credential cannot read it to compare size and SHA-256 (a write-only SAS); the segment is kept in the cache (ours ${seg.bytes} bytes, sha256 ${sha256})`);
    }
    if (props.contentLength !== seg.bytes || props.metadata?.sha256 !== sha256) {
      // Retried with backoff (as always): a person may remove the other blob; the file stays meanwhile.
      throw new Error(`blob ${blob.name} exists with other content (${props.contentLength} bytes, sha256 ${props.metadata?.sha256 ?? 'none'}; ours ${seg.bytes} bytes, sha256 ${sha256})`);
    }
    this.opts.logger.info({ cameraId: seg.cameraId, segmentStartMs: seg.startMs }, 'segment was already uploaded');
  }

  /** Uploads `seg` once (reading it into this worker's `readBuffer`); see the class docstring. */
  private async uploadOnce(seg: RecordedSegment, readBuffer: SegmentReadBuffer): Promise<UploadedSegment> {
    const blobName = segmentBlobName(seg.cameraId, seg.startMs);
    if (this.opts.uploadUrls) return this.uploadThroughUrl(seg, blobName, this.opts.uploadUrls, readBuffer);
    if (!this.opts.container) throw new Error('SegmentUploader needs a container or uploadUrls');
    const blob = this.opts.container.getBlockBlobClient(blobName);
    const { data, sha256 } = await readSegment(seg, readBuffer);
    try {
      await putSegment(blob, seg, data, sha256);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      await this.confirmExisting(blob, seg, sha256);
    }
    this.opts.logger.debug({ cameraId: seg.cameraId, segmentStartMs: seg.startMs, bytes: seg.bytes, blobName }, 'segment uploaded');
    return { ...seg, blobName, sha256 };
  }

  /**
   * Uploads through a create-only URL from the cloud (docs/devices.md). The cloud answers `exists` instead of a URL
   * when the blob is stored (an earlier attempt whose answer was lost); a `c` URL on a name created meanwhile gets 403
   * (Azurite checks the permission before `If-None-Match`, docs/security.md), so a 403 or 409 asks the cloud once
   * more, and only an `exists` with our size and SHA-256 counts as uploaded.
   * @throws StoredSegmentConflict when the stored blob holds other bytes; anything the URL source or the PUT throws
   */
  private async uploadThroughUrl(seg: RecordedSegment, blobName: string, urls: UploadUrlCache, readBuffer: SegmentReadBuffer): Promise<UploadedSegment> {
    const { data, sha256 } = await readSegment(seg, readBuffer);
    let target = await urls.target(blobName, this.upcomingBlobNames());
    if ('url' in target) {
      try {
        await putSegment(new BlockBlobClient(target.url), seg, data, sha256);
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        urls.forget(blobName);
        if (status !== 403 && status !== 409) throw err;
        target = await urls.target(blobName);
        if ('url' in target) throw err; // not stored after all: a real refusal (expired URL, clock skew); retried later
      }
    }
    if ('exists' in target) {
      if (target.exists.bytes !== seg.bytes || target.exists.sha256 !== sha256) {
        throw new StoredSegmentConflict(`blob ${blobName} is stored with other content (${target.exists.bytes} bytes, sha256 ${target.exists.sha256 ?? 'none'}; ours ${seg.bytes} bytes, sha256 ${sha256})`);
      }
      this.opts.logger.info({ cameraId: seg.cameraId, segmentStartMs: seg.startMs }, 'segment was already uploaded');
    }
    this.opts.logger.debug({ cameraId: seg.cameraId, segmentStartMs: seg.startMs, bytes: seg.bytes, blobName }, 'segment uploaded');
    return { ...seg, blobName, sha256 };
  }

  /** Blob names of the segments likely uploaded next (oldest queued, plus the newest for the live lane), for prefetching URLs. */
  private upcomingBlobNames(): string[] {
    const picks = this.queue.length > 98 ? [...this.queue.slice(0, 98), this.queue[this.queue.length - 1]] : this.queue;
    return picks.map((s) => segmentBlobName(s.cameraId, s.startMs));
  }
}

/**
 * A segment's bytes (in memory up to MAX_BUFFERED_UPLOAD_BYTES, read into `readBuffer`: valid until its next read;
 * else undefined, to be streamed from the file) and SHA-256 (hex).
 */
async function readSegment(seg: RecordedSegment, readBuffer: SegmentReadBuffer): Promise<{ data?: Buffer; sha256: string }> {
  const data = seg.bytes <= MAX_BUFFERED_UPLOAD_BYTES ? await readBuffer.read(seg.path) : undefined;
  return { data, sha256: data ? createHash('sha256').update(data).digest('hex') : await sha256File(seg.path) };
}

/**
 * Creates the segment's blob with its content type and metadata (camera, start, duration, SHA-256), only if no blob of
 * that name exists (`If-None-Match: *`: an existing one is never overwritten).
 * @throws the SDK's RestError (409 when it exists; 403 for a create-only URL on an existing name, on Azurite)
 */
async function putSegment(blob: BlockBlobClient, seg: RecordedSegment, data: Buffer | undefined, sha256: string): Promise<void> {
  const options: BlockBlobUploadOptions = {
    blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE },
    metadata: { cameraid: seg.cameraId, startms: String(seg.startMs), durationms: String(seg.durationMs), sha256 },
    conditions: { ifNoneMatch: '*' },
  };
  if (data) await blob.uploadData(data, options);
  else await blob.uploadFile(seg.path, options);
}

/** The cloud holds the segment's blob with other bytes: never overwritten, never retried. */
export class StoredSegmentConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoredSegmentConflict';
  }
}
