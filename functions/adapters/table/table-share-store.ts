import { odata, type TableClient } from '@azure/data-tables';
import { assertId } from '../../../shared/ids';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

/**
 * One share link of a camera's range (docs/security.md "Share links"). Times epoch ms UTC; the range is half-open.
 * The link's secret is not stored: it is the HMAC of the share's fields with the playback key
 * (functions/playback/playback-token.ts), so a copy of the table opens nothing.
 */
export interface Share {
  /** 22 base64url characters (128 random bits). */
  id: string;
  cameraId: string;
  startMs: number;
  endMs: number;
  createdAtMs: number;
  expiresMs: number;
  /** Who made it: a token's `sub`, or `admin key`. */
  createdBy: string;
  label?: string;
  /** Set once by a revocation; a revoked share never opens again. */
  revokedAtMs?: number;
}

/**
 * Share links on Table Storage (`{prefix}Shares`): PartitionKey `{cameraId}`, RowKey the share id; properties
 * `startMs`, `endMs`, `createdAtMs`, `expiresMs`, `revokedAtMs` (Edm.Double), `start`, `end`, `createdAt`, `expiresAt`,
 * `revokedAt` (ISO, for people), `createdBy`, `label` (optional). Every use of a link reads its row, so a revocation
 * takes effect at once.
 */
export class TableShareStore {
  constructor(private readonly table: TableClient) {}

  /**
   * Creates the row; ids are random, so an existing row is a storage error, never overwritten.
   * @throws TransientError when storage is unavailable
   */
  async create(share: Share): Promise<void> {
    assertId('camera', share.cameraId);
    await ensureTable(this.table);
    const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: share.cameraId,
      rowKey: share.id,
      startMs: double(share.startMs),
      endMs: double(share.endMs),
      createdAtMs: double(share.createdAtMs),
      expiresMs: double(share.expiresMs),
      start: toIso(share.startMs),
      end: toIso(share.endMs),
      createdAt: toIso(share.createdAtMs),
      expiresAt: toIso(share.expiresMs),
      createdBy: share.createdBy,
    };
    if (share.label !== undefined) entity.label = share.label;
    try {
      await this.table.createEntity(entity);
    } catch (err) {
      rethrowStorageError(err, `create share ${share.cameraId}/${share.id}`);
    }
  }

  /**
   * The share `shareId` of `cameraId`, or undefined when there is none.
   * @throws TransientError when storage is unavailable
   */
  async get(cameraId: string, shareId: string): Promise<Share | undefined> {
    assertId('camera', cameraId);
    try {
      return fromRow(cameraId, await this.table.getEntity<Record<string, unknown>>(cameraId, shareId));
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read share ${cameraId}/${shareId}`);
    }
  }

  /** Every share of `cameraId` (revoked and expired ones too), newest first. */
  async list(cameraId: string): Promise<Share[]> {
    assertId('camera', cameraId);
    const out: Share[] = [];
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${cameraId}` } })) out.push(fromRow(cameraId, row));
    } catch (err) {
      if (storageStatus(err) === 404) return [];
      rethrowStorageError(err, `list shares of ${cameraId}`);
    }
    return out.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Marks the share revoked at `atMs` (merge; a share already revoked keeps its first time).
   * @returns the share as it now is, or undefined when there is none
   */
  async revoke(cameraId: string, shareId: string, atMs: number): Promise<Share | undefined> {
    const share = await this.get(cameraId, shareId);
    if (!share || share.revokedAtMs !== undefined) return share;
    try {
      await this.table.updateEntity({ partitionKey: cameraId, rowKey: shareId, revokedAtMs: double(atMs), revokedAt: toIso(atMs) }, 'Merge');
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `revoke share ${cameraId}/${shareId}`);
    }
    return { ...share, revokedAtMs: atMs };
  }
}

function fromRow(cameraId: string, row: Record<string, unknown>): Share {
  const share: Share = {
    id: String(row.rowKey),
    cameraId,
    startMs: readNumber(row, 'startMs'),
    endMs: readNumber(row, 'endMs'),
    createdAtMs: readNumber(row, 'createdAtMs'),
    expiresMs: readNumber(row, 'expiresMs'),
    createdBy: typeof row.createdBy === 'string' ? row.createdBy : '',
  };
  if (typeof row.label === 'string') share.label = row.label;
  if (row.revokedAtMs !== undefined) share.revokedAtMs = readNumber(row, 'revokedAtMs');
  return share;
}
