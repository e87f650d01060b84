/**
 * Polls `probe` every 250 ms until it returns something other than undefined.
 * @throws Error naming `what` after `timeoutMs`
 */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Polls `probe` every 250 ms until it is true.
 * @throws Error naming `what` after `timeoutMs`
 */
export async function until(what: string, timeoutMs: number, probe: () => boolean | Promise<boolean>): Promise<void> {
  await waitFor(what, timeoutMs, async () => ((await probe()) ? true : undefined));
}
