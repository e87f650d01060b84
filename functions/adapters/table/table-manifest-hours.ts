import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { hourStart } from '../../../shared/contracts/manifest-naming';
import { assertId } from '../../../shared/ids';
import { hourRowKey } from '../../../shared/index-keys';
import { decodeHourSpans } from '../../../shared/manifests/hour-spans-codec';
import type { HourState } from '../../../shared/manifests/playlist-hours';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/** Entity group transactions take at most 100 operations, all in one partition. */
const MAX_TRANSACTION_OPS = 100;

/** One archive hour's row, with the ETag a conditional write needs. */
export interface HourRow extends HourState {
  cameraId: string;
  /** Segments the current manifest lists (0 without one). */
  segmentCount: number;
  etag: string;
}

/**
 * The manifests table (`{prefix}Manifests`, docs/contracts.md "Asset manifests"): one row per archive hour that ever
 * held a segment, PartitionKey `{cameraId}`, RowKey `yyyy-MM-ddTHH` (shared/index-keys.ts `hourRowKey`); properties
 * `hourStartMs` (Edm.Double), `hour` (ISO, for people), `dirty` (boolean), `version` (the current manifest's, 0 =
 * none), `segmentCount`, `spans` (the current manifest's segment spans, shared/manifests/hour-spans-codec.ts; absent
 * when they do not fit), so a playlist gets a closed hour from this table alone.
 *
 * How an hour closes and re-opens: ingest marks the hours of the segments it indexed dirty (after their index rows,
 * an unconditional Merge, which changes the row's ETag); retention and erasure mark the hours they delete from dirty
 * before they delete. The manifest writer (functions/manifests/write-hour-manifest.ts) reads a dirty row, writes the
 * next version from the index, and marks it clean only `If-Match` the ETag it read: a segment indexed meanwhile
 * changed the ETag, so the row stays dirty and the next run writes the next version. Playback reads a manifest only
 * for a clean row with a version; every other hour is scanned in the index.
 */
export class TableManifestHours {
  /**
   * @param options.onPage called after each page a query receives (benchmarks count the table reads of a playlist)
   */
  constructor(
    private readonly table: TableClient,
    private readonly options: { onPage?: (rows: number) => void } = {},
  ) {}

