/**
 * Sends `signal` to every process of the group `pgid` (a child spawned with `detached: true` leads its own group, and
 * what it starts, e.g. the agent's ffmpeg, stays in it). A group that is already gone is not an error.
 * @returns whether any process was signalled
 * @throws Error for anything but "no such process" (e.g. EPERM)
 */
export function killProcessGroup(pgid: number | undefined, signal: NodeJS.Signals): boolean {
  if (!pgid) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
