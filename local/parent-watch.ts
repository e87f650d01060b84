/** How often the parent is looked at (ms): a stopped parent's children follow within about a second. */
const POLL_MS = 500;

/**
 * Calls `onGone` once when this process's parent changes, that is when the parent died and this process was
 * re-parented (to PID 1 or a subreaper). The timer never keeps the process alive.
 * Used by `npm start` (local/start.ts: npm killed) and by the stack's children (local/exit-with-parent.ts).
 * @returns stops watching
 */
export function watchParent(onGone: () => void, pollMs = POLL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
