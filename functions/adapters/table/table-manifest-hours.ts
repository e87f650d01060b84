import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { hourStart } from '../../../shared/contracts/manifest-naming';
import { assertId } from '../../../shared/ids';
import { hourRowKey } from '../../../shared/index-keys';
import { decodeHourSpans } from '../../../shared/manifests/hour-spans-codec';
import type { HourState } from '../../../shared/manifests/playlist-hours';
import { TransientError } from '../../../shared/errors';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { submitInChunks } from './table-transactions';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/** Entity group transactions take at most 100 operations, all in one partition. */

/**
 * RowKey of a camera's tracking marker in the manifests table: after every hour key (digits) and recording key
 * (`r…`), so no hour or recording query reads it.
 */
export const TRACKING_ROW_KEY = '~tracked';

/**
 * A camera's tracking marker (docs/contracts.md "Asset manifests", "Archives indexed before manifests"): from
 * `sinceHourMs` on, every hour holding a segment has its row (no row = no segment); before it, an hour without a row
 * may hold segments indexed before manifests existed and is scanned in the index.
 */
export interface TrackingMarker {
  cameraId: string;
  /** Start of the first tracked hour, epoch ms UTC; 0 once the backfill walked the older index rows. */
  sinceHourMs: number;
  /** The backfill's cursor: index rows starting before it were walked (epoch ms UTC; 0 = not begun). */
  cursorMs: number;
  etag: string;
}

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
 * for a clean row with a version; every other hour is scanned in the index, except hours without a row at or after
 * the camera's tracking marker (RowKey {@link TRACKING_ROW_KEY}: archives indexed before manifests have index rows
 * but no hour rows until the backfill, functions/manifests/backfill-hours.ts, walked them).
 */
export class TableManifestHours {
  /**
   * @param options.onPage called after each page a query receives (benchmarks count the table reads of a playlist)
   */
  constructor(
    private readonly table: TableClient,
    private readonly options: { onPage?: (rows: number) => void } = {},
  ) {}

  /** Cameras whose marker this process has seen exist (markers are never removed but by deleting the table). */
  private readonly tracked = new Set<string>();
  /**
   * Markers this process read with `sinceHourMs` 0: final (the backfill only moves `sinceHourMs` down, the index
   * rebuild sets it to 0, and nothing raises it again), so they are not read again (a playlist then makes no point read).
   */
  private readonly fullyTracked = new Map<string, TrackingMarker>();

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
        await submitInChunks(this.table, [...rows.values()], `mark manifest hours of ${cameraId} dirty`);
      }),
    );
  }

  /**
   * Creates the cameras' tracking markers, create-only (`If-None-Match: *` semantics: 409 = one exists and is kept),
   * with `sinceHourMs`; ingest calls it after marking hours dirty, so a marker never claims an hour whose row is not
   * written yet. One create per camera and process; later calls for it write nothing.
   * @param sinceHourMs start of an hour, epoch ms UTC (ingest: the hour after now, later than anything the previous
   *   version may still be indexing)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async track(cameraIds: Iterable<string>, sinceHourMs: number): Promise<void> {
    const todo = [...new Set(cameraIds)].filter((c) => !this.tracked.has(c));
    if (todo.length === 0) return;
    await ensureTable(this.table);
    await Promise.all(todo.map(async (cameraId) => {
      await this.createMarker(cameraId, sinceHourMs);
      this.tracked.add(cameraId);
    }));
  }

  /**
   * The camera's tracking marker, one point read — none once this process has read it with every hour tracked
   * (`sinceHourMs` 0, final); undefined when it has none (an archive indexed before manifests, not yet reached by
   * ingest or the backfill) or the table does not exist yet.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async getMarker(cameraId: string): Promise<TrackingMarker | undefined> {
    const final = this.fullyTracked.get(cameraId);
    if (final) return final;
    try {
      const marker = toMarker(await this.table.getEntity<Record<string, unknown>>(assertId('camera', cameraId), TRACKING_ROW_KEY));
      if (marker.sinceHourMs === 0) this.fullyTracked.set(cameraId, marker);
      return marker;
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read tracking marker of ${cameraId}`);
    }
  }

  /**
   * Every camera's tracking marker, by camera id (one cross-partition query on RowKey).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async listMarkers(): Promise<Map<string, TrackingMarker>> {
    const out = new Map<string, TrackingMarker>();
    try {
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`RowKey eq ${TRACKING_ROW_KEY}` } })) {
        const m = toMarker(e);
        out.set(m.cameraId, m);
      }
    } catch (err) {
      if (storageStatus(err) === 404) return out;
      rethrowStorageError(err, 'list tracking markers');
    }
    return out;
  }

  /**
   * Creates the camera's marker unless it has one (409 = exists); the marker it has then, re-read.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async createMarker(cameraId: string, sinceHourMs: number): Promise<TrackingMarker> {
    assertId('camera', cameraId);
    await ensureTable(this.table);
    try {
      const r = await this.table.createEntity({ partitionKey: cameraId, rowKey: TRACKING_ROW_KEY, sinceHourMs: double(sinceHourMs), since: toIso(sinceHourMs), cursorMs: double(0) });
      return { cameraId, sinceHourMs, cursorMs: 0, etag: String(r.etag) };
    } catch (err) {
      if (storageStatus(err) !== 409) rethrowStorageError(err, `create tracking marker of ${cameraId}`);
    }
    const existing = await this.getMarker(cameraId);
    if (!existing) throw new TransientError(`tracking marker of ${cameraId} vanished while created`);
    return existing;
  }

  /**
   * Moves the backfill on: a new cursor, or `sinceHourMs` 0 when it is done; `If-Match` the marker's ETag.
   * @returns false when the marker changed meanwhile (another run or the index rebuild; the caller re-reads it next run)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async updateMarker(marker: TrackingMarker, next: { sinceHourMs: number; cursorMs: number }): Promise<boolean> {
    try {
      await this.table.updateEntity({ partitionKey: marker.cameraId, rowKey: TRACKING_ROW_KEY, sinceHourMs: double(next.sinceHourMs), since: toIso(next.sinceHourMs), cursorMs: double(next.cursorMs) }, 'Replace', { etag: marker.etag });
      return true;
    } catch (err) {
      const status = storageStatus(err);
      if (status === 412 || status === 404) return false;
      rethrowStorageError(err, `update tracking marker of ${marker.cameraId}`);
    }
  }

  /**
   * Marks every hour of the camera tracked (`sinceHourMs` 0), unconditionally: the index rebuild wrote the row of
   * every hour holding a segment.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async markAllTracked(cameraId: string): Promise<void> {
    assertId('camera', cameraId);
    await ensureTable(this.table);
    try {
      await this.table.upsertEntity({ partitionKey: cameraId, rowKey: TRACKING_ROW_KEY, sinceHourMs: double(0), since: toIso(0), cursorMs: double(0) }, 'Replace');
    } catch (err) {
      rethrowStorageError(err, `mark ${cameraId} tracked`);
    }
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
    await submitInChunks(this.table, actions, `write manifest hours of ${cameraId}`);
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

function toMarker(e: Record<string, unknown>): TrackingMarker {
  return {
    cameraId: String(e.partitionKey),
    sinceHourMs: readNumber(e, 'sinceHourMs'),
    cursorMs: e.cursorMs === undefined ? 0 : readNumber(e, 'cursorMs'),
    etag: String(e.etag),
  };
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
