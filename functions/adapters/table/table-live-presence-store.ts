import type { TableClient } from '@azure/data-tables';
import type { LivePresence } from '../../../shared/evr/live-presence';
import { assertId } from '../../../shared/ids';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { readRowWithEtag, writeIfUnchanged } from './optimistic-update';
import { double, readNumber } from './table-values';

/** RowKey of the presence row (PartitionKey is the camera id), beside the live mark in the same table. */
const PRESENCE_ROW_KEY = 'presence';

/**
 * Each EVR camera's live-viewer upload window (shared/evr/live-presence.ts) on Table Storage, in `{prefix}LiveMarks`
 * beside the live mark: PartitionKey `{cameraId}`, RowKey `presence`; properties `windowId`, `startMs`, `endMs`,
 * `sequence` (Edm.Double), `updatedAt` (ISO). Written when a window opens or is extended (about every 30 s while
 * someone watches), create-only or at the row's ETag, so that of concurrent reloads only one sends the command.
 */
export class TableLivePresenceStore {
  constructor(private readonly table: TableClient) {}

  /**
   * @returns undefined when the camera has no presence row
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async get(cameraId: string): Promise<{ presence: LivePresence; etag: string } | undefined> {
    assertId('camera', cameraId);
    const row = await readRowWithEtag(this.table, cameraId, PRESENCE_ROW_KEY, `live presence of ${cameraId}`);
    if (!row) return undefined; // no row, or (before the first write) no table
    const presence: LivePresence = {
      windowId: String(row.windowId),
      startMs: readNumber(row, 'startMs'),
      endMs: readNumber(row, 'endMs'),
      sequence: readNumber(row, 'sequence'),
    };
    return { presence, etag: row.etag };
  }

  /**
   * Creates (`ifMatch` undefined: only if absent) or replaces (`ifMatch` = the ETag read) the camera's presence.
   * @returns false when another reload wrote it first (that reload sends the command), true when written
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async put(cameraId: string, presence: LivePresence, ifMatch: string | undefined, nowMs: number): Promise<boolean> {
    assertId('camera', cameraId);
    await ensureTable(this.table);
    const entity = {
      partitionKey: cameraId,
      rowKey: PRESENCE_ROW_KEY,
      windowId: presence.windowId,
      startMs: double(presence.startMs),
      endMs: double(presence.endMs),
      sequence: double(presence.sequence),
      updatedAt: toIso(nowMs),
    };
    return writeIfUnchanged(this.table, entity, ifMatch, `live presence of ${cameraId}`);
  }
}
