/** A held time range of one camera's archive: retention never deletes a segment overlapping it. */
export interface Hold {
  /** Unique per camera, `[a-z0-9-]{1,64}`. */
  id: string;
  cameraId: string;
  /** Half-open [startMs, endMs), epoch ms UTC. */
  startMs: number;
  endMs: number;
  reason?: string;
  /** epoch ms UTC */
  createdAtMs: number;
}

/** Holds on time ranges. Implemented on Table Storage by functions/adapters/table/table-hold-store.ts. */
export interface HoldStore {
  /** @throws TransientError when storage fails in a way a retry may fix */
  create(hold: Hold): Promise<void>;
  /** The camera's holds, sorted by start then id. */
  list(cameraId: string): Promise<Hold[]>;
  /** @returns false when the camera has no hold with that id */
  remove(cameraId: string, holdId: string): Promise<boolean>;
}
