import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { segmentBlobNamer } from '../../../shared/contracts/blob-naming';
import { segmentPartitionKey, segmentRowKey, segmentScanPlan } from '../../../shared/index-keys';
import type { SegmentIndex, SegmentSize, SegmentSpan } from '../../../shared/ports/segment-index';
import type { SegmentRecord } from '../../../shared/contracts/device-events';
import { HOUR_MS, toIso } from '../../../shared/time';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { ensureTable } from '../storage/storage-clients';
import { double, readNumber } from './table-values';

/** Entity group transactions take at most 100 operations, all in one partition (Azure Storage REST docs, "Performing entity group transactions"). */
const MAX_TRANSACTION_OPS = 100;

/**
 * The longest segment the index can hold: `segment.uploaded` data caps durationMs at 1 h
 * (shared/contracts/device-events.ts), so a range scan looks back this far for a segment reaching into the range.
 */
export const MAX_SEGMENT_MS = HOUR_MS;

/** Row-key span of one listing query; a day splits into 12 parallel queries of ≤ 2 h (≤ 720 rows at PT10S, one page). */
export const SCAN_SLICE_MS = 2 * HOUR_MS;

/**
 * Segment index on Table Storage. Row per segment: PartitionKey `{cameraId}_{yyyy-MM-dd}` (UTC day of the start),
 * RowKey 13-digit epoch ms of the start (shared/index-keys.ts); properties `cameraId`, `deviceId`, `start` (ISO, for
 * people), `startMs`, `durationMs`, `bytes` (Edm.Double, see table-values.ts), `blobName`, `sha256`, `eventId`.
 */
export class TableSegmentIndex implements SegmentIndex {
  constructor(private readonly table: TableClient) {}

  /**
   * Upserts (Replace) rows in transactions of ≤ 100 per partition; partitions in parallel. Two records for one
   * segment in the same call keep the one with the smaller eventId, so the result does not depend on order.
   * @throws TransientError on retriable storage failures
   */
  async upsertSegments(segments: readonly SegmentRecord[]): Promise<void> {
    if (segments.length === 0) return;
    await ensureTable(this.table);
    const byKey = new Map<string, SegmentRecord>();
    for (const s of segments) {
      const key = `${segmentPartitionKey(s.cameraId, s.startMs)}/${segmentRowKey(s.startMs)}`;
      const seen = byKey.get(key);
      if (!seen || s.eventId < seen.eventId) byKey.set(key, s);
    }
    const byPartition = new Map<string, TransactionAction[]>();
    for (const s of byKey.values()) {
      const partitionKey = segmentPartitionKey(s.cameraId, s.startMs);
      const entity = {
        partitionKey,
        rowKey: segmentRowKey(s.startMs),
        cameraId: s.cameraId,
        deviceId: s.deviceId,
        start: toIso(s.startMs),
        startMs: double(s.startMs),
        durationMs: double(s.durationMs),
        bytes: double(s.bytes),
        blobName: s.blobName,
        sha256: s.sha256,
        eventId: s.eventId,
      };
      const actions = byPartition.get(partitionKey) ?? [];
      actions.push(['upsert', entity, 'Replace']);
      byPartition.set(partitionKey, actions);
    }
    await Promise.all(
      [...byPartition].map(async ([partitionKey, actions]) => {
        for (let i = 0; i < actions.length; i += MAX_TRANSACTION_OPS) {
          try {
            await this.table.submitTransaction(actions.slice(i, i + MAX_TRANSACTION_OPS));
          } catch (err) {
            rethrowStorageError(err, `upsert segment rows of ${partitionKey}`);
          }
        }
      }),
    );
  }

