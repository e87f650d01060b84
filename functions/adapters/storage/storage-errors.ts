import { TransientError } from '../../../shared/errors';

/** HTTP status of a storage SDK error (`RestError.statusCode`), if it has one. */
export function storageStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * True for failures a retry may fix: no HTTP status (connection refused/reset, DNS, timeout), 408, 429 and 5xx
 * except 501/505 (learn.microsoft.com/azure/storage/common/storage-retry-policy "retriable status codes").
 */
export function isTransientStorageError(err: unknown): boolean {
  const status = storageStatus(err);
  if (status === undefined) return !(err instanceof TypeError || err instanceof RangeError);
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Rethrows a storage failure with context: transient ones as TransientError (so an Event Hubs batch is replayed
 * and HTTP answers 503), others unchanged.
 * @param what the operation, for the message ("upsert segment rows of cam1_2026-11-21")
 */
export function rethrowStorageError(err: unknown, what: string): never {
  if (err instanceof TransientError) throw err;
  if (isTransientStorageError(err)) {
    const status = storageStatus(err);
    throw new TransientError(`storage failed to ${what}${status ? ` (HTTP ${status})` : ''}: ${(err as Error)?.message ?? String(err)}`, err);
  }
  throw err;
}
