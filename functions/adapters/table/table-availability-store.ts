import { odata, type TableClient } from '@azure/data-tables';
import { DAY_RANGES_MAX_CHUNKS, decodeDayRanges, encodeDayRanges } from '../../../shared/availability/day-ranges-codec';
import { splitByUtcDay } from '../../../shared/availability/split-by-utc-day';
import { TransientError, ValidationError } from '../../../shared/errors';
import { assertId } from '../../../shared/ids';
import type { SegmentRecord } from '../../../shared/contracts/device-events';
import { DAY_MS, utcDay } from '../../../shared/time';
import { clipRanges, mergeRanges, overlaps, type TimeRange } from '../../../shared/time-ranges';
import { OPTIMISTIC_UPDATE_ATTEMPTS, optimisticUpdate } from './optimistic-update';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/**
 * The availability rollup (docs/contracts.md "Index"): per camera and UTC day, the merged ranges of every stored
 * segment, so availability over a month never scans every segment.
 *
 * On Table Storage: one row per camera per UTC day, PartitionKey `{cameraId}`, RowKey
 * `yyyy-MM-dd`, so a month of one camera is one partition range scan. The day's merged ranges are encoded by
 * shared/availability/day-ranges-codec.ts into properties `r0`..`r13` (each ≤ 32 000 characters, under the 64 KiB
 * property limit), with `chunkCount`, `rangeCount`, `recordedMs` (sum of range lengths) and `dayStartMs`.
 *
 * Reads and their row cost: {@link listRanges} one row per UTC day touched; {@link listRecordedDays} one key-only row
 * per recorded day; {@link firstRecordedDay} at most one key-only row (a `$top=1` RowKey range query).
 */
export class TableAvailabilityStore {
  /**
   * @param options.onRowsRead called after each read with the number of rows it received (benchmarks count the row
   *   cost of availability queries with it); never for writes
   */
  constructor(
    private readonly table: TableClient,
    private readonly options: { onRowsRead?: (rows: number) => void } = {},
  ) {}

  /**
   * Merges the segments' spans into their days' ranges. Idempotent: merging a known segment changes nothing. Groups
   * the segments' pieces per camera and day, then read-merge-writes each day row with ETag concurrency.
   * @throws TransientError when storage fails, or concurrent writers keep winning, in a way a retry may fix
   * @throws ValidationError `AvailabilityRollupFull` when a day would hold more ranges than one row can
   */
  async mergeSegments(segments: readonly Pick<SegmentRecord, 'cameraId' | 'startMs' | 'durationMs'>[]): Promise<void> {
    if (segments.length === 0) return;
    await ensureTable(this.table);
    const days = new Map<string, { cameraId: string; dayStartMs: number; pieces: TimeRange[] }>();
    for (const s of segments) {
      for (const { dayStartMs, range } of splitByUtcDay({ startMs: s.startMs, endMs: s.startMs + s.durationMs })) {
        const key = `${s.cameraId}|${dayStartMs}`;
        const day = days.get(key) ?? { cameraId: s.cameraId, dayStartMs, pieces: [] };
        day.pieces.push(range);
        days.set(key, day);
      }
    }
    await Promise.all([...days.values()].map((d) => this.mergeDay(d.cameraId, d.dayStartMs, d.pieces)));
  }