  /**
   * One query per UTC day partition (shared/index-keys.ts `segmentScanPlan`), each cut into slices of at most
   * {@link SCAN_SLICE_MS} of row keys, all in parallel: a 24 h range becomes ~12 concurrent one-page queries instead
   * of 9 sequential pages. See the port.
   */
  async listSegmentSpans(cameraId: string, startMs: number, endMs: number, onPage?: (spans: readonly SegmentSpan[]) => void): Promise<SegmentSpan[]> {
    const blobName = segmentBlobNamer(cameraId);
    const slices: Array<{ partitionKey: string; fromRowKey: string; toRowKey: string }> = [];
    for (const p of segmentScanPlan(cameraId, startMs, endMs, MAX_SEGMENT_MS)) {
      const to = Number(p.toRowKey);
      for (let from = Number(p.fromRowKey); from < to; from += SCAN_SLICE_MS) {
        slices.push({ partitionKey: p.partitionKey, fromRowKey: segmentRowKey(from), toRowKey: segmentRowKey(Math.min(to, from + SCAN_SLICE_MS)) });
      }
    }
    const perSlice = await Promise.all(
      slices.map(async (p) => {
        const spans: SegmentSpan[] = [];
        try {
          const pages = this.table
            .listEntities<Record<string, unknown>>({
              queryOptions: {
                filter: odata`PartitionKey eq ${p.partitionKey} and RowKey ge ${p.fromRowKey} and RowKey lt ${p.toRowKey}`,
                // blobName is a pure function of camera and start (validated at ingest), so it is not read back.
                select: ['RowKey', 'durationMs', 'bytes'],
              },
            })
            .byPage({ maxPageSize: 1000 });
          for await (const page of pages) {
            const pageSpans: SegmentSpan[] = [];
            for (const e of page) {
              const spanStartMs = Number(e.rowKey);
              const span: SegmentSpan = { startMs: spanStartMs, durationMs: readNumber(e, 'durationMs'), blobName: blobName(spanStartMs) };
              if (e.bytes !== undefined) span.bytes = readNumber(e, 'bytes');
              if (span.startMs + span.durationMs > startMs) pageSpans.push(span);
            }
            onPage?.(pageSpans);
            spans.push(...pageSpans);
          }
        } catch (err) {
          if (storageStatus(err) === 404) return spans; // table not created yet: no segments
          rethrowStorageError(err, `list segment rows of ${p.partitionKey}`);
        }
        return spans;
      }),
    );
    return perSlice.flat();
  }

  /**
   * One query per UTC day partition of the range (plus the look-back for a segment reaching into it), read in
   * parallel with `RowKey`, `durationMs` and `bytes` only. See the port.
   */
  async listSegmentSizes(cameraId: string, startMs: number, endMs: number): Promise<SegmentSize[]> {
    const blobName = segmentBlobNamer(cameraId);
    const perDay = await Promise.all(
      segmentScanPlan(cameraId, startMs, endMs, MAX_SEGMENT_MS).map(async (p) => {
        const out: SegmentSize[] = [];
        try {
          const rows = this.table.listEntities<Record<string, unknown>>({
            queryOptions: {
              filter: odata`PartitionKey eq ${p.partitionKey} and RowKey ge ${p.fromRowKey} and RowKey lt ${p.toRowKey}`,
              select: ['RowKey', 'durationMs', 'bytes'],
            },
          });
          for await (const e of rows) {
            const spanStartMs = Number(e.rowKey);
            const durationMs = readNumber(e, 'durationMs');
            if (spanStartMs + durationMs > startMs) out.push({ startMs: spanStartMs, durationMs, bytes: readNumber(e, 'bytes'), blobName: blobName(spanStartMs) });
          }
        } catch (err) {
          if (storageStatus(err) === 404) return out;
          rethrowStorageError(err, `list segment rows of ${p.partitionKey}`);
        }
        return out;
      }),
    );
    return perDay.flat().sort((a, b) => a.startMs - b.startMs);
  }

