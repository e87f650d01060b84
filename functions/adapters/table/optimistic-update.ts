import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { TransientError } from '../../../shared/errors';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** Read-modify-write attempts before giving up with a TransientError (the caller's retry takes over). */
export const OPTIMISTIC_UPDATE_ATTEMPTS = 8;

/**
 * Read-modify-write of one row with ETag concurrency: reads the row (absent = `undefined`), lets `change` compute
 * the new properties, then creates the row (409 if someone else created it) or replaces it `If-Match: {etag}` (412
 * if someone else changed it); on 409/412 it re-reads and tries again after a jittered, doubling pause.
 * @param change returns the row's new properties (without keys), or `undefined` when nothing changes, in which case
 *   nothing is written (this is what makes re-merging known data idempotent)
 * @param what names the row for messages
 * @throws TransientError when storage fails transiently or writers keep colliding for {@link OPTIMISTIC_UPDATE_ATTEMPTS} attempts
 */
export async function optimisticUpdate(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
  what: string,
  change: (current: TableEntityResult<Record<string, unknown>> | undefined) => Record<string, unknown> | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < OPTIMISTIC_UPDATE_ATTEMPTS; attempt++) {
    let current: TableEntityResult<Record<string, unknown>> | undefined;
    try {
      current = await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (err) {
      if (storageStatus(err) !== 404) rethrowStorageError(err, `read ${what}`);
    }
    const next = change(current);
    if (next === undefined) return;
    const entity = { ...next, partitionKey, rowKey };
    try {
      if (current) await table.updateEntity(entity, 'Replace', { etag: current.etag });
      else await table.createEntity(entity);
      return;
    } catch (err) {
      const status = storageStatus(err);
      if (status !== 409 && status !== 412) rethrowStorageError(err, `write ${what}`);
    }
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** attempt)));
  }
  throw new TransientError(`${what} kept changing under concurrent writers; gave up after ${OPTIMISTIC_UPDATE_ATTEMPTS} attempts`);
}

/**
 * One row with its ETag, for a caller that decides and then writes with {@link writeIfUnchanged}.
 * @returns undefined when the row (or, before the first write, the table) does not exist
 * @throws TransientError when storage fails in a way a retry may fix
 */
export async function readRowWithEtag(table: TableClient, partitionKey: string, rowKey: string, what: string): Promise<TableEntityResult<Record<string, unknown>> | undefined> {
  try {
    return await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (err) {
    if (storageStatus(err) === 404) return undefined;
    rethrowStorageError(err, `read ${what}`);
  }
}

/**
 * Creates the row when `ifMatch` is undefined (only if absent), else replaces it `If-Match: {ifMatch}`: one attempt of
 * an optimistic write whose loser has nothing to redo.
 * @returns false when another writer got there first (409 on create, 412 on replace), true when written
 * @throws TransientError when storage fails in a way a retry may fix
 */
export async function writeIfUnchanged(table: TableClient, entity: { partitionKey: string; rowKey: string } & Record<string, unknown>, ifMatch: string | undefined, what: string): Promise<boolean> {
  try {
    if (ifMatch === undefined) await table.createEntity(entity);
    else await table.updateEntity(entity, 'Replace', { etag: ifMatch });
    return true;
  } catch (err) {
    const status = storageStatus(err);
    if (status === 409 || status === 412) return false;
    rethrowStorageError(err, `write ${what}`);
  }
}
