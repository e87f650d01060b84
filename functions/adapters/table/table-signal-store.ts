import { createHash } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { ValidationError } from '../../../shared/errors';
import { assertId } from '../../../shared/ids';
import type { SignalBox, SignalOrigin, SignalRecord } from '../../../shared/contracts/signals';
import type { SignalPage, SignalStore } from '../../../shared/ports/signal-store';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { submitInChunks } from './table-transactions';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Table Storage's limit of operations in one entity group transaction. */
const ROW_KEY = /^\d{13}-[0-9a-f]{16}$/;

/**
 * Signals on Table Storage (`{prefix}Signals`): PartitionKey `{cameraId}`, RowKey `{13-digit atMs}-{first 16 hex of
 * sha256(signal id)}` (rows sort by media time, a range is one key-range query, a redelivered signal is the same row);
 * properties `id`, `type`, `origin`, `deviceId`, `label`, `confidence`, `atMs`, `endMs` (Edm.Double), `time`, `end`
 * (ISO, for people), `boxes` and `properties` (JSON).
 */
export class TableSignalStore implements SignalStore {
  constructor(private readonly table: TableClient) {}

  async upsert(signals: readonly SignalRecord[]): Promise<void> {
    if (!signals.length) return;
    await ensureTable(this.table);
    const byCamera = new Map<string, Row[]>();
    for (const s of signals) {
      assertId('camera', s.cameraId);
      const rows = byCamera.get(s.cameraId) ?? [];
      if (!rows.some((r) => r.rowKey === rowKeyOf(s))) rows.push(toEntity(s));
      byCamera.set(s.cameraId, rows);
    }
    for (const [cameraId, rows] of byCamera) {
      await submitInChunks(this.table, rows.map((e): TransactionAction => ['upsert', e, 'Replace']), `write signals of ${cameraId}`);
    }
  }

  async list(cameraId: string, range: { startMs: number; endMs: number }, limit: number, after?: string): Promise<SignalPage> {
    assertId('camera', cameraId);
    if (after !== undefined && !ROW_KEY.test(after)) throw new ValidationError(`after ${JSON.stringify(after)} is not a continuation this API returned`, [{ path: 'after', message: 'unknown continuation' }], 'InvalidContinuation');
    const from = pad(Math.max(0, range.startMs));
    const to = pad(Math.max(0, range.endMs));
    const filter = after !== undefined && after >= from
      ? odata`PartitionKey eq ${cameraId} and RowKey gt ${after} and RowKey lt ${to}`
      : odata`PartitionKey eq ${cameraId} and RowKey ge ${from} and RowKey lt ${to}`;
    const signals: SignalRecord[] = [];
    let lastKey = '';
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        if (signals.length === limit) return { signals, continuation: lastKey };
        signals.push(fromEntity(row as Row));
        lastKey = String(row.rowKey);
      }
    } catch (err) {
      if (storageStatus(err) === 404) return { signals: [] };
      rethrowStorageError(err, `list signals of ${cameraId}`);
    }
    return { signals };
  }

  async removeBefore(cameraId: string, beforeMs: number): Promise<number> {
    return this.removeRange(cameraId, { startMs: 0, endMs: beforeMs });
  }

  async removeRange(cameraId: string, range: { startMs: number; endMs: number }): Promise<number> {
    assertId('camera', cameraId);
    const keys: string[] = [];
    try {
      const filter = odata`PartitionKey eq ${cameraId} and RowKey ge ${pad(Math.max(0, range.startMs))} and RowKey lt ${pad(Math.max(0, range.endMs))}`;
      for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey'] } })) keys.push(String(row.rowKey));
    } catch (err) {
      if (storageStatus(err) === 404) return 0;
      rethrowStorageError(err, `list old signals of ${cameraId}`);
    }
    let deleted = 0;
    for (const rowKey of keys) {
      try {
        await this.table.deleteEntity(cameraId, rowKey);
        deleted++;
      } catch (err) {
        if (storageStatus(err) !== 404) rethrowStorageError(err, `delete signal ${cameraId}/${rowKey}`);
      }
    }
    return deleted;
  }
}

function pad(ms: number): string {
  return String(Math.floor(ms)).padStart(13, '0');
}

function rowKeyOf(s: SignalRecord): string {
  return `${pad(s.atMs)}-${createHash('sha256').update(s.id).digest('hex').slice(0, 16)}`;
}

function toEntity(s: SignalRecord): Row {
  const e: Row = { partitionKey: s.cameraId, rowKey: rowKeyOf(s), id: s.id, type: s.type, origin: s.origin, atMs: double(s.atMs), time: toIso(s.atMs) };
  if (s.deviceId !== undefined) e.deviceId = s.deviceId;
  if (s.endMs !== undefined) {
    e.endMs = double(s.endMs);
    e.end = toIso(s.endMs);
  }
  if (s.label !== undefined) e.label = s.label;
  if (s.confidence !== undefined) e.confidence = double(s.confidence);
  if (s.boxes?.length) e.boxes = JSON.stringify(s.boxes);
  if (s.properties !== undefined) e.properties = JSON.stringify(s.properties);
  return e;
}

function fromEntity(row: Row): SignalRecord {
  const s: SignalRecord = { id: String(row.id), cameraId: String(row.partitionKey), type: String(row.type), atMs: readNumber(row, 'atMs'), origin: String(row.origin) as SignalOrigin };
  if (typeof row.deviceId === 'string') s.deviceId = row.deviceId;
  if (row.endMs !== undefined) s.endMs = readNumber(row, 'endMs');
  if (typeof row.label === 'string') s.label = row.label;
  if (row.confidence !== undefined) s.confidence = readNumber(row, 'confidence');
  if (typeof row.boxes === 'string') s.boxes = JSON.parse(row.boxes) as SignalBox[];
  if (typeof row.properties === 'string') s.properties = JSON.parse(row.properties) as Record<string, unknown>;
  return s;
}