  /** One query per UTC day partition of the range, without look-back, every property read. See the port. */
  async listSegmentRecords(cameraId: string, startMs: number, endMs: number): Promise<SegmentRecord[]> {
    const perDay = await Promise.all(
      segmentScanPlan(cameraId, startMs, endMs, 0).map(async (p) => {
        const out: SegmentRecord[] = [];
        try {
          const rows = this.table.listEntities<Record<string, unknown>>({
            queryOptions: { filter: odata`PartitionKey eq ${p.partitionKey} and RowKey ge ${p.fromRowKey} and RowKey lt ${p.toRowKey}` },
          });
          for await (const e of rows) {
            out.push({
              cameraId: String(e.cameraId),
              deviceId: String(e.deviceId),
              startMs: Number(e.rowKey),
              durationMs: readNumber(e, 'durationMs'),
              bytes: readNumber(e, 'bytes'),
              blobName: String(e.blobName),
              sha256: String(e.sha256),
              eventId: String(e.eventId),
            });
          }
        } catch (err) {
          if (storageStatus(err) === 404) return out;
          rethrowStorageError(err, `list segment rows of ${p.partitionKey}`);
        }
        return out;
      }),
    );
    return perDay.flat().sort((a, b) => a.startMs - b.startMs);
  }

  /**
   * One query over the day partitions of the range (`PartitionKey` range: `{cameraId}_` and the fixed-length day sort
   * chronologically; no other camera's key has that prefix, `_` being no id character), `RowKey` only, pages of
   * 1,000 (or `maxRows` when fewer) until `maxRows` are read. See the port.
   */
  async listSegmentStarts(cameraId: string, startMs: number, endMs: number, maxRows: number): Promise<{ startsMs: number[]; complete: boolean }> {
    const startsMs: number[] = [];
    if (endMs <= startMs) return { startsMs, complete: true };
    const fromPk = segmentPartitionKey(cameraId, startMs);
    const toPk = segmentPartitionKey(cameraId, endMs - 1);
    const fromRk = segmentRowKey(startMs);
    try {
      const pages = this.table
        .listEntities<Record<string, unknown>>({
          queryOptions: {
            filter: odata`PartitionKey ge ${fromPk} and PartitionKey le ${toPk} and (PartitionKey gt ${fromPk} or RowKey ge ${fromRk})`,
            select: ['RowKey'],
          },
        })
        .byPage({ maxPageSize: Math.max(1, Math.min(1000, maxRows)) });
      for await (const page of pages) {
        for (const e of page) {
          const s = Number(e.rowKey);
          if (s >= startMs && s < endMs) startsMs.push(s);
        }
        if (startsMs.length >= maxRows) return { startsMs, complete: false };
      }
    } catch (err) {
      if (storageStatus(err) !== 404) rethrowStorageError(err, `list segment starts of ${cameraId}`);
    }
    return { startsMs, complete: true };
  }

  /**
   * Deletes in transactions of ≤ 100 rows per day partition, partitions in parallel. A transaction fails whole when
   * one of its rows is already gone (404, e.g. deleted by a pass that crashed); that chunk is then deleted row by row,
   * ignoring 404s. See the port.
   */
  async deleteSegments(cameraId: string, startsMs: readonly number[]): Promise<number> {
    const byPartition = new Map<string, string[]>();
    for (const startMs of new Set(startsMs)) {
      const pk = segmentPartitionKey(cameraId, startMs);
      const rows = byPartition.get(pk) ?? [];
      rows.push(segmentRowKey(startMs));
      byPartition.set(pk, rows);
    }
    const counts = await Promise.all(
      [...byPartition].map(async ([partitionKey, rowKeys]) => {
        let deleted = 0;
        for (let i = 0; i < rowKeys.length; i += MAX_TRANSACTION_OPS) {
          const chunk = rowKeys.slice(i, i + MAX_TRANSACTION_OPS);
          try {
            await this.table.submitTransaction(chunk.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]));
            deleted += chunk.length;
            continue;
          } catch (err) {
            const status = storageStatus(err);
            if (status !== 404) rethrowStorageError(err, `delete segment rows of ${partitionKey}`);
          }
          for (const rowKey of chunk) {
            try {
              await this.table.deleteEntity(partitionKey, rowKey);
              deleted++;
            } catch (err) {
              if (storageStatus(err) !== 404) rethrowStorageError(err, `delete segment row ${partitionKey}/${rowKey}`);
            }
          }
        }
        return deleted;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
}
