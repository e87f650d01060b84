import { createHash } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { toIso, utcDay } from '../../../shared/time';
import { truncateUtf8 } from '../../../shared/truncate-utf8';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError } from '../storage/storage-errors';
import { double } from './table-values';

/** One device event that could not be accepted, with the reason and where it came from. */
export interface DeadLetter {
  /** Stable reason code, e.g. `InvalidJson`, `DeviceMismatch`, `InvalidBlobName` (the ValidationError code). */
  reasonCode: string;
  /** Human-readable reason naming the offending value. */
  reasonMessage: string;
  /** The raw message as received: UTF-8 text, or base64 when it was not UTF-8 (see `payloadEncoding`). */
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
  /** Event Hubs metadata of the message, when the host supplied it. */
  enqueuedTimeUtc?: string;
  sequenceNumber?: string;
  offset?: string;
  partitionId?: string;
  /** The Functions invocation that rejected it. */
  invocationId: string;
  /** When it was rejected, epoch ms UTC. */
  rejectedAtMs: number;
  /** What could be read of the event before it was rejected. */
  deviceId?: string;
  cameraId?: string;
  eventId?: string;
}

/** Raw payload kept per dead letter, UTF-8 bytes: 32 KiB stays under the 64 KiB string property limit. */
export const DEAD_LETTER_PAYLOAD_MAX_BYTES = 32 * 1024;
const REASON_MAX_BYTES = 8 * 1024;
/** Most entity JSON bytes per Table transaction (≤ 100 rows as well): the service refuses a request body over 4 MiB
 * with `RequestBodyTooLarge`, and a payload of control characters grows 6× when JSON-escaped (found by
 * test/fuzz/ingest.test.ts), so 100 rows of 32 KiB payloads can exceed it. The rest of the 4 MiB is multipart framing. */
export const DEAD_LETTER_TRANSACTION_MAX_BYTES = 3 * 1024 * 1024;

/**
 * Where rejected events go: dead letters on Table Storage. PartitionKey = UTC day (`yyyy-MM-dd`) the message was
 * enqueued (else rejected), RowKey = `p{partitionId}-s{sequenceNumber, 20 digits}` when Event Hubs metadata is known (a
 * replayed batch rewrites the same row), else `h{sha256 of reason + payload}`. Properties: `reasonCode`,
 * `reasonMessage`, `payload` (≤ 32 KiB UTF-8; `payloadTruncated`, `payloadBytes` = original size, `payloadEncoding`),
 * `enqueuedTimeUtc`, `sequenceNumber`, `offset`, `partitionId`, `invocationId`, `rejectedAt`, `deviceId`, `cameraId`,
 * `eventId`.
 */
export class TableDeadLetterStore {
  constructor(private readonly table: TableClient) {}

  /**
   * Stores each letter once: a replayed batch rewrites the same rows (keyed by partition + sequence number when
   * known, else by a hash of the payload).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  async write(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await ensureTable(this.table);
    const byPartition = new Map<string, Map<string, TransactionAction>>();
    for (const letter of letters) {
      const entity = toEntity(letter);
      const rows = byPartition.get(entity.partitionKey) ?? new Map<string, TransactionAction>();
      rows.set(entity.rowKey, ['upsert', entity, 'Replace']);
      byPartition.set(entity.partitionKey, rows);
    }
    await Promise.all(
      [...byPartition].map(async ([partitionKey, rows]) => {
        for (const chunk of transactionChunks([...rows.values()])) {
          try {
            await this.table.submitTransaction(chunk);
          } catch (err) {
            rethrowStorageError(err, `write dead letters of ${partitionKey}`);
          }
        }
      }),
    );
  }
}

/** Splits actions into transactions of at most 100 rows and {@link DEAD_LETTER_TRANSACTION_MAX_BYTES} of entity JSON. */
function transactionChunks(actions: TransactionAction[]): TransactionAction[][] {
  const chunks: TransactionAction[][] = [];
  let current: TransactionAction[] = [];
  let bytes = 0;
  for (const action of actions) {
    const size = Buffer.byteLength(JSON.stringify(action[1]), 'utf8');
    if (current.length === 100 || (current.length > 0 && bytes + size > DEAD_LETTER_TRANSACTION_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(action);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

function toEntity(l: DeadLetter): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const enqueuedMs = l.enqueuedTimeUtc ? Date.parse(l.enqueuedTimeUtc) : Number.NaN;
  const partitionKey = utcDay(Number.isNaN(enqueuedMs) ? l.rejectedAtMs : enqueuedMs);
  const rowKey =
    l.sequenceNumber !== undefined && /^\d+$/.test(l.sequenceNumber)
      ? `p${keySafe(l.partitionId ?? 'x')}-s${l.sequenceNumber.padStart(20, '0')}`
      : `h${createHash('sha256').update(`${l.reasonCode}\n${l.payload}`).digest('hex').slice(0, 40)}`;
  const payload = truncateUtf8(l.payload, DEAD_LETTER_PAYLOAD_MAX_BYTES);
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey,
    rowKey,
    reasonCode: l.reasonCode,
    reasonMessage: truncateUtf8(l.reasonMessage, REASON_MAX_BYTES).text,
    payload: payload.text,
    payloadEncoding: l.payloadEncoding,
    payloadBytes: double(payload.bytes),
    payloadTruncated: payload.truncated,
    invocationId: l.invocationId,
    rejectedAt: toIso(l.rejectedAtMs),
  };
  for (const key of ['enqueuedTimeUtc', 'sequenceNumber', 'offset', 'partitionId', 'deviceId', 'cameraId', 'eventId'] as const) {
    if (l[key] !== undefined) entity[key] = l[key];
  }
  return entity;
}

/** Table keys reject `/ \ # ?` and control characters. */
function keySafe(s: string): string {
  return s.replace(/[/\\#?\u0000-\u001f\u007f]/g, '_').slice(0, 64);
}