  /**
   * Marks the hours holding the segments' starts dirty (creating their rows): unconditional Merge upserts in
   * transactions of ≤ 100 per camera. Idempotent.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async markDirty(segments: ReadonlyArray<{ cameraId: string; startMs: number }>): Promise<void> {
    if (segments.length === 0) return;
    await ensureTable(this.table);
    const byCamera = new Map<string, Map<string, TransactionAction>>();
    for (const s of segments) {
      const h = hourStart(s.startMs);
      const rows = byCamera.get(s.cameraId) ?? new Map<string, TransactionAction>();
      rows.set(hourRowKey(h), ['upsert', { partitionKey: s.cameraId, rowKey: hourRowKey(h), hourStartMs: double(h), hour: toIso(h), dirty: true }, 'Merge']);
      byCamera.set(s.cameraId, rows);
    }
    await Promise.all(
      [...byCamera].map(async ([cameraId, rows]) => {
        const actions = [...rows.values()];
        for (let i = 0; i < actions.length; i += MAX_TRANSACTION_OPS) {
          try {
            await this.table.submitTransaction(actions.slice(i, i + MAX_TRANSACTION_OPS));
          } catch (err) {
            rethrowStorageError(err, `mark manifest hours of ${cameraId} dirty`);
          }
        }
      }),
    );
  }

  /**
   * The camera's hour rows whose hour starts in [startMs, endMs), sorted: one RowKey range query (a day's 24 rows and
   * more fit one page).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async listHours(cameraId: string, startMs: number, endMs: number): Promise<HourRow[]> {
    assertId('camera', cameraId);
    if (endMs <= startMs) return [];
    return this.query(odata`PartitionKey eq ${cameraId} and RowKey ge ${hourRowKey(startMs)} and RowKey lt ${hourRowKey(hourStart(endMs - 1) + 3_600_000)}`, `list manifest hours of ${cameraId}`);
  }

  /**
   * Dirty hours of every camera that started before the hour holding `beforeMs` (a cross-partition query filtered on
   * `dirty` and RowKey), sorted by camera and hour: what the manifest writer has to (re)write.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async listDirty(beforeMs: number): Promise<HourRow[]> {
    return this.query(odata`dirty eq ${true} and RowKey lt ${hourRowKey(beforeMs)}`, 'list dirty manifest hours');
  }

  /** One hour's row, or undefined. */
  async getHour(cameraId: string, hourStartMs: number): Promise<HourRow | undefined> {
    try {
      return toHourRow(await this.table.getEntity<Record<string, unknown>>(assertId('camera', cameraId), hourRowKey(hourStartMs)));
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read manifest hour ${cameraId}/${hourRowKey(hourStartMs)}`);
    }
  }

  /**
   * Records a written manifest version (with its segment spans, encoded) and marks the hour clean, `If-Match` the ETag
   * the writer read.
   * @returns false when the row changed meanwhile (a segment was indexed: it stays dirty) or is gone
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async markWritten(row: HourRow, version: number, segmentCount: number, spans: string | undefined): Promise<boolean> {
    try {
      await this.table.updateEntity(
        { partitionKey: row.cameraId, rowKey: hourRowKey(row.hourStartMs), hourStartMs: double(row.hourStartMs), hour: toIso(row.hourStartMs), dirty: false, version, segmentCount, ...(spans === undefined ? {} : { spans }) },
        'Replace',
        { etag: row.etag },
      );
      return true;
    } catch (err) {
      const status = storageStatus(err);
      if (status === 412 || status === 404) return false;
      rethrowStorageError(err, `mark manifest hour ${row.cameraId}/${hourRowKey(row.hourStartMs)} written`);
    }
  }

  /**
   * Deletes an hour's row `If-Match` its ETag, after its last segment and manifests were deleted.
   * @returns false when the row changed meanwhile (it stays) or was already gone
   */
  async remove(row: HourRow): Promise<boolean> {
    try {
      await this.table.deleteEntity(row.cameraId, hourRowKey(row.hourStartMs), { etag: row.etag });
      return true;
    } catch (err) {
      const status = storageStatus(err);
      if (status === 412 || status === 404) return false;
      rethrowStorageError(err, `delete manifest hour ${row.cameraId}/${hourRowKey(row.hourStartMs)}`);
    }
  }

  /**
   * Writes the rows of hours whose manifests were found in Blob (the index rebuild), unconditionally: clean, or dirty
   * when blobs the manifest does not list were found too.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async putFound(cameraId: string, hours: ReadonlyArray<{ hourStartMs: number; version: number; segmentCount: number; dirty: boolean; spans: string | undefined }>): Promise<void> {
    if (hours.length === 0) return;
    await ensureTable(this.table);
    const actions: TransactionAction[] = hours.map((h) => [
      'upsert',
      { partitionKey: cameraId, rowKey: hourRowKey(h.hourStartMs), hourStartMs: double(h.hourStartMs), hour: toIso(h.hourStartMs), dirty: h.dirty, version: h.version, segmentCount: h.segmentCount, ...(h.spans === undefined ? {} : { spans: h.spans }) },
      'Replace',
    ]);
    for (let i = 0; i < actions.length; i += MAX_TRANSACTION_OPS) {
      try {
        await this.table.submitTransaction(actions.slice(i, i + MAX_TRANSACTION_OPS));
      } catch (err) {
        rethrowStorageError(err, `write manifest hours of ${cameraId}`);
      }
    }
  }

  private async query(filter: string, what: string): Promise<HourRow[]> {
    const out: HourRow[] = [];
    try {
      for await (const page of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: 1000 })) {
        this.options.onPage?.(page.length);
        for (const e of page) out.push(toHourRow(e));
      }
    } catch (err) {
      if (storageStatus(err) === 404) return out; // no table yet
      rethrowStorageError(err, what);
    }
    return out.sort((a, b) => (a.cameraId < b.cameraId ? -1 : a.cameraId > b.cameraId ? 1 : a.hourStartMs - b.hourStartMs));
  }
}

function toHourRow(e: Record<string, unknown>): HourRow {
  const hourStartMs = readNumber(e, 'hourStartMs');
  const row: HourRow = {
    cameraId: String(e.partitionKey),
    hourStartMs,
    dirty: e.dirty === true,
    version: e.version === undefined ? 0 : readNumber(e, 'version'),
    segmentCount: e.segmentCount === undefined ? 0 : readNumber(e, 'segmentCount'),
    etag: String(e.etag),
  };
  const spans = typeof e.spans === 'string' ? decodeHourSpans(hourStartMs, e.spans) : undefined;
  if (spans) row.spans = spans;
  return row;
}
