import type { ChildProcess } from 'node:child_process';
import { processTree } from './process-tree-cpu';

/** Children the benchmarks started and that have not exited yet. */
const live = new Set<ChildProcess>();

/**
 * Remembers a child the benchmark started until it exits, so {@link killAllTracked} can end it (and whatever it
 * started) when the run is interrupted.
 * @returns the same child
 */
export function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * SIGKILLs every tracked child that is still running, each one's descendants first (read from /proc before the
 * parent dies, so orphans re-parented to init are not missed). Synchronous: safe in `process.on('exit')`.
 */
export function killAllTracked(): void {
  for (const child of live) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    killTree(child.pid);
  }
}

/** SIGKILLs the process `pid` and its descendants (descendants first). Processes already gone are ignored. */
export function killTree(pid: number): void {
  const tree = processTree([pid]);
  for (const p of tree.reverse()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
}

/** How a stopped child ended. */
export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when it had to be SIGKILLed after `timeoutMs`. */
  killed: boolean;
}

/**
 * Asks a child to stop with `signal` and waits for it to exit; after `timeoutMs` it is SIGKILLed together with its
 * descendants.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<StopResult> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode, killed: false };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  child.kill(signal);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    if (child.pid !== undefined) killTree(child.pid);
  }, timeoutMs);
  const result = await exited;
  clearTimeout(timer);
  return { ...result, killed };
}
