import type { ChildExit } from './stack';

/** How often the agent's log is looked at (ms). */
const POLL_MS = 100;

/**
 * Waits until the agent has loaded its config and begun starting its cameras (its `agent starting` log record), so
 * that `npm start` says "Keepwatch is running" only about an agent that runs: one that refuses its config exits
 * first.
 * @param agentLog the agent's JSON log lines as they come (local/stack.ts `agentLog`)
 * @param exited the agent's exit (local/stack.ts `children`)
 * @param timeoutMs after this, `timeout` (the agent is slow, not known to have failed; default 30 s)
 */
export async function agentStarted(agentLog: readonly string[], exited: Promise<ChildExit>, timeoutMs = 30_000): Promise<'started' | 'exited' | 'timeout'> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (agentLog.some((line) => line.includes('"msg":"agent starting"'))) return 'started';
    if (gone) return 'exited';
    if (Date.now() > deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
