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

/** Where rejected events go. Implemented on Table Storage by functions/adapters/table/table-dead-letter-store.ts. */
export interface DeadLetterStore {
  /**
   * Stores each letter once: a replayed batch rewrites the same rows (keyed by partition + sequence number when
   * known, else by a hash of the payload).
   * @throws TransientError when storage fails in a way a retry may fix
   */
  write(letters: readonly DeadLetter[]): Promise<void>;
}
