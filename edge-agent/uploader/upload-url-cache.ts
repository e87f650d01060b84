import type { UploadUrlAnswer, UploadUrlsBatch } from './upload-urls-client';

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
  /** Wall clock, epoch ms (tests). */
  now?: () => number;
}

/**
 * Create-only upload URLs, fetched just in time in batches and reused until 1 min before they expire (docs/devices.md).
 * Asked for one name, it fetches that name plus the names the uploader will upload next (`upcoming`) that have no
 * usable URL, up to {@link UPLOAD_URLS_BATCH_MAX}: a backlog of 8,640 segments costs 87 requests, not 8,640.
 * `exists` answers are not cached: they are used once.
 */
export class UploadUrlCache {
  private readonly urls = new Map<string, { url: string; expiresOnMs: number }>();
  private readonly existing = new Map<string, { bytes: number; sha256?: string }>();

  constructor(private readonly opts: UploadUrlCacheOptions) {}

  /**
   * @param upcoming blob names likely uploaded next (prefetched in the same request)
   * @throws whatever `request` throws (unreachable cloud, refusal); Error when a URL is not the asked blob's
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
    const batch = [blobName, ...upcoming.filter((n) => n !== blobName && !this.usable(n, now) && !this.existing.has(n))].slice(0, UPLOAD_URLS_BATCH_MAX);
    const answer = await this.opts.request([...new Set(batch)]);
    this.prune(now);
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
      let path = '';
      try {
        path = decodeURIComponent(new URL(entry.url).pathname);
      } catch {
        path = '';
      }
      if (!path.endsWith(`/${this.opts.container}/${entry.name}`)) throw new Error(`upload-urls answer: the URL for ${entry.name} is not that blob in container '${this.opts.container}'`);
      this.urls.set(entry.name, { url: entry.url, expiresOnMs });
      this.existing.delete(entry.name);
    } else {
      this.urls.delete(entry.name);
      this.existing.set(entry.name, entry.sha256 === undefined ? { bytes: entry.bytes } : { bytes: entry.bytes, sha256: entry.sha256 });
    }
  }

  private usable(name: string, now: number): string | undefined {
    const u = this.urls.get(name);
    return u && u.expiresOnMs - now >= UPLOAD_URL_MIN_REMAINING_MS ? u.url : undefined;
  }

  private prune(now: number): void {
    for (const [name, u] of this.urls) if (u.expiresOnMs - now < UPLOAD_URL_MIN_REMAINING_MS) this.urls.delete(name);
  }
}
