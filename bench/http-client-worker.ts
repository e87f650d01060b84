import { parentPort } from 'node:worker_threads';

/** A request to the worker: `GET url` with `headers`; `id` pairs it with its answer. */
export interface WorkerRequest {
  id: number;
  url: string;
  headers?: Record<string, string>;
}

/** The worker's answer: status, body (transferred) and the time from sending to the last body byte, ms. */
export type WorkerAnswer = { id: number; status: number; body: ArrayBuffer; ms: number } | { id: number; error: string };

/**
 * The worker thread of bench/worker-http-client.ts: runs each `GET` with `fetch` (keep-alive) and times it from
 * sending the request to the last body byte, on its own event loop and heap.
 */
parentPort?.on('message', async ({ id, url, headers }: WorkerRequest) => {
  const t0 = performance.now();
  try {
    const r = await fetch(url, { headers });
    const body = await r.arrayBuffer();
    const answer: WorkerAnswer = { id, status: r.status, body, ms: performance.now() - t0 };
    parentPort!.postMessage(answer, [body]);
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies WorkerAnswer);
  }
});
