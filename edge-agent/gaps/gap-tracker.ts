import type { GapCause } from '../../shared/contracts/device-events';

/** A stretch of one camera's timeline without media, [startMs, endMs) epoch ms UTC, with its cause. */
export interface Gap {
  cameraId: string;
  startMs: number;
  endMs: number;
  cause: GapCause;
}

/** Holes shorter than this (ms) between consecutive segments are timing noise, not gaps ("every lost second"). */
export const MIN_GAP_MS = 1000;

/**
 * Finds the gaps in each camera's recorded timeline (docs/contracts.md "Other device events"), pure: it is told what
 * happened and returns the gaps to report. A gap is the hole between the end of a camera's last segment and the
 * start of its next one, when at least {@link MIN_GAP_MS}; its cause is what happened in between:
 * the recording session ended unasked (`camera-unavailable`), the watchdog restarted it
 * (`ffmpeg-stall`), or the agent itself was down (`agent-restart` after a crash, `agent-stopped`
 * after a stop). A segment evicted from the cache before its upload is a gap of its own (`eviction`), as is one the
 * cloud refused for good as older than its offline horizon (`expired-offline`).
 * Segments within one session abut exactly (docs/adr/0002-segment-timing.md), so they never make one.
 */
export class GapTracker {
  private readonly lastEnd = new Map<string, number>();
  private readonly cause = new Map<string, GapCause>();

  /**
   * Restores what the previous run recorded (from the journal) and why it ended.
   * @param lastEndMs end of each camera's last recorded segment
   */
  restore(lastEndMs: ReadonlyMap<string, number>, previousRun: 'agent-restart' | 'agent-stopped'): void {
    for (const [cameraId, endMs] of lastEndMs) {
      this.lastEnd.set(cameraId, endMs);
      this.cause.set(cameraId, previousRun);
    }
  }

  /**
   * A camera's recording session ended unasked (`camera-unavailable`) or was restarted by the watchdog
   * (`ffmpeg-stall`). A hole keeps the cause of what went wrong first (the agent's own outage, or the
   * first session that failed); the failed reconnects that follow do not rename it.
   */
  sessionEnded(cameraId: string, cause: 'camera-unavailable' | 'ffmpeg-stall'): void {
    if (!this.cause.has(cameraId)) this.cause.set(cameraId, cause);
  }

  /**
   * A complete segment: returns the gap before it, if any.
   * @returns the gap [end of the previous segment, start of this one), or undefined
   */
  segment(cameraId: string, startMs: number, endMs: number): Gap | undefined {
    const last = this.lastEnd.get(cameraId);
    const cause = this.cause.get(cameraId) ?? 'camera-unavailable';
    this.cause.delete(cameraId);
    this.lastEnd.set(cameraId, Math.max(last ?? endMs, endMs));
    if (last === undefined || startMs - last < MIN_GAP_MS) return undefined;
    return { cameraId, startMs: last, endMs: startMs, cause };
  }

  /**
   * The camera was stopped on purpose (its live pipeline deactivated): the time until it records again is no loss, so
   * its next segment opens no gap.
   */
  forget(cameraId: string): void {
    this.lastEnd.delete(cameraId);
    this.cause.delete(cameraId);
  }

  /** A segment evicted before its upload: its own span is lost. */
  evicted(cameraId: string, startMs: number, endMs: number): Gap {
    return { cameraId, startMs, endMs, cause: 'eviction' };
  }

  /** A segment the cloud refused for good (it started before the cloud's offline horizon): its own span is lost. */
  expired(cameraId: string, startMs: number, endMs: number): Gap {
    return { cameraId, startMs, endMs, cause: 'expired-offline' };
  }
}
