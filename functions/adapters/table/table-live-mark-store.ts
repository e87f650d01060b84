import type { TableClient } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import type { LiveSequenceMark } from '../../../shared/hls/live-window';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { readRowWithEtag, writeIfUnchanged } from './optimistic-update';
import { double, readNumber } from './table-values';

/** RowKey of the one live mark row per camera (PartitionKey is the camera id). */
const MARK_ROW_KEY = 'live';

/** A stored mark with its ETag (opaque, for If-Match). */
export interface StoredLiveMark {
  mark: LiveSequenceMark;
  etag: string;
}

/**
 * Each camera's live sequence mark (shared/hls/live-window.ts) on Table Storage (`{prefix}LiveMarks`): PartitionKey
 * `{cameraId}`, RowKey `live`; properties `startMs`, `mediaSequence`, `discontinuitySequence`, `targetDurationS`
 * (Edm.Double), `updatedAt` (ISO). Written only while someone watches the camera live, at most once per new segment.
 */
export class TableLiveMarkStore {
  constructor(private readonly table: TableClient) {}

  /**
   * @returns undefined when the camera has no mark (never watched live)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async get(cameraId: string): Promise<StoredLiveMark | undefined> {
    assertId('camera', cameraId);
    const row = await readRowWithEtag(this.table, cameraId, MARK_ROW_KEY, `live mark of ${cameraId}`);
    if (!row) return undefined; // no row, or (before the first write) no table
    const mark: LiveSequenceMark = {
      startMs: readNumber(row, 'startMs'),
      mediaSequence: readNumber(row, 'mediaSequence'),
      discontinuitySequence: readNumber(row, 'discontinuitySequence'),
      targetDurationS: readNumber(row, 'targetDurationS'),
    };
    return { mark, etag: row.etag };
  }

  /**
   * Creates (`ifMatch` undefined: only if absent) or replaces (`ifMatch` = the ETag read) the camera's mark.
   * @returns false when another reload wrote it first (its numbers follow from the same mark, so they agree: nothing to
   *   redo), true when written
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async put(cameraId: string, mark: LiveSequenceMark, ifMatch: string | undefined, nowMs: number): Promise<boolean> {
    assertId('camera', cameraId);
    await ensureTable(this.table);
    const entity = {
      partitionKey: cameraId,
      rowKey: MARK_ROW_KEY,
      startMs: double(mark.startMs),
      mediaSequence: double(mark.mediaSequence),
      discontinuitySequence: double(mark.discontinuitySequence),
      targetDurationS: double(mark.targetDurationS),
      updatedAt: toIso(nowMs),
    };
    return writeIfUnchanged(this.table, entity, ifMatch, `live mark of ${cameraId}`);
  }
}
