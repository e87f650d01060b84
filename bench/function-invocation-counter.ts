import { registrations } from '../functions/app';
import { loadFunctions } from '../local/load-functions';

/** Executions of one function. */
export interface FunctionCount {
  name: string;
  kind: 'http' | 'eventHub' | 'timer';
  executions: number;
  /** Sum of the executions' durations, ms. */
  totalMs: number;
  /** Events handed to it (Event Hubs functions: batch sizes summed). */
  events: number;
}

/** Installed counters; {@link FunctionInvocationCounter.restore} puts the original handlers back. */
export interface FunctionInvocationCounter {
  snapshot(): { functions: FunctionCount[]; activeMs: number };
  reset(): void;
  restore(): void;
}

/**
 * Counts the executions of every registered function in this process (the local host's HTTP routes, its timers, and
 * the Event Hubs feeder): wraps each registration's handler in place, so the same handler objects the hosts call are
 * counted, whichever host calls them. Also measures the time at least one execution was running (the union of the
 * execution intervals), which is what a single Flex Consumption instance bills as active time.
 * Install before the local stack starts: the Event Hubs feeder takes its handler when it is constructed.
 */
export function countFunctionInvocations(): FunctionInvocationCounter {
  loadFunctions();
  let counts = new Map<string, FunctionCount>();
  let activeMs = 0;
  let running = 0;
  let activeSince = 0;
  const restores: Array<() => void> = [];
  for (const r of registrations()) {
    const options = r.options as { handler: (...args: unknown[]) => unknown };
    const original = options.handler;
    options.handler = async (...args: unknown[]) => {
      const t0 = performance.now();
      if (running++ === 0) activeSince = t0;
      const entry = counts.get(r.name) ?? { name: r.name, kind: r.kind, executions: 0, totalMs: 0, events: 0 };
      counts.set(r.name, entry);
      entry.executions += 1;
      if (r.kind === 'eventHub' && Array.isArray(args[0])) entry.events += args[0].length;
      try {
        return await original(...args);
      } finally {
        const t1 = performance.now();
        entry.totalMs += t1 - t0;
        if (--running === 0) activeMs += t1 - activeSince;
      }
    };
    restores.push(() => {
      options.handler = original;
    });
  }
  return {
    snapshot: () => ({ functions: [...counts.values()].map((c) => ({ ...c })), activeMs: activeMs + (running > 0 ? performance.now() - activeSince : 0) }),
    reset: () => {
      counts = new Map();
      activeMs = 0;
      if (running > 0) activeSince = performance.now();
    },
    restore: () => restores.forEach((f) => f()),
  };
}
