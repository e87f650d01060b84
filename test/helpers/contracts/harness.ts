/** Runs `run` on a fresh harness from `factory` and closes the harness whatever happens (each contract test's setup). */
export async function withFresh<H extends { close(): Promise<void> }>(factory: () => Promise<H>, run: (h: H) => Promise<void>): Promise<void> {
  const h = await factory();
  try {
    await run(h);
  } finally {
    await h.close();
  }
}
