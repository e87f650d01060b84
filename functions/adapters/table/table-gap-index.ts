import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { GAP_CAUSES, MAX_GAP_MS, type GapCause, type GapRecord } from '../../../shared/contracts/device-events';
import { segmentRowKey } from '../../../shared/index-keys';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

const MAX_TRANSACTION_OPS = 100;

/** One gap as playback and availability see it (epoch ms UTC, [startMs, endMs)). */
export type GapSpan = Pick<GapRecord, 'startMs' | 'endMs' | 'cause'>;

/**
 * The gap index (docs/contracts.md "Index"): one row per reported gap of a camera's timeline, with its cause.
 *
 * On Table Storage: PartitionKey `{cameraId}`, RowKey the 13-digit epoch ms of the start (as segment rows);
 * properties `cameraId`, `deviceId`, `start`, `end` (ISO), `startMs`, `endMs` (Edm.Double), `cause`, `eventId`.
 * One partition per camera: gaps are rare (a few a day), and a gap may last days, so a range query reads the
 * camera's gaps that start before the range's end and after its start minus the longest gap (366 days).
 */
export class TableGapIndex {
  constructor(private readonly table: TableClient) {}

  /**
   * Writes one row per gap, keyed by camera + start. Idempotent: the same records give the same rows, in any order
   * and any number of times (of two gaps with one start, the longer is kept). Upserts (Replace) in ≤ 100-row
   * transactions per camera.
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async upsertGaps(gaps: readonly GapRecord[]): Promise<void> {
    if (gaps.length === 0) return;
    await ensureTable(this.table);
    const byKey = new Map<string, GapRecord>();
    for (const g of gaps) {
      const key = `${g.cameraId}/${g.startMs}`;
      const seen = byKey.get(key);
      if (!seen || g.endMs > seen.endMs || (g.endMs === seen.endMs && g.eventId < seen.eventId)) byKey.set(key, g);
    }
    const byCamera = new Map<string, TransactionAction[]>();
    for (const g of byKey.values()) {
      const actions = byCamera.get(g.cameraId) ?? [];
      actions.push([
        'upsert',
        {
          partitionKey: g.cameraId,
          rowKey: segmentRowKey(g.startMs),
          cameraId: g.cameraId,
          deviceId: g.deviceId,
          start: toIso(g.startMs),
          end: toIso(g.endMs),
          startMs: double(g.startMs),
          endMs: double(g.endMs),
          cause: g.cause,
          eventId: g.eventId,
        },
        'Replace',
      ]);
      byCamera.set(g.cameraId, actions);
    }
    await Promise.all(
      [...byCamera].map(async ([cameraId, actions]) => {
        for (let i = 0; i < actions.length; i += MAX_TRANSACTION_OPS) {
          try {
            await this.table.submitTransaction(actions.slice(i, i + MAX_TRANSACTION_OPS));
          } catch (err) {
            rethrowStorageError(err, `upsert gap rows of ${cameraId}`);
          }
        }
      }),
    );
  }

  /** Gaps of one camera that overlap [startMs, endMs), sorted by start. */
  async listGaps(cameraId: string, startMs: number, endMs: number): Promise<GapSpan[]> {
    await ensureTable(this.table);
    const from = segmentRowKey(Math.max(0, startMs - MAX_GAP_MS));
    const to = segmentRowKey(endMs);
    const out: GapSpan[] = [];
    try {
      const rows = this.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${cameraId} and RowKey ge ${from} and RowKey lt ${to} and endMs gt ${startMs}`, select: ['startMs', 'endMs', 'cause'] },
      });
      for await (const e of rows) {
        const cause = String(e.cause) as GapCause;
        if (!GAP_CAUSES.includes(cause)) continue;
        out.push({ startMs: readNumber(e, 'startMs'), endMs: readNumber(e, 'endMs'), cause });
      }
    } catch (err) {
      rethrowStorageError(err, `list gaps of ${cameraId}`);
    }
    return out.sort((a, b) => a.startMs - b.startMs);
  }
}
