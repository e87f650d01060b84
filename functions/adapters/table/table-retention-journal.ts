import type { TableClient } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import { DAY_MS } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/**
 * What a retention pass of one camera has started and not finished, so that the next pass finishes it
 * (functions/retention/retention-camera.ts explains the order). Kept small: one step of segments at a time.
 */
export interface RetentionJournalEntry {
  /** Starts (epoch ms UTC) of the segments whose blobs may already be deleted but whose index rows may remain. */
  pendingStartsMs: number[];
  /** UTC day starts (epoch ms) whose availability rollup rows must be recomputed from the index. */
  rollupDaysMs: number[];
}

/** RowKey of the one journal row per camera (PartitionKey is the camera id). */
const JOURNAL_ROW_KEY = 'pending';

/**
 * The retention journal, one entry per camera, on Table Storage (`{prefix}Retention`): PartitionKey `{cameraId}`,
 * RowKey `pending`; `pendingStarts` = the pending segment starts as base-36 epoch ms joined by `,` (1 024 starts ≈ 9
 * 000 characters), `rollupDays` = UTC day numbers (epoch ms / 24 h) in base 36 joined by `,` (10 years ≈ 15 000
 * characters), both under the 32 768-character property limit.
 */
export class TableRetentionJournal {
  constructor(private readonly table: TableClient) {}

  /** @returns `undefined` when the camera's last pass finished */
  async read(cameraId: string): Promise<RetentionJournalEntry | undefined> {
    assertId('camera', cameraId);
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(cameraId, JOURNAL_ROW_KEY);
      return {
        pendingStartsMs: decode(row.pendingStarts),
        rollupDaysMs: decode(row.rollupDays).map((d) => d * DAY_MS),
      };
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
      await this.table.upsertEntity(
        {
          partitionKey: cameraId,
          rowKey: JOURNAL_ROW_KEY,
          pendingStarts: entry.pendingStartsMs.map((n) => n.toString(36)).join(','),
          rollupDays: entry.rollupDaysMs.map((d) => Math.floor(d / DAY_MS).toString(36)).join(','),
        },
        'Replace',
      );
    } catch (err) {
      rethrowStorageError(err, `write retention journal of ${cameraId}`);
    }
  }

  /** Removes the camera's entry (absent: nothing to do). */
  async clear(cameraId: string): Promise<void> {
    assertId('camera', cameraId);
    try {
      await this.table.deleteEntity(cameraId, JOURNAL_ROW_KEY);
    } catch (err) {
      if (storageStatus(err) !== 404) rethrowStorageError(err, `clear retention journal of ${cameraId}`);
    }
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
