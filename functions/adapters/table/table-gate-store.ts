import type { TableClient } from '@azure/data-tables';
import { PreconditionFailedError } from '../../../shared/errors';
import type { EvrMemory, OutboxEntry } from '../../../shared/evr/recording-plan';
import { assertId } from '../../../shared/ids';
import { parseSignalGateState } from '../../../shared/evr/signal-gate-state';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/**
 * One camera's EVR gate row: the device that owns the camera, the signal gate's state with what the cloud remembers
 * beside it (pending signal infos, the open recording), and the OUTBOX of decisions whose effects (recordings row,
 * upload-window command, lifecycle events) are not yet known to be applied.
 */
export interface GateRow {
  cameraId: string;
  /** The device of the camera's latest device event (commands go to it). */
  deviceId: string;
  memory: EvrMemory;
  outbox: OutboxEntry[];
  /** When the row last changed, epoch ms UTC. */
  updatedAtMs: number;
  /** Opaque version for If-Match. */
  etag: string;
}

/** RowKey of the one gate row per camera (PartitionKey is the camera id). */
const GATE_ROW_KEY = 'gate';

/**
 * Per-camera EVR gate rows with ETag concurrency, on Table Storage (`{prefix}Gates`): PartitionKey `{cameraId}`, RowKey
 * `gate`; properties `deviceId`, `state` (JSON of the signal gate state, shared/evr/signal-gate-state.ts),
 * `pendingSignals` and `open` (JSON, shared/evr/recording-plan.ts `EvrMemory`), `outbox` (JSON array of `OutboxEntry`),
 * `updatedAtMs` (Edm.Double), `updatedAt` (ISO). Each JSON property stays well below Table's 64 KiB per property: the
 * gate keeps ≤ 64 recent ids, pending signals are bounded by the signal rate times the evaluation window, an outbox
 * holds one step's decisions.
 */
export class TableGateStore {
  constructor(private readonly table: TableClient) {}

  /** @returns undefined when the camera has no gate row */
  async get(cameraId: string): Promise<GateRow | undefined> {
    assertId('camera', cameraId);
    let row: Record<string, unknown> & { etag: string };
    try {
      row = await this.table.getEntity<Record<string, unknown>>(cameraId, GATE_ROW_KEY);
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read gate row of ${cameraId}`);
    }
    const memory: EvrMemory = {
      state: parseSignalGateState(JSON.parse(String(row.state)), `gate state of camera '${cameraId}'`),
      pendingSignals: JSON.parse(String(row.pendingSignals ?? '[]')),
      open: JSON.parse(String(row.open ?? 'null')),
    };
    return {
      cameraId,
      deviceId: String(row.deviceId),
      memory,
      outbox: JSON.parse(String(row.outbox ?? '[]')) as OutboxEntry[],
      updatedAtMs: readNumber(row, 'updatedAtMs'),
      etag: row.etag,
    };
  }

  /**
   * Creates (`ifMatch` undefined: only if absent) or replaces (`ifMatch` = the ETag read) the row.
   * @returns the new ETag
   * @throws PreconditionFailedError when the row was created or changed meanwhile (read again and re-apply)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async put(row: Omit<GateRow, 'etag'>, ifMatch: string | undefined): Promise<string> {
    assertId('camera', row.cameraId);
    await ensureTable(this.table);
    const entity = {
      partitionKey: row.cameraId,
      rowKey: GATE_ROW_KEY,
      deviceId: row.deviceId,
      state: JSON.stringify(row.memory.state),
      pendingSignals: JSON.stringify(row.memory.pendingSignals),
      open: JSON.stringify(row.memory.open),
      outbox: JSON.stringify(row.outbox),
      updatedAtMs: double(row.updatedAtMs),
      updatedAt: toIso(row.updatedAtMs),
    };
    try {
      const res = ifMatch === undefined ? await this.table.createEntity(entity) : await this.table.updateEntity(entity, 'Replace', { etag: ifMatch });
      return String(res.etag);
    } catch (err) {
      const status = storageStatus(err);
      if (status === 409 || status === 412) throw new PreconditionFailedError(`gate row of camera '${row.cameraId}' changed meanwhile`);
      rethrowStorageError(err, `write gate row of ${row.cameraId}`);
    }
  }
}
