import type { UploadWindow } from '../contracts/upload-window';

/** What {@link UploadWindows.apply} did with a command. */
export type WindowApplied = 'new' | 'updated' | 'stale';

/** The upload windows' state as stored on disk: the windows held, and the last sequence of forgotten recordings. */
export interface UploadWindowsState {
  windows: UploadWindow[];
  /** recordingId → highest sequence seen, for recordings already forgotten (so redeliveries stay stale). */
  forgotten: Record<string, number>;
}

/** Forgotten recordings remembered (their ids only), so that a late redelivery does not bring a window back. */
const MAX_FORGOTTEN = 1000;

/**
 * The EVR upload windows an agent holds, pure: one per recording, the command with the highest
 * `sequence` wins (shared/contracts/upload-window.ts: a command carries the whole window, so redelivered or
 * reordered commands change nothing). Windows are half-open `[startMs, endMs)`, epoch ms UTC.
 */
export class UploadWindows {
  private readonly windows = new Map<string, UploadWindow>();
  private readonly forgotten = new Map<string, number>();

  constructor(state?: UploadWindowsState) {
    for (const w of state?.windows ?? []) this.windows.set(w.recordingId, w);
    for (const [id, seq] of Object.entries(state?.forgotten ?? {})) this.forgotten.set(id, seq);
  }

  /** Number of windows held. */
  get size(): number {
    return this.windows.size;
  }

  /**
   * Applies a parsed command.
   * @returns `new` (first command of the recording), `updated` (higher sequence than held), or `stale`
   *   (sequence not higher than the one held or forgotten: nothing changed)
   */
  apply(w: UploadWindow): WindowApplied {
    const held = this.windows.get(w.recordingId);
    const known = held?.sequence ?? this.forgotten.get(w.recordingId);
    if (known !== undefined && w.sequence <= known) return 'stale';
    this.forgotten.delete(w.recordingId);
    this.windows.set(w.recordingId, { ...w });
    return held ? 'updated' : 'new';
  }

  /** Windows of `cameraId` overlapping `[startMs, endMs)`, oldest start first. */
  overlapping(cameraId: string, startMs: number, endMs: number): UploadWindow[] {
    return this.list().filter((w) => w.cameraId === cameraId && w.startMs < endMs && startMs < w.endMs);
  }

  /** All windows, oldest start first. */
  list(): UploadWindow[] {
    return [...this.windows.values()].sort((a, b) => a.startMs - b.startMs || a.recordingId.localeCompare(b.recordingId));
  }

  /** Drops a window, remembering its sequence (bounded to the last 1000 recordings). */
  forget(recordingId: string): void {
    const w = this.windows.get(recordingId);
    if (!w) return;
    this.windows.delete(recordingId);
    this.forgotten.set(recordingId, w.sequence);
    while (this.forgotten.size > MAX_FORGOTTEN) this.forgotten.delete(this.forgotten.keys().next().value as string);
  }

  /** The state to store (JSON). */
  state(): UploadWindowsState {
    return { windows: this.list(), forgotten: Object.fromEntries(this.forgotten) };
  }
}
