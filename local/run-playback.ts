/** How often the API is asked whether this run has recorded something (ms). */
const POLL_MS = 2000;

/** A playback answer of `GET /api/cameras/{id}/playback` (docs/api.md). */
export interface RunPlayback {
  hlsUrl: string;
  expiresAt: string;
  /** The effective range, ISO 8601 UTC: it begins with this run's first stored segment. */
  start: string;
  end: string;
}

/**
 * Waits until a camera has media recorded by this run of the stack (indexed, ending after `sinceMs`), then asks for a
 * playback URL of exactly that: from `sinceMs` (the playback route snaps a start in a gap to the next stored segment,
 * so the playlist begins with this run's first segment) to the camera's last recorded time. Media an earlier run left
 * in the same data folder is never offered as this run's: after a restart, nothing is announced before a new segment
 * is indexed.
 * @param opts.sinceMs epoch ms when this run started, taken before anything started
 * @param opts.stopped polled; once true, resolves undefined
 * @returns the playback answer, or undefined when stopped first
 * @throws Error with the API's answer when the playback request itself is refused
 */
export async function waitForRunPlayback(opts: {
  apiBase: string;
  apiKey: string;
  cameraId: string;
  sinceMs: number;
  stopped: () => boolean;
  pollMs?: number;
}): Promise<RunPlayback | undefined> {
  const headers = { 'x-functions-key': opts.apiKey };
  while (!opts.stopped()) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? POLL_MS));
    let lastRecorded: string | undefined;
    try {
      const list = (await (await fetch(`${opts.apiBase}/cameras`, { headers })).json()) as { cameras?: Array<{ id: string; lastRecorded?: string }> };
      lastRecorded = list.cameras?.find((c) => c.id === opts.cameraId)?.lastRecorded;
    } catch {
      continue; // the host is still starting
    }
    if (!lastRecorded || Date.parse(lastRecorded) <= opts.sinceMs || opts.stopped()) continue;
    const q = new URLSearchParams({ start: new Date(opts.sinceMs).toISOString(), end: lastRecorded });
    const res = await fetch(`${opts.apiBase}/cameras/${encodeURIComponent(opts.cameraId)}/playback?${q}`, { headers });
    if (!res.ok) throw new Error(`playback request for camera '${opts.cameraId}' failed (${res.status}): ${await res.text()}`);
    return (await res.json()) as RunPlayback;
  }
  return undefined;
}
