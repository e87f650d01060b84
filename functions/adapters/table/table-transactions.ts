import type { TableClient, TransactionAction } from '@azure/data-tables';
import { rethrowStorageError } from '../storage/storage-errors';

/** Most operations one Table entity-group transaction may hold (Azure Table storage limit: 100, one partition). */
export const MAX_TRANSACTION_OPS = 100;

/**
 * Submits `actions` (all of one partition) as entity-group transactions of at most {@link MAX_TRANSACTION_OPS}, in
 * order; each chunk is atomic, the whole is not (a failure leaves the chunks before it applied).
 * @param what names the rows for the error message
 * @throws TransientError (or the storage error) when storage fails
 */
export async function submitInChunks(table: TableClient, actions: readonly TransactionAction[], what: string): Promise<void> {
  for (let i = 0; i < actions.length; i += MAX_TRANSACTION_OPS) {
    try {
      await table.submitTransaction(actions.slice(i, i + MAX_TRANSACTION_OPS));
    } catch (err) {
      rethrowStorageError(err, what);
    }
  }
}
