import { randomBytes } from 'node:crypto';
import { resetSettings } from '../functions/settings';
import { startAzurite } from '../local/azurite';
import { startFunctionsHost, type FunctionsHost } from '../local/functions-host';
import { silentLogger } from '../local/host-logger';
import { summarize, type LatencySummary } from './percentiles';

/** The app settings a benchmark sets for itself; whatever the caller's environment held is restored afterwards. */
const SETTING_NAMES = [
  'KEEPWATCH_STORAGE_CONNECTION_STRING',
  'KEEPWATCH_PLAYBACK_TOKEN_SECRET',
  'KEEPWATCH_RECORDINGS_CONTAINER',
  'KEEPWATCH_TABLE_PREFIX',
  'KEEPWATCH_PLAYBACK_TTL',
  'KEEPWATCH_PUBLIC_BASE_URL',
  'KEEPWATCH_OFFLINE_HORIZON',
] as const;

/** What {@link withBenchStorage} hands the benchmark. */
export interface BenchStorage {
  /** Starts the local functions host (timers off) on a free port, once the benchmark has seeded storage. */
  startHost(): Promise<{ api: string; apiKey: string }>;
}

/**
 * Runs `body` against a throw-away in-memory Azurite with default app settings (random playback secret), then stops
 * the host and Azurite and restores the environment and the settings cache, whether `body` succeeded or not.
 */
export async function withBenchStorage<T>(body: (storage: BenchStorage) => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(SETTING_NAMES.map((k) => [k, process.env[k]]));
  const azurite = await startAzurite();
  let host: FunctionsHost | undefined;
  try {
    for (const k of SETTING_NAMES) delete process.env[k];
    process.env.KEEPWATCH_STORAGE_CONNECTION_STRING = azurite.connectionString;
    process.env.KEEPWATCH_PLAYBACK_TOKEN_SECRET = randomBytes(32).toString('base64url');
    // Benchmarks seed fixed dates; ingest accepts segment times within the offline horizon only (P31D by default).
    process.env.KEEPWATCH_OFFLINE_HORIZON = 'P3650D';
    resetSettings();
    return await body({
      async startHost() {
        const apiKey = randomBytes(24).toString('base64url');
        host = await startFunctionsHost({ port: 0, apiKey, logger: silentLogger, timers: false });
        return { api: `${host.url}/api`, apiKey };
      },
    });
  } finally {
    await host?.close();
    await azurite.stop();
    for (const k of SETTING_NAMES) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    resetSettings();
  }
}

/**
 * Times `request`: `warmupRequests` unmeasured, then `requests` measured one at a time, to the last body byte.
 * `request` resolves to the body's size in bytes (timed here), or to `{ bodyBytes, ms }` when the client timed it
 * itself (bench/worker-http-client.ts).
 */
export async function timeRequests(counts: { requests: number; warmupRequests: number }, request: () => Promise<number | { bodyBytes: number; ms: number }>): Promise<{ latency: LatencySummary; bodyBytes: number }> {
  let bodyBytes = 0;
  for (let i = 0; i < counts.warmupRequests; i++) await request();
  const samples: number[] = [];
  for (let i = 0; i < counts.requests; i++) {
    const t0 = performance.now();
    const r = await request();
    const ms = performance.now() - t0;
    if (typeof r === 'number') {
      bodyBytes = r;
      samples.push(ms);
    } else {
      bodyBytes = r.bodyBytes;
      samples.push(r.ms);
    }
  }
  return { latency: summarize(samples), bodyBytes };
}
