import type { TableClient } from '@azure/data-tables';
import { PreconditionFailedError } from '../../../shared/errors';
import { assertId } from '../../../shared/ids';
import { parseRecordingPolicy, type RecordingPolicyDocument } from '../../../shared/schemas/recording-policy';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/** A camera's stored recording policy. */
export interface StoredPolicy {
  cameraId: string;
  document: RecordingPolicyDocument;
  /** Opaque version; the HTTP `ETag`. Changes on every write that changes the document. */
  etag: string;
  /** When the document last changed, epoch ms UTC. */
  updatedAtMs: number;
}

/** RowKey of the one policy row per camera (PartitionKey is the camera id). */
const POLICY_ROW_KEY = 'policy';

/**
 * Per-camera recording policies, on Table Storage (`{prefix}Policies`): PartitionKey `{cameraId}`, RowKey `policy`;
 * properties `document` (the policy JSON, shared/schemas/recording-policy.ts), `updatedAtMs` (Edm.Double), `updatedAt`
 * (ISO). The row's ETag is the policy's ETag. The document is stored as JSON so later sections (EVR) need no new
 * columns.
 */
export class TablePolicyStore {
  constructor(private readonly table: TableClient) {}

  /** @returns `undefined` when the camera has no policy (the defaults apply) */
  async get(cameraId: string): Promise<StoredPolicy | undefined> {
    assertId('camera', cameraId);
    try {
      return toStored(cameraId, await this.table.getEntity<Record<string, unknown>>(cameraId, POLICY_ROW_KEY));
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read policy of ${cameraId}`);
    }
  }

  /**
   * Stores the document. Idempotent: storing the document already stored writes nothing and keeps the ETag. Reads the
   * row, checks `ifMatch`, then creates it or replaces it at the ETag just read, so a writer that changed it in between
   * makes this a 412 rather than being overwritten unseen (the caller reads again and retries).
   * @param ifMatch when given, the write happens only if the stored ETag equals it (`*`: only if a policy exists)
   * @param nowMs the `updatedAtMs` of a changed document
   * @throws PreconditionFailedError when `ifMatch` does not match (or there is no policy to match)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async put(cameraId: string, document: RecordingPolicyDocument, options: { ifMatch?: string; nowMs: number }): Promise<StoredPolicy> {
    assertId('camera', cameraId);
    await ensureTable(this.table);
    const current = await this.get(cameraId);
    if (options.ifMatch !== undefined) {
      if (!current) throw new PreconditionFailedError(`camera '${cameraId}' has no stored policy to match If-Match ${options.ifMatch}`);
      if (options.ifMatch !== '*' && options.ifMatch !== current.etag) {
        throw new PreconditionFailedError(`policy of camera '${cameraId}' has changed: If-Match ${options.ifMatch} is not its ETag ${current.etag}`);
      }
    }
    if (current && JSON.stringify(current.document) === JSON.stringify(document)) return current;
    const entity = {
      partitionKey: cameraId,
      rowKey: POLICY_ROW_KEY,
      document: JSON.stringify(document),
      updatedAtMs: double(options.nowMs),
      updatedAt: toIso(options.nowMs),
    };
    try {
      if (current) await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
      else await this.table.createEntity(entity);
    } catch (err) {
      const status = storageStatus(err);
      if (status === 409 || status === 412) {
        throw new PreconditionFailedError(`policy of camera '${cameraId}' was changed by another request meanwhile; read it and try again`);
      }
      rethrowStorageError(err, `write policy of ${cameraId}`);
    }
    const stored = await this.get(cameraId);
    if (!stored) throw new PreconditionFailedError(`policy of camera '${cameraId}' was removed meanwhile`);
    return stored;
  }
}

function toStored(cameraId: string, row: Record<string, unknown> & { etag: string }): StoredPolicy {
  return {
    cameraId,
    document: parseRecordingPolicy(JSON.parse(String(row.document))),
    etag: row.etag,
    updatedAtMs: readNumber(row, 'updatedAtMs'),
  };
}
