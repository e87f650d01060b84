import { odata, type TableClient } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import type { Hold, HoldStore } from '../../../shared/ports/hold-store';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/**
 * Holds on Table Storage (`{prefix}Holds`): PartitionKey `{cameraId}`, RowKey the hold id; properties `startMs`,
 * `endMs`, `createdAtMs` (Edm.Double), `start`, `end`, `createdAt` (ISO, for people), `reason` (optional).
 */
export class TableHoldStore implements HoldStore {
  constructor(private readonly table: TableClient) {}

  async create(hold: Hold): Promise<void> {
    assertId('camera', hold.cameraId);
    await ensureTable(this.table);
    const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: hold.cameraId,
      rowKey: hold.id,
      startMs: double(hold.startMs),
      endMs: double(hold.endMs),
      createdAtMs: double(hold.createdAtMs),
      start: toIso(hold.startMs),
      end: toIso(hold.endMs),
      createdAt: toIso(hold.createdAtMs),
    };
    if (hold.reason !== undefined) entity.reason = hold.reason;
    try {
      await this.table.createEntity(entity);
    } catch (err) {
      rethrowStorageError(err, `create hold ${hold.cameraId}/${hold.id}`);
    }
  }

  async list(cameraId: string): Promise<Hold[]> {
    assertId('camera', cameraId);
    const out: Hold[] = [];
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${cameraId}` } })) {
        const hold: Hold = {
          id: String(row.rowKey),
          cameraId,
          startMs: readNumber(row, 'startMs'),
          endMs: readNumber(row, 'endMs'),
          createdAtMs: readNumber(row, 'createdAtMs'),
        };
        if (typeof row.reason === 'string') hold.reason = row.reason;
        out.push(hold);
      }
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, `list holds of ${cameraId}`);
    }
    return out.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async remove(cameraId: string, holdId: string): Promise<boolean> {
    assertId('camera', cameraId);
    try {
      await this.table.deleteEntity(cameraId, holdId);
      return true;
    } catch (err) {
      if (storageStatus(err) === 404) return false;
      rethrowStorageError(err, `delete hold ${cameraId}/${holdId}`);
    }
  }
}
