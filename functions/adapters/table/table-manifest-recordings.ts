import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { ensureTable } from '../storage/storage-clients';
import { submitInChunks } from './table-transactions';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { readNumber } from './table-values';

/** Entity group transactions take at most 100 operations, all in one partition. */

/** RowKey prefix of recording rows: `r` sorts after every hour row (`yyyy-…`), so hour range queries never see them. */
const ROW_PREFIX = 'r';

/** One EVR recording's manifest row, with the ETag a conditional write needs. */
export interface RecordingManifestRow {
  cameraId: string;
  recordingId: string;
  /** Segments were indexed in its window since its manifest (or it has none yet). */
  dirty: boolean;
  /** Version of its current manifest; 0 when none was written. */
  version: number;
  etag: string;
}

/**
 * EVR recordings' manifest state, in the manifests table (`{prefix}Manifests`, beside the archive hours): PartitionKey
 * `{cameraId}`, RowKey `r{recordingId}`; properties `recordingId`, `dirty` (boolean), `version`. The EVR policy marks a
 * recording dirty when a segment overlapping its window is indexed (functions/evr/recording-available.ts); the
 * manifests timer writes its next manifest version once it is complete and closed, and marks it clean `If-Match` the
 * ETag it read (docs/contracts.md "Asset manifests").
 */
export class TableManifestRecordings {
  constructor(private readonly table: TableClient) {}

  /**
   * Marks recordings dirty (creating their rows): unconditional Merge upserts, ≤ 100 per camera per transaction.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async markDirty(recordings: ReadonlyArray<{ cameraId: string; id: string }>): Promise<void> {
    if (recordings.length === 0) return;
    await ensureTable(this.table);
    const byCamera = new Map<string, Map<string, TransactionAction>>();
    for (const r of recordings) {
      const rows = byCamera.get(r.cameraId) ?? new Map<string, TransactionAction>();
      rows.set(r.id, ['upsert', { partitionKey: r.cameraId, rowKey: `${ROW_PREFIX}${r.id}`, recordingId: r.id, dirty: true }, 'Merge']);
      byCamera.set(r.cameraId, rows);
    }
    await Promise.all(
      [...byCamera].map(async ([cameraId, rows]) => {
        await submitInChunks(this.table, [...rows.values()], `mark recording manifests of ${cameraId} dirty`);
      }),
    );
  }

  /** Dirty recording rows of every camera (a cross-partition query on `dirty` and the RowKey prefix). */
  async listDirty(): Promise<RecordingManifestRow[]> {
    const out: RecordingManifestRow[] = [];
    try {
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`dirty eq ${true} and RowKey ge ${ROW_PREFIX} and RowKey lt ${'s'}` } })) {
        out.push({ cameraId: String(e.partitionKey), recordingId: String(e.recordingId), dirty: true, version: e.version === undefined ? 0 : readNumber(e, 'version'), etag: String(e.etag) });
      }
    } catch (err) {
      if (storageStatus(err) === 404) return out;
      rethrowStorageError(err, 'list dirty recording manifests');
    }
    return out;
  }

  /**
   * Records a written version and marks the recording clean, `If-Match` the ETag read.
   * @returns false when the row changed meanwhile (it stays dirty) or is gone
   */
  async markWritten(row: RecordingManifestRow, version: number): Promise<boolean> {
    try {
      await this.table.updateEntity({ partitionKey: row.cameraId, rowKey: `${ROW_PREFIX}${row.recordingId}`, recordingId: row.recordingId, dirty: false, version }, 'Replace', { etag: row.etag });
      return true;
    } catch (err) {
      const status = storageStatus(err);
      if (status === 412 || status === 404) return false;
      rethrowStorageError(err, `mark recording manifest ${row.cameraId}/${row.recordingId} written`);
    }
  }

  /** Deletes a recording's row `If-Match` its ETag (its recording is gone). @returns false when it changed or was gone */
  async remove(row: RecordingManifestRow): Promise<boolean> {
    try {
      await this.table.deleteEntity(row.cameraId, `${ROW_PREFIX}${row.recordingId}`, { etag: row.etag });
      return true;
    } catch (err) {
      const status = storageStatus(err);
      if (status === 412 || status === 404) return false;
      rethrowStorageError(err, `delete recording manifest row ${row.cameraId}/${row.recordingId}`);
    }
  }
}