  /**
   * Recomputes one day row after segments were deleted (retention): reads the row's version, calls `currentRanges`
   * (the ranges of the segments still indexed, e.g. from an index scan), clips them to the day and writes them only if
   * the row did not change meanwhile, else repeats; a day left without ranges loses its row. Reading the version
   * before the scan makes a concurrent ingest safe: ingest writes index rows before merging the rollup, so either the
   * scan sees its segment or the conditional write fails and the scan is repeated. Here: ETag read, then
   * `currentRanges`, then a conditional replace, create or delete; 409/412 repeat.
   * @param dayStartMs 00:00:00.000 UTC of the day, epoch ms
   * @throws TransientError when storage fails, or concurrent writers keep winning
   */
  async rewriteDay(cameraId: string, dayStartMs: number, currentRanges: () => Promise<TimeRange[]>): Promise<void> {
    assertId('camera', cameraId);
    const day = utcDay(dayStartMs);
    const what = `availability row ${cameraId}/${day}`;
    for (let attempt = 0; attempt < OPTIMISTIC_UPDATE_ATTEMPTS; attempt++) {
      let current: (Record<string, unknown> & { etag: string }) | undefined;
      try {
        current = await this.table.getEntity<Record<string, unknown>>(cameraId, day);
      } catch (err) {
        if (storageStatus(err) !== 404) rethrowStorageError(err, `read ${what}`);
      }
      const ranges = clipRanges(mergeRanges(await currentRanges()), dayStartMs, dayStartMs + DAY_MS);
      try {
        if (ranges.length === 0) {
          if (current) await this.table.deleteEntity(cameraId, day, { etag: current.etag });
          return;
        }
        if (current && sameRanges(decodeRow(current, dayStartMs), ranges)) return;
        const entity = { ...dayRow(cameraId, dayStartMs, ranges), partitionKey: cameraId, rowKey: day };
        if (current) await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
        else await this.table.createEntity(entity);
        return;
      } catch (err) {
        const status = storageStatus(err);
        if (status === 404 && ranges.length === 0) return; // deleted meanwhile: the goal
        if (status !== 409 && status !== 412 && status !== 404) rethrowStorageError(err, `rewrite ${what}`);
      }
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** attempt)));
    }
    throw new TransientError(`${what} kept changing under concurrent writers; gave up after ${OPTIMISTIC_UPDATE_ATTEMPTS} attempts`);
  }

  private async mergeDay(cameraId: string, dayStartMs: number, pieces: readonly TimeRange[]): Promise<void> {
    const day = utcDay(dayStartMs);
    await optimisticUpdate(this.table, cameraId, day, `availability row ${cameraId}/${day}`, (current) => {
      const known = current ? decodeRow(current, dayStartMs) : [];
      const merged = mergeRanges([...known, ...pieces]);
      if (sameRanges(known, merged)) return undefined;
      return dayRow(cameraId, dayStartMs, merged);
    });
  }

  /**
   * Stored ranges that overlap [startMs, endMs), merged across midnight, sorted. Only the UTC days touching the
   * window are read, so a range that began on an earlier day starts at that first day's midnight here.
   */
  async listRanges(cameraId: string, startMs: number, endMs: number): Promise<TimeRange[]> {
    assertId('camera', cameraId);
    const fromDay = utcDay(startMs);
    const toDay = utcDay(endMs - 1);
    const ranges: TimeRange[] = [];
    let rowsRead = 0;
    try {
      const rows = this.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${cameraId} and RowKey ge ${fromDay} and RowKey le ${toDay}` },
      });
      for await (const row of rows) {
        rowsRead++;
        ranges.push(...decodeRow(row, readNumber(row, 'dayStartMs')));
      }
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, `list availability rows of ${cameraId}`);
    } finally {
      this.options.onRowsRead?.(rowsRead);
    }
    const window = { startMs, endMs };
    return mergeRanges(ranges).filter((r) => overlaps(r, window));
  }

  /**
   * The UTC days touching [startMs, endMs) that hold stored media, as epoch ms of each day's 00:00:00.000 UTC,
   * sorted. Reads one key-only row per recorded day (no ranges are decoded): 31 rows for a recorded month. One RowKey
   * range query selecting RowKey only; rows without ranges are skipped by the filter.
   */
  async listRecordedDays(cameraId: string, startMs: number, endMs: number): Promise<number[]> {
    assertId('camera', cameraId);
    if (endMs <= startMs) return [];
    const days: number[] = [];
    try {
      const rows = this.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: recordedDaysFilter(cameraId, startMs, endMs), select: ['RowKey'] },
      });
      for await (const row of rows) days.push(dayStartOfRowKey(row.rowKey));
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, `list recorded days of ${cameraId}`);
    } finally {
      this.options.onRowsRead?.(days.length);
    }
    return days.sort((a, b) => a - b);
  }

  /**
   * The first UTC day touching [startMs, endMs) that holds stored media (epoch ms of its midnight), or `undefined`.
   * Reads at most one key-only row, whatever the span, so "does this month/year hold media" costs one row: the same
   * query as {@link listRecordedDays} with `$top=1`. Table Storage may answer a page with no rows and a continuation
   * token, so pages are followed until one row or the end.
   */
  async firstRecordedDay(cameraId: string, startMs: number, endMs: number): Promise<number | undefined> {
    assertId('camera', cameraId);
    if (endMs <= startMs) return undefined;
    let found: number | undefined;
    try {
      const pages = this.table
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: recordedDaysFilter(cameraId, startMs, endMs), select: ['RowKey'] } })
        .byPage({ maxPageSize: 1 });
      for await (const page of pages) {
        if (page.length > 0) {
          found = dayStartOfRowKey(page[0].rowKey);
          break;
        }
      }
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `find the first recorded day of ${cameraId}`);
    } finally {
      this.options.onRowsRead?.(found === undefined ? 0 : 1);
    }
    return found;
  }
}

/** Day rows of one camera touching [startMs, endMs) that hold at least one range. */
function recordedDaysFilter(cameraId: string, startMs: number, endMs: number): string {
  return odata`PartitionKey eq ${cameraId} and RowKey ge ${utcDay(startMs)} and RowKey le ${utcDay(endMs - 1)} and rangeCount gt ${0}`;
}

/** Epoch ms of the midnight a `yyyy-MM-dd` RowKey names. @throws TypeError for any other key (a corrupt row) */
function dayStartOfRowKey(rowKey: unknown): number {
  const ms = typeof rowKey === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(rowKey) ? Date.parse(`${rowKey}T00:00:00.000Z`) : NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`availability row key ${JSON.stringify(rowKey)} is not a yyyy-MM-dd day`);
  return ms;
}

/**
 * The properties of one day row (without keys).
 * @throws ValidationError `AvailabilityRollupFull` when the ranges need more chunks than a row holds
 */
function dayRow(cameraId: string, dayStartMs: number, ranges: readonly TimeRange[]): Record<string, unknown> {
  const day = utcDay(dayStartMs);
  let chunks: string[];
  try {
    chunks = encodeDayRanges(ranges, dayStartMs);
  } catch (err) {
    throw new ValidationError(
      `availability of camera '${cameraId}' on ${day} has ${ranges.length} ranges, more than one row holds: ${(err as Error).message}`,
      undefined,
      'AvailabilityRollupFull',
    );
  }
  const row: Record<string, unknown> = {
    cameraId,
    day,
    dayStartMs: double(dayStartMs),
    rangeCount: ranges.length,
    recordedMs: double(ranges.reduce((sum, r) => sum + (r.endMs - r.startMs), 0)),
    chunkCount: chunks.length,
  };
  chunks.forEach((c, i) => (row[`r${i}`] = c));
  return row;
}

function decodeRow(row: Record<string, unknown>, dayStartMs: number): TimeRange[] {
  const count = Math.min(Number(row.chunkCount ?? 0), DAY_RANGES_MAX_CHUNKS);
  const chunks: string[] = [];
  for (let i = 0; i < count; i++) chunks.push(String(row[`r${i}`] ?? ''));
  return decodeDayRanges(chunks, dayStartMs);
}

function sameRanges(a: readonly TimeRange[], b: readonly TimeRange[]): boolean {
  return a.length === b.length && a.every((r, i) => r.startMs === b[i].startMs && r.endMs === b[i].endMs);
}
