import type { HttpExtensionSettings } from '../../shared/schemas/http-extension';
import type { Logger } from '../log';
import { inferenceSignals, type InferenceSignal } from './inference-signals';
import { retryAfterMs } from './retry-after';

/** One sampled image on the UTC timeline. */
export interface ExtensionSample {
  /** Encoded image bytes in the configured format. */
  image: Buffer;
  /** Media time of the frame, epoch ms UTC. */
  atMs: number;
}

/** Options of {@link HttpExtensionClient}. */
export interface HttpExtensionClientOptions {
  cameraId: string;
  settings: HttpExtensionSettings;
  logger: Logger;
  /** Receives the signals of one reply (with the sample's media time). */
  onSignals: (atMs: number, signals: InferenceSignal[]) => void;
  /** Called for each sample not sent (`busy`: a request in flight; `backoff`: after 503 or errors). */
  onDropped?: (reason: 'busy' | 'backoff') => void;
  /** Wall clock, epoch ms (swappable for tests). */
  now?: () => number;
}

/** First delay after a failed request (ms); doubles per consecutive failure up to {@link ERROR_BACKOFF_MAX_MS}. */
const ERROR_BACKOFF_FIRST_MS = 1000;
/** Cap of the error backoff: 30 s. */
export const ERROR_BACKOFF_MAX_MS = 30_000;
/** At most one error log line per this many ms (a dead extension must not flood the log). */
const ERROR_LOG_INTERVAL_MS = 60_000;

const CONTENT_TYPES = { jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp' } as const;

/**
 * AVA's HTTP extension protocol for one camera (docs/reference/ava-behaviour.md "Nodes", HTTP extension): each sample
 * is POSTed as the image bytes with `Content-Type: image/jpeg|png|bmp` and `Accept: application/json` (plus the
 * configured headers). Replies: 200 `{"inferences": [...]}` → signals (inference-signals.ts); 204 → nothing; 503 → no
 * request until its `Retry-After` (seconds or HTTP-date; 1 s when absent); anything else (other status, bad JSON,
 * network error, timeout) → logged at most once a minute, then no request for 1 s, 2 s, 4 s … up to 30 s, reset by a
 * success. One request at a time: a sample offered while one is in flight or during a backoff is dropped (AVA dropped
 * frames when the extension was slow). The rate itself is bounded upstream (ffmpeg's fps filter at
 * maximumSamplesPerSecond).
 */
export class HttpExtensionClient {
  private inFlight: Promise<void> | undefined;
  private notBeforeMs = 0;
  private failures = 0;
  private lastErrorLogMs = -Infinity;
  private suppressedErrors = 0;
  private closed = false;
  private inFlightAtMs: number | undefined;
  private lastOfferedAtMs: number | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: HttpExtensionClientOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Offers one sample: sent now, or dropped (see the class comment). */
  offer(sample: ExtensionSample): void {
    if (this.closed) return;
    this.lastOfferedAtMs = sample.atMs;
    if (this.inFlight) return this.opts.onDropped?.('busy');
    if (this.now() < this.notBeforeMs) return this.opts.onDropped?.('backoff');
    this.inFlightAtMs = sample.atMs;
    this.inFlight = this.send(sample).finally(() => {
      this.inFlight = undefined;
      this.inFlightAtMs = undefined;
    });
  }

  /**
   * Media time (epoch ms UTC) before which no more inference signals will come: the sample in flight, else just after
   * the last sample offered (samples come in media-time order); undefined before the first sample.
   */
  get signalsCompleteBeforeMs(): number | undefined {
    return this.inFlightAtMs ?? (this.lastOfferedAtMs === undefined ? undefined : this.lastOfferedAtMs + 1);
  }

  /** Stops sending; resolves once the request in flight (if any) ended. */
  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight;
  }

  private async send(sample: ExtensionSample): Promise<void> {
    const { settings, cameraId } = this.opts;
    let res: Response;
    try {
      res = await fetch(settings.url, {
        method: 'POST',
        headers: { ...settings.headers, 'content-type': CONTENT_TYPES[settings.image.format], accept: 'application/json' },
        body: sample.image,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (err) {
      return this.failed(`request failed: ${(err as Error).name === 'TimeoutError' ? `no reply within ${settings.timeoutMs} ms` : (err as Error).message}`);
    }
    if (res.status === 204) {
      await res.arrayBuffer().catch(() => undefined);
      this.failures = 0;
      return;
    }
    if (res.status === 503) {
      await res.arrayBuffer().catch(() => undefined);
      const waitMs = retryAfterMs(res.headers.get('retry-after'), this.now()) ?? ERROR_BACKOFF_FIRST_MS;
      this.notBeforeMs = this.now() + waitMs;
      this.opts.logger.info({ cameraId, retryAfterMs: waitMs }, 'inference extension busy (503): backing off');
      return;
    }
    let text = '';
    try {
      text = await res.text();
    } catch (err) {
      return this.failed(`reply could not be read: ${(err as Error).message}`);
    }
    if (res.status !== 200) return this.failed(`HTTP ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return this.failed('reply is not JSON');
    }
    this.failures = 0;
    const { signals, skipped } = inferenceSignals(body);
    if (skipped.length) this.opts.logger.debug({ cameraId, skipped: skipped.slice(0, 5) }, 'inferences without a signal');
    if (signals.length && !this.closed) this.opts.onSignals(sample.atMs, signals);
  }

  private failed(reason: string): void {
    this.failures++;
    const delay = Math.min(ERROR_BACKOFF_MAX_MS, ERROR_BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
    this.notBeforeMs = this.now() + delay;
    if (this.now() - this.lastErrorLogMs >= ERROR_LOG_INTERVAL_MS) {
      this.opts.logger.warn({ cameraId: this.opts.cameraId, reason, backoffMs: delay, suppressed: this.suppressedErrors }, 'inference extension request failed');
      this.lastErrorLogMs = this.now();
      this.suppressedErrors = 0;
    } else {
      this.suppressedErrors++;
    }
  }
}
