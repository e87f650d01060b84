import { parseSegmentBlobName } from '../../shared/contracts/blob-naming';
import type { TimeOutOfRangeDetails } from '../../shared/device-time-window';
import { isTlsOrLoopbackUrl } from '../../shared/loopback-url';
import { toIso } from '../../shared/time';
import { UploadUrlsRefused, type UploadUrlAnswer, type UploadUrlsBatch } from './upload-urls-client';

/** A URL whose expiry is less than this away is never used: an upload must finish before `se`. */
export const UPLOAD_URL_MIN_REMAINING_MS = 60_000;
/** Most names per upload-urls request (the route's limit, shared/schemas/device.ts). */
export const UPLOAD_URLS_BATCH_MAX = 100;

/** How the uploader should handle one segment blob: PUT to `url`, or compare with the stored blob. */
export type UploadUrlTarget = { url: string } | { exists: { bytes: number; sha256?: string } };

/** Options of {@link UploadUrlCache}. */
export interface UploadUrlCacheOptions {
  /** Fetches one batch (edge-agent/uploader/upload-urls-client.ts); throws when the cloud is unreachable. */
  request: (names: readonly string[]) => Promise<UploadUrlsBatch>;
  /** The recordings container every URL must be in (the agent config's `upload.container`); checked per URL. */
  container: string;
  /**
   * Where every URL must point (the agent config's `upload.storageOrigin`): scheme, host and port, plus a path prefix
   * for an account in the path (Azurite's `/devstoreaccount1`). Absent: the first URL handed out pins it
   * ({@link UploadUrlCache.storageBase}).
   */
  storageOrigin?: string;
  /** Wall clock, epoch ms (tests). */
  now?: () => number;
}

/**
 * Create-only upload URLs, fetched just in time in batches and reused until 1 min before they expire (docs/devices.md).
 * Asked for one name, it fetches that name plus the names the uploader will upload next (`upcoming`) that have no
 * usable URL, up to {@link UPLOAD_URLS_BATCH_MAX}: a backlog of 8,640 segments costs 87 requests, not 8,640.
 * `exists` answers are not cached: they are used once.
 *
 * A name whose start the cloud refuses as older than its offline horizon (400 `TimeOutOfRange`, start before the
 * window's `earliest`) can never be signed: {@link target} throws {@link SegmentExpired} for it, and for every later
 * name starting before that `earliest` without asking again (the window only moves forward), and leaves such names out
 * of its batches: one expired name refuses a whole request.
 */
export class UploadUrlCache {
  private readonly urls = new Map<string, { url: string; expiresOnMs: number }>();
  private readonly existing = new Map<string, { bytes: number; sha256?: string }>();
  /** `{origin}{path prefix}` every blob URL must start with, followed by `/{container}/{name}`. */
  private pinned: string | undefined;
  /** The `earliest` of the cloud's last refusal of a start as too old (epoch ms), with its message; none yet. */
  private horizon: { earliestMs: number; message: string } | undefined;

  constructor(private readonly opts: UploadUrlCacheOptions) {
    if (opts.storageOrigin !== undefined) this.pinned = storageBaseOf(opts.storageOrigin);
  }

  /**
   * The storage base (`https://host[:port][/prefix]`) upload URLs must point at: the configured `storageOrigin`, or
   * else the one of the first URL this cache accepted (trust on first use, for the life of the process); undefined
   * before that.
   */
  get storageBase(): string | undefined {
    return this.pinned;
  }

  /**
   * @param upcoming blob names likely uploaded next (prefetched in the same request)
   * @throws whatever `request` throws (unreachable cloud, refusal); {@link ForeignUploadUrl} when a URL of the answer
   *   is not the asked blob's in the pinned storage (nothing of that answer is used: the uploader retries later);
   *   {@link SegmentExpired} when the cloud refused `blobName`'s start as older than its offline horizon (for good)
   */
  async target(blobName: string, upcoming: readonly string[] = []): Promise<UploadUrlTarget> {
    const now = (this.opts.now ?? Date.now)();
    const cached = this.usable(blobName, now);
    if (cached) return { url: cached };
    const known = this.existing.get(blobName);
    if (known) {
      this.existing.delete(blobName);
      return { exists: known };
    }
    this.checkNotExpired(blobName);
    const batch = [blobName, ...upcoming.filter((n) => n !== blobName && !this.usable(n, now) && !this.existing.has(n) && !this.expired(n))].slice(0, UPLOAD_URLS_BATCH_MAX);
    const answer = await this.ask(blobName, [...new Set(batch)]);
    this.prune(now);
    // Every URL is checked before any is kept: one foreign URL refuses the whole answer (the API is not to be trusted).
    const bases = answer.blobs.map((entry) => ('url' in entry ? this.checkedBase(entry) : undefined));
    this.pinned ??= bases.find((b) => b !== undefined);
    for (const entry of answer.blobs) this.remember(entry, answer.expiresOnMs);
    const url = this.usable(blobName, now);
    if (url) return { url };
    const exists = this.existing.get(blobName);
    if (exists) {
      this.existing.delete(blobName);
      return { exists };
    }
    throw new Error(`upload-urls answer has no usable URL for ${blobName} (it expires within ${UPLOAD_URL_MIN_REMAINING_MS / 1000} s)`);
  }

