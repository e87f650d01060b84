import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import type { RecordingRecord, RecordingSignal, RecordingStore } from '../../../shared/ports/recording-store';
import { UPLOAD_WINDOW_MAX_MS } from '../../../shared/contracts/upload-window';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string; etag?: string };

/** How many times a conditional write is retried after losing a race. */
const MAX_ATTEMPTS = 5;
/** Table Storage's limit of operations in one entity group transaction. */
const MAX_TRANSACTION_OPS = 100;

/**
 * Recordings on Table Storage (`{prefix}Recordings`): PartitionKey `{cameraId}`, RowKey the recording's API id
 * (`{13-digit startMs}-{12 hex}`, so rows sort by start and a range is one key-range query); properties `deviceId`,
 * `gateRecordingId`, `state`, `startMs`, `endMs`, `sequence`, `signalCount`, `createdAtMs`, `updatedAtMs`,
 * `availableAtMs` (Edm.Double), `start`, `end` (ISO, for people), `signals` (JSON of ≤ 16 signals).
 * Writes are read-compare-write with ETags: a lower `sequence` never replaces a higher one.
 */
export class TableRecordingStore implements RecordingStore {
  constructor(private readonly table: TableClient) {}

  async upsert(records: readonly RecordingRecord[]): Promise<void> {
    if (!records.length) return;
    await ensureTable(this.table);
    for (const r of records) await this.upsertOne(r);
  }

  private async upsertOne(r: RecordingRecord): Promise<void> {
    assertId('camera', r.cameraId);
    for (let attempt = 1; ; attempt++) {
      const existing = await this.read(r.cameraId, r.id);
      if (existing && existing.record.sequence > r.sequence) return;
      const next: RecordingRecord = { ...r, createdAtMs: existing?.record.createdAtMs ?? r.createdAtMs };
      const availableAtMs = existing?.record.availableAtMs ?? r.availableAtMs;
      if (availableAtMs !== undefined) next.availableAtMs = availableAtMs;
      else delete next.availableAtMs;
      const entity = toEntity(next);
      try {
        if (existing) await this.table.updateEntity(entity, 'Replace', { etag: existing.etag });
        else await this.table.createEntity(entity);
        return;
      } catch (err) {
        const status = storageStatus(err);
        if ((status === 412 || status === 409) && attempt < MAX_ATTEMPTS) continue;
        rethrowStorageError(err, `write recording ${r.cameraId}/${r.id}`);
      }
    }
  }

  async get(cameraId: string, id: string): Promise<RecordingRecord | undefined> {
    assertId('camera', cameraId);
    return (await this.read(cameraId, id))?.record;
  }

  async list(cameraId: string, range: { startMs: number; endMs: number }): Promise<RecordingRecord[]> {
    assertId('camera', cameraId);
    // A window lasts at most UPLOAD_WINDOW_MAX_MS, so one starting earlier than that before the range cannot reach it.
    const from = pad(Math.max(0, range.startMs - UPLOAD_WINDOW_MAX_MS));
    const to = pad(Math.max(0, range.endMs));
    const out: RecordingRecord[] = [];
    try {
      const filter = odata`PartitionKey eq ${cameraId} and RowKey ge ${from} and RowKey lt ${to}`;
      for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        const rec = fromEntity(row as Row);
        if (rec.endMs > range.startMs && rec.startMs < range.endMs) out.push(rec);
      }
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, `list recordings of ${cameraId}`);
    }
    return out.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1));
  }

  async markAvailable(cameraId: string, id: string, atMs: number): Promise<boolean> {
    assertId('camera', cameraId);
    for (let attempt = 1; ; attempt++) {
      const existing = await this.read(cameraId, id);
      if (!existing || existing.record.availableAtMs !== undefined) return false;
      try {
        await this.table.updateEntity({ partitionKey: cameraId, rowKey: id, availableAtMs: double(atMs) }, 'Merge', { etag: existing.etag });
        return true;
      } catch (err) {
        if (storageStatus(err) === 412 && attempt < MAX_ATTEMPTS) continue;
        rethrowStorageError(err, `mark recording ${cameraId}/${id} available`);
      }
    }
  }

  /**
   * Deletes in ≤ 100-row transactions (one partition per camera); a transaction that fails with 404 because one row is
   * already gone is redone row by row, each 404 counting as gone.
   */
  async remove(cameraId: string, ids: readonly string[]): Promise<number> {
    assertId('camera', cameraId);
    const rowKeys = [...new Set(ids)];
    let deleted = 0;
    for (let i = 0; i < rowKeys.length; i += MAX_TRANSACTION_OPS) {
      const chunk = rowKeys.slice(i, i + MAX_TRANSACTION_OPS);
      try {
        await this.table.submitTransaction(chunk.map((rowKey): TransactionAction => ['delete', { partitionKey: cameraId, rowKey }]));
        deleted += chunk.length;
        continue;
      } catch (err) {
        if (storageStatus(err) !== 404) rethrowStorageError(err, `delete recording rows of ${cameraId}`);
      }
      for (const rowKey of chunk) {
        try {
          await this.table.deleteEntity(cameraId, rowKey);
          deleted++;
        } catch (err) {
          if (storageStatus(err) !== 404) rethrowStorageError(err, `delete recording ${cameraId}/${rowKey}`);
        }
      }
    }
    return deleted;
  }

  private async read(cameraId: string, id: string): Promise<{ record: RecordingRecord; etag: string } | undefined> {
    try {
      const row = (await this.table.getEntity<Record<string, unknown>>(cameraId, id)) as Row;
      return { record: fromEntity(row), etag: String(row.etag) };
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read recording ${cameraId}/${id}`);
    }
  }
}

function pad(ms: number): string {
  return String(Math.floor(ms)).padStart(13, '0');
}

function toEntity(r: RecordingRecord): Row {
  const e: Row = {
    partitionKey: r.cameraId,
    rowKey: r.id,
    deviceId: r.deviceId,
    gateRecordingId: r.gateRecordingId,
    state: r.state,
    startMs: double(r.startMs),
    endMs: double(r.endMs),
    start: toIso(r.startMs),
    end: toIso(r.endMs),
    sequence: double(r.sequence),
    signalCount: double(r.signalCount),
    signals: JSON.stringify(r.signals),
    createdAtMs: double(r.createdAtMs),
    updatedAtMs: double(r.updatedAtMs),
  };
  if (r.availableAtMs !== undefined) e.availableAtMs = double(r.availableAtMs);
  return e;
}

function fromEntity(row: Row): RecordingRecord {
  let signals: RecordingSignal[] = [];
  try {
    const parsed = JSON.parse(String(row.signals ?? '[]')) as unknown;
    if (Array.isArray(parsed)) signals = parsed as RecordingSignal[];
  } catch {
    signals = [];
  }
  const rec: RecordingRecord = {
    id: String(row.rowKey),
    cameraId: String(row.partitionKey),
    deviceId: String(row.deviceId ?? ''),
    gateRecordingId: String(row.gateRecordingId ?? ''),
    startMs: readNumber(row, 'startMs'),
    endMs: readNumber(row, 'endMs'),
    state: row.state === 'complete' ? 'complete' : 'recording',
    sequence: readNumber(row, 'sequence'),
    signals,
    signalCount: readNumber(row, 'signalCount'),
    createdAtMs: readNumber(row, 'createdAtMs'),
    updatedAtMs: readNumber(row, 'updatedAtMs'),
  };
  if (row.availableAtMs !== undefined && row.availableAtMs !== null) rec.availableAtMs = readNumber(row, 'availableAtMs');
  return rec;
}
