import { startAzurite as startLocalAzurite, type AzuriteInstance } from '../../local/azurite';

/**
 * Starts a throw-away, in-memory Azurite (blob + table) on free ports for one test file.
 * A thin wrapper over local/azurite.ts, the same code the local stack runs.
 * Call `stop()` in an `after` hook.
 * @throws Error with Azurite's output when it does not come up within 30 s
 */
export function startAzurite(): Promise<AzuriteInstance> {
  return startLocalAzurite({ startTimeoutMs: 30_000 });
}

export type { AzuriteInstance };
