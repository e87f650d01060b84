/** Callbacks sharing one timer, per period (ms). */
const timers = new Map<number, { timer: NodeJS.Timeout; callbacks: Set<() => void> }>();

/**
 * Calls `callback` every `periodMs` on a timer shared by every callback of the same period, so N cameras' periodic
 * checks wake the event loop once per period instead of N times.
 *
 * Why: each recording session had its own 1 s watchdog and its own 1 s log-batch timer. At 16 cameras that was 32
 * wake-ups a second; a `perf` profile of the agent (docs/benchmarks.md) put timer dispatch and the event loop's
 * wake-ups at about a fifth of its CPU.
 *
 * A callback that throws is an uncaught exception, as from a timer of its own (the callbacks after it skip that tick).
 * @param periodMs period, ms (≥ 1)
 * @returns a function that stops the callback (idempotent); the timer ends with its period's last callback
 */
export function everyPeriod(periodMs: number, callback: () => void): () => void {
  let entry = timers.get(periodMs);
  if (!entry) {
    const callbacks = new Set<() => void>();
    const timer = setInterval(() => {
      for (const fn of [...callbacks]) fn();
    }, periodMs);
    entry = { timer, callbacks };
    timers.set(periodMs, entry);
  }
  const own = entry;
  // A wrapper per registration: the same function registered twice runs twice and is stopped once per registration.
  const registration = () => callback();
  own.callbacks.add(registration);
  return () => {
    if (!own.callbacks.delete(registration) || own.callbacks.size > 0) return;
    clearInterval(own.timer);
    if (timers.get(periodMs) === own) timers.delete(periodMs);
  };
}
