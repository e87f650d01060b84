import type { TableClient } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import { DAY_MS } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/**
 * What an erasure on demand has done so far (functions/erasure/erase-range.ts), kept in its journal row so that a
 * resumed erasure answers, and announces, the totals of the whole erasure. Times epoch ms UTC.
 */
export interface ErasureProgress {
  erasureId: string;
  /** The requested half-open range. */
  requestedStartMs: number;
  requestedEndMs: number;
  requestedAtMs: number;
  /** The covered range so far: the requested one widened to every whole segment deleted. */
  coveredStartMs: number;
  coveredEndMs: number;
  /** Segments and stored bytes deleted so far (each journalled step counted once, when it is planned). */
  segments: number;
  bytes: number;
  /** EVR recording rows deleted, once the artefacts step ran. */
  recordingsDeleted?: number;
}

/**
 * What a pass of one camera (retention, or an erasure on demand) has started and not finished, so that the next pass
 * finishes it (functions/retention/retention-camera.ts explains the order). Kept small: one step of segments at a time.
 */
export interface RetentionJournalEntry {
  /** Starts (epoch ms UTC) of the segments whose blobs may already be deleted but whose index rows may remain. */
  pendingStartsMs: number[];
  /** UTC day starts (epoch ms) whose availability rollup rows must be recomputed from the index. */
  rollupDaysMs: number[];
  /** Present on the erasure journal only: the erasure being done. */
  erasure?: ErasureProgress;
}

/** RowKey of the retention pass's journal row (PartitionKey is the camera id). */
export const RETENTION_JOURNAL_ROW = 'pending';
/** RowKey of the erasure's journal row: an erasure and a retention pass of one camera never share a row. */
export const ERASURE_JOURNAL_ROW = 'erasure';

/**
 * The retention journal, one entry per camera and row key, on Table Storage (`{prefix}Retention`): PartitionKey
 * `{cameraId}`, RowKey `pending` (retention) or `erasure` (erasure on demand, with its progress as JSON in `erasure`);
 * `pendingStarts` = the pending segment starts as base-36 epoch ms joined by `,` (1 024 starts ≈ 9
 * 000 characters), `rollupDays` = UTC day numbers (epoch ms / 24 h) in base 36 joined by `,` (10 years ≈ 15 000
 * characters), both under the 32 768-character property limit.
 */
export class TableRetentionJournal {
  /** @param rowKey {@link RETENTION_JOURNAL_ROW} (default) or {@link ERASURE_JOURNAL_ROW} */
  constructor(
    private readonly table: TableClient,
    private readonly rowKey: string = RETENTION_JOURNAL_ROW,
  ) {}

  /** @returns `undefined` when the camera's last pass finished */
  async read(cameraId: string): Promise<RetentionJournalEntry | undefined> {
    assertId('camera', cameraId);
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(cameraId, this.rowKey);
      const entry: RetentionJournalEntry = {
        pendingStartsMs: decode(row.pendingStarts),
        rollupDaysMs: decode(row.rollupDays).map((d) => d * DAY_MS),
      };
      if (typeof row.erasure === 'string') entry.erasure = JSON.parse(row.erasure) as ErasureProgress;
      return entry;
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read retention journal of ${cameraId}`);
    }
  }

  /** Replaces the camera's entry. @throws TransientError when storage fails */
  async write(cameraId: string, entry: RetentionJournalEntry): Promise<void> {
    assertId('camera', cameraId);
    await ensureTable(this.table);
    try {
      await this.table.upsertEntity(this.entity(cameraId, entry), 'Replace');
    } catch (err) {
      rethrowStorageError(err, `write retention journal of ${cameraId}`);
    }
  }

  /**
   * Stores the camera's entry only if it has none (Insert, not upsert): an erasure starting never overwrites another
   * one's journal.
   * @returns false when the camera already has an entry
   * @throws TransientError when storage fails
   */
  async create(cameraId: string, entry: RetentionJournalEntry): Promise<boolean> {
    assertId('camera', cameraId);
    await ensureTable(this.table);
    try {
      await this.table.createEntity(this.entity(cameraId, entry));
      return true;
    } catch (err) {
      if (storageStatus(err) === 409) return false;
      rethrowStorageError(err, `create journal ${this.rowKey} of ${cameraId}`);
    }
  }

  /** Removes the camera's entry (absent: nothing to do). */
  async clear(cameraId: string): Promise<void> {
    assertId('camera', cameraId);
    try {
      await this.table.deleteEntity(cameraId, this.rowKey);
    } catch (err) {
      if (storageStatus(err) !== 404) rethrowStorageError(err, `clear retention journal of ${cameraId}`);
    }
  }

  private entity(cameraId: string, entry: RetentionJournalEntry) {
    return {
      partitionKey: cameraId,
      rowKey: this.rowKey,
      pendingStarts: entry.pendingStartsMs.map((n) => n.toString(36)).join(','),
      rollupDays: entry.rollupDaysMs.map((d) => Math.floor(d / DAY_MS).toString(36)).join(','),
      ...(entry.erasure ? { erasure: JSON.stringify(entry.erasure) } : {}),
    };
  }
}

function decode(value: unknown): number[] {
  if (typeof value !== 'string' || value === '') return [];
  return value.split(',').map((t) => {
    const n = parseInt(t, 36);
    if (!Number.isFinite(n)) throw new TypeError(`retention journal token ${JSON.stringify(t.slice(0, 20))} is not base 36`);
    return n;
  });
}
