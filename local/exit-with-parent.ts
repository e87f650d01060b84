/**
 * Preloaded (`node --require dist/local/exit-with-parent.js script …`) into the local stack's child processes, Azurite
 * and the agent: when the process that started them is gone — killed with SIGKILL, or a shell between npm and it died —
 * they stop too, through their own SIGTERM handling (the agent closes its segments and stops its ffmpeg), instead of
 * running on re-parented to PID 1. Linux has PR_SET_PDEATHSIG for this, which Node does not offer; the parent is
 * polled instead (`process.ppid` is read fresh from the OS each time).
 * Loaded by local/azurite.ts and local/stack.ts; it exports nothing.
 */
import { watchParent } from './parent-watch';

/** A child that has not exited this long after its SIGTERM is killed (the agent's own stop takes ≤ 35 s). */
const KILL_AFTER_MS = 60_000;

watchParent(() => {
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), KILL_AFTER_MS).unref();
});
