import { TransientError, ValidationError } from '../../shared/errors';

/** One entry of the cloud's upload-urls answer (functions/devices/device-upload-urls.ts, docs/contracts.md). */
export type UploadUrlAnswer = { name: string; url: string } | { name: string; exists: true; bytes: number; sha256?: string };

/** What {@link UploadUrlsClient.request} returns: the entries in request order and when their URLs expire. */
export interface UploadUrlsBatch {
  /** epoch ms UTC */
  expiresOnMs: number;
  blobs: UploadUrlAnswer[];
}

/** Options of {@link UploadUrlsClient}. */
export interface UploadUrlsClientOptions {
  /** The Keepwatch API base without trailing slash, e.g. `https://keepwatch.example.com/api`. */
  apiUrl: string;
  deviceId: string;
  /** The device secret, sent as `Authorization: Bearer …`; never logged, never in an error message. */
  deviceSecret: string;
  /** Per request, ms (default 15000). */
  timeoutMs?: number;
}

/**
 * Asks the cloud for create-only upload URLs: `POST {apiUrl}/devices/{deviceId}/upload-urls` with the device secret
 * (docs/contracts.md "Device upload URLs"). One call per batch of at most 100 names.
 */
export class UploadUrlsClient {
  private readonly endpoint: string;

  constructor(private readonly opts: UploadUrlsClientOptions) {
    this.endpoint = `${opts.apiUrl.replace(/\/+$/, '')}/devices/${encodeURIComponent(opts.deviceId)}/upload-urls`;
  }

  /**
   * @param names canonical segment blob names, 1..100
   * @returns the answer, checked: one entry per name, in order
   * @throws TransientError when the endpoint is unreachable, times out or answers 5xx/429 (the uploader backs off and
   *   retries, as for unreachable storage); {@link UploadUrlsRefused} naming the status, the cloud's error code and
   *   message for other answers (401: secret wrong or revoked, 403: camera not this device's, 400: e.g.
   *   `TimeOutOfRange`) — retried with backoff and logged, except a segment too old for the cloud (upload-url-cache.ts)
   */
  async request(names: readonly string[]): Promise<UploadUrlsBatch> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.opts.deviceSecret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ blobs: names }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new TransientError(`upload-urls endpoint ${this.endpoint} is unreachable: ${(err as Error).message}`, err);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429 || res.status >= 500) throw new TransientError(`upload-urls endpoint answered ${res.status}`);
    if (res.status !== 200) {
      let error: { code?: unknown; message?: unknown; details?: unknown } | undefined;
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error;
      } catch {
        /* not JSON: the status says enough */
      }
      const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 512) : '');
      throw new UploadUrlsRefused(res.status, str(error?.code), str(error?.message), error?.details);
    }
    return parseBatch(text, names);
  }
}

/** Checks the answer's shape against what was asked. @throws ValidationError `InvalidUploadUrlsAnswer` */
function parseBatch(text: string, names: readonly string[]): UploadUrlsBatch {
  const bad = (why: string) => new ValidationError(`upload-urls answer: ${why}`, undefined, 'InvalidUploadUrlsAnswer');
  let body: { expiresOn?: unknown; blobs?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  const expiresOnMs = typeof body.expiresOn === 'string' ? Date.parse(body.expiresOn) : Number.NaN;
  if (!Number.isFinite(expiresOnMs)) throw bad('expiresOn is not a date-time');
  if (!Array.isArray(body.blobs) || body.blobs.length !== names.length) throw bad(`expected ${names.length} entries`);
  const blobs = body.blobs.map((b: Record<string, unknown>, i): UploadUrlAnswer => {
    if (b?.name !== names[i]) throw bad(`entry ${i} is not ${names[i]}`);
    if (typeof b.url === 'string') return { name: names[i], url: b.url };
    if (b.exists === true && typeof b.bytes === 'number') {
      return typeof b.sha256 === 'string' ? { name: names[i], exists: true, bytes: b.bytes, sha256: b.sha256 } : { name: names[i], exists: true, bytes: b.bytes };
    }
    throw bad(`entry ${i} has neither url nor exists`);
  });
  return { expiresOnMs, blobs };
}

/**
 * The upload-urls endpoint refused a request (any status but 200, 429 and 5xx): nothing of it was signed. `code` and
 * `cloudMessage` are the error body's (docs/contracts.md "HTTP API"; empty when it had none, ≤ 512 characters each),
 * `details` its `error.details` as sent (e.g. the window of a `TimeOutOfRange`, shared/device-time-window.ts).
 */
export class UploadUrlsRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly cloudMessage: string,
    readonly details?: unknown,
  ) {
    super(`upload-urls endpoint refused the request: ${`${status} ${code}`.trim()}${cloudMessage ? `: ${cloudMessage}` : ''}`);
    this.name = 'UploadUrlsRefused';
  }
}
