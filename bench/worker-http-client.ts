import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerAnswer, WorkerRequest } from './http-client-worker';

/** One timed `GET`: status, body bytes and the client's time from sending to the last body byte, ms. */
export interface TimedResponse {
  status: number;
  body: Buffer;
  ms: number;
}

/**
 * An HTTP client on a worker thread, for latency benchmarks whose server (the local functions host) runs in the
 * benchmark's own process: the client's work (receiving and buffering a 2.5 MB playlist, its garbage) then runs on
 * its own event loop and heap instead of on the server's, as a real client's runs elsewhere. The time is taken in
 * the worker, from sending the request to the last body byte.
 */
export class WorkerHttpClient {
  private readonly worker = new Worker(path.join(__dirname, 'http-client-worker.js'));
  private readonly waiting = new Map<number, { resolve: (r: TimedResponse) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor() {
    this.worker.on('message', (a: WorkerAnswer) => {
      const w = this.waiting.get(a.id);
      if (!w) return;
      this.waiting.delete(a.id);
      if ('error' in a) w.reject(new Error(`GET failed in the client worker: ${a.error}`));
      else w.resolve({ status: a.status, body: Buffer.from(a.body), ms: a.ms });
    });
    // A worker that fails or exits answers nothing more: the requests still waiting fail instead of hanging.
    const failWaiting = (err: Error) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', failWaiting);
    this.worker.on('exit', (code) => failWaiting(new Error(`the client worker exited (code ${code})`)));
  }

  /** `GET url`. @throws Error when the request fails (no answer, connection refused) */
  get(url: string, headers?: Record<string, string>): Promise<TimedResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, url, headers } satisfies WorkerRequest);
    });
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
