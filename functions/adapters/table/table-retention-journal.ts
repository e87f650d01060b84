import type { TableClient } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import type { RetentionJournal, RetentionJournalEntry } from '../../../shared/ports/retention-journal';
import { DAY_MS } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';

/** RowKey of the one journal row per camera (PartitionKey is the camera id). */
const JOURNAL_ROW_KEY = 'pending';

/**
 * The retention journal on Table Storage (`{prefix}Retention`): PartitionKey `{cameraId}`, RowKey `pending`;
 * `pendingStarts` = the pending segment starts as base-36 epoch ms joined by `,` (1 024 starts ≈ 9 000 characters),
 * `rollupDays` = UTC day numbers (epoch ms / 24 h) in base 36 joined by `,` (10 years ≈ 15 000 characters), both
 * under the 32 768-character property limit.
 */
export class TableRetentionJournal implements RetentionJournal {
  constructor(private readonly table: TableClient) {}

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
