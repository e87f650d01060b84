import type { CameraHealth } from '../edge-agent/metrics/camera-states';
import type { AgentHealth } from '../edge-agent/metrics/metrics-server';
import { SLOW_RETRY_CAUSES } from '../edge-agent/recorder/session-failure';

/** How often the agent's health is read (ms): a failure shows within a second of the agent knowing it. */
const POLL_MS = 1000;

/**
 * The agent's health endpoint, from its log line `metrics and health endpoint listening` (the local stack lets the
 * agent pick a free port and learns it there).
 * @param agentLog the agent's JSON log lines so far (local/stack.ts `agentLog`)
 * @returns e.g. `http://127.0.0.1:40123/health`, or undefined until the agent has logged it (or when metrics are off)
 */
export function agentHealthUrl(agentLog: readonly string[]): string | undefined {
  for (const line of agentLog) {
    if (!line.includes('metrics and health endpoint listening')) continue;
    try {
      const url = (JSON.parse(line) as { url?: unknown }).url;
      if (typeof url === 'string') return url.replace(/\/metrics$/, '/health');
    } catch {
      // not a JSON record
    }
  }
  return undefined;
}

/** `8 s`, `5 min`, `2 h`: rounded, for people. */
export function formatDelay(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/**
 * The console line for one camera's state, e.g.
 * `camera door: not recording: connection refused by 127.0.0.1:554 (retrying in 8 s)`,
 * `camera yard: not recording: wrong username or password (401 Unauthorized) (retrying in 52 s, then every 5 min at most)`,
 * `camera door: recording`; undefined while it is starting (nothing to say yet).
 * @param nowMs to say how soon the next attempt is
 */
export function cameraStateLine(cameraId: string, h: CameraHealth, nowMs: number): string | undefined {
  if (h.state === 'recording') return `camera ${cameraId}: recording`;
  if (h.state !== 'not-recording') return undefined;
  const retry = h.retryAt ? `retrying in ${formatDelay(Date.parse(h.retryAt) - nowMs)}` : 'retrying';
  const slow = h.cause && SLOW_RETRY_CAUSES.has(h.cause) && h.maxRetryDelayMs ? `, then every ${formatDelay(h.maxRetryDelayMs)} at most` : '';
  return `camera ${cameraId}: not recording: ${h.message ?? h.cause ?? 'unknown reason'} (${retry}${slow})`;
}

/**
 * Tells the local stack's console which cameras record and which do not and why: reads the agent's `GET /health`
 * every second and prints a line when a camera starts recording or stops, or when the reason it does not record
 * changes (not at every retry: a camera refusing its password is one line, not one per attempt).
 * Resolves once `stopped()` is true; never rejects (an agent not answering yet, or gone, is skipped).
 * @param opts.agentLog the agent's log lines as they come (local/stack.ts `agentLog`), to find the endpoint
 * @param opts.print one console line
 */
export async function watchCameraStates(opts: { agentLog: readonly string[]; print: (line: string) => void; stopped: () => boolean; now?: () => number }): Promise<void> {
  const now = opts.now ?? Date.now;
  const said = new Map<string, string>();
  while (!opts.stopped()) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const url = agentHealthUrl(opts.agentLog);
    if (!url || opts.stopped()) continue;
    let health: AgentHealth;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      health = (await res.json()) as AgentHealth;
    } catch {
      continue;
    }
    for (const [id, h] of Object.entries(health.cameras ?? {})) {
      const key = `${h.state} ${h.cause ?? ''}`;
      if (said.get(id) === key) continue;
      const line = cameraStateLine(id, h, now());
      if (!line) continue;
      said.set(id, key);
      opts.print(line);
    }
  }
}