  /**
   * Asks the cloud for `names` (`blobName` first). A `TimeOutOfRange` refusal of a batch may be another name's, so
   * `blobName` is asked again alone; refused alone with a window whose `earliest` is after its start, it is expired.
   * @throws SegmentExpired; whatever `request` throws otherwise
   */
  private async ask(blobName: string, names: readonly string[]): Promise<UploadUrlsBatch> {
    try {
      return await this.opts.request(names);
    } catch (err) {
      if (!(err instanceof UploadUrlsRefused && err.status === 400 && err.code === 'TimeOutOfRange')) throw err;
      if (names.length > 1) return this.ask(blobName, [blobName]);
      const earliestMs = Date.parse((err.details as Partial<TimeOutOfRangeDetails> | undefined)?.earliest ?? '');
      // Ahead of the window (the device's clock runs fast) is not for good: retried with backoff, as before.
      if (!(startOf(blobName) < earliestMs)) throw err;
      if (!this.horizon || earliestMs > this.horizon.earliestMs) this.horizon = { earliestMs, message: err.cloudMessage };
      throw this.expiredError(blobName, this.horizon);
    }
  }

  /** True when the cloud refused a start at or after `blobName`'s as older than its horizon. */
  private expired(blobName: string): boolean {
    return this.horizon !== undefined && startOf(blobName) < this.horizon.earliestMs;
  }

  /** @throws SegmentExpired when {@link expired} */
  private checkNotExpired(blobName: string): void {
    if (this.horizon && this.expired(blobName)) throw this.expiredError(blobName, this.horizon);
  }

  private expiredError(blobName: string, horizon: { earliestMs: number; message: string }): SegmentExpired {
    return new SegmentExpired(
      `upload-urls refuses ${blobName} for good: it starts before ${toIso(horizon.earliestMs)}, the earliest the cloud accepts (KEEPWATCH_OFFLINE_HORIZON); the cloud said: ${horizon.message}`,
    );
  }

  /** Drops what is known of `blobName` (its URL was refused: the blob may exist now), so the next call asks again. */
  forget(blobName: string): void {
    this.urls.delete(blobName);
    this.existing.delete(blobName);
  }

  /** Names with a cached URL (tests, metrics). */
  get size(): number {
    return this.urls.size;
  }

  private remember(entry: UploadUrlAnswer, expiresOnMs: number): void {
    if ('url' in entry) {
      this.urls.set(entry.name, { url: entry.url, expiresOnMs });
      this.existing.delete(entry.name);
    } else {
      this.urls.delete(entry.name);
      this.existing.set(entry.name, entry.sha256 === undefined ? { bytes: entry.bytes } : { bytes: entry.bytes, sha256: entry.sha256 });
    }
  }

  /**
   * The storage base of an answer's URL: https (or http to a loopback host), the blob `/{container}/{name}` at the end
   * of its path, and the same base as the pinned one when there is one.
   * @throws ForeignUploadUrl naming the entry and the URL's origin (never the URL: its query is a SAS)
   */
  private checkedBase(entry: { name: string; url: string }): string {
    let u: URL;
    try {
      u = new URL(entry.url);
    } catch {
      throw new ForeignUploadUrl(`upload-urls answer: the URL for ${entry.name} is not a URL`);
    }
    const suffix = `/${this.opts.container}/${entry.name}`;
    let path = '';
    try {
      path = decodeURIComponent(u.pathname);
    } catch {
      path = '';
    }
    if (!path.endsWith(suffix)) throw new ForeignUploadUrl(`upload-urls answer: the URL for ${entry.name} is not that blob in container '${this.opts.container}'`);
    if (!isTlsOrLoopbackUrl(entry.url)) throw new ForeignUploadUrl(`upload-urls answer: the URL for ${entry.name} is not https (${u.origin}); refused`);
    const base = `${u.origin}${path.slice(0, path.length - suffix.length)}`;
    if (this.pinned !== undefined && base !== this.pinned) {
      throw new ForeignUploadUrl(`upload-urls answer: the URL for ${entry.name} points at ${base}, not at the storage ${this.pinned}; refused`);
    }
    return base;
  }

  private usable(name: string, now: number): string | undefined {
    const u = this.urls.get(name);
    return u && u.expiresOnMs - now >= UPLOAD_URL_MIN_REMAINING_MS ? u.url : undefined;
  }

  private prune(now: number): void {
    for (const [name, u] of this.urls) if (u.expiresOnMs - now < UPLOAD_URL_MIN_REMAINING_MS) this.urls.delete(name);
  }
}

/** `https://host[:port][/prefix]` of a configured storage origin: URL origin plus its path without trailing slashes. */
function storageBaseOf(origin: string): string {
  const u = new URL(origin);
  return `${u.origin}${decodeURIComponent(u.pathname).replace(/\/+$/, '')}`;
}

/** Start (epoch ms) of a canonical segment blob name; NaN for any other name (never expired). */
function startOf(blobName: string): number {
  return parseSegmentBlobName(blobName)?.startMs ?? Number.NaN;
}

/**
 * The cloud refuses a segment's start for good: it lies before [now − `KEEPWATCH_OFFLINE_HORIZON`, …] (upload-urls 400
 * `TimeOutOfRange`, shared/device-time-window.ts). No URL will ever be signed for it; the message names the blob, the
 * window's start and the cloud's own message.
 */
export class SegmentExpired extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegmentExpired';
  }
}

/** An upload URL from the API that points elsewhere than the pinned storage (or not over TLS): never followed. */
export class ForeignUploadUrl extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignUploadUrl';
  }
}
