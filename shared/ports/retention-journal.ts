/**
 * What a retention pass of one camera has started and not finished, so that the next pass finishes it
 * (functions/retention/retention-camera.ts explains the order). Kept small: one step of segments at a time.
 */
export interface RetentionJournalEntry {
  /** Starts (epoch ms UTC) of the segments whose blobs may already be deleted but whose index rows may remain. */
  pendingStartsMs: number[];
  /** UTC day starts (epoch ms) whose availability rollup rows must be recomputed from the index. */
  rollupDaysMs: number[];
}

/** One journal entry per camera. Implemented on Table Storage by functions/adapters/table/table-retention-journal.ts. */
export interface RetentionJournal {
  /** @returns `undefined` when the camera's last pass finished */
  read(cameraId: string): Promise<RetentionJournalEntry | undefined>;
  /** Replaces the camera's entry. @throws TransientError when storage fails */
  write(cameraId: string, entry: RetentionJournalEntry): Promise<void>;
  /** Removes the camera's entry (absent: nothing to do). */
  clear(cameraId: string): Promise<void>;
}
