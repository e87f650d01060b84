import type { SessionFailureCause } from '../../shared/contracts/device-events';
import type { NotRecording } from '../recorder/camera-recorder';

/**
 * What a camera is doing, as the agent's health says it:
 * - `starting`: its first session since the camera was started has recorded no segment yet, and has not failed;
 * - `recording`: a session recorded a segment, and none has failed since;
 * - `not-recording`: its last session ended unasked or did not start; a new one starts at `retryAt`.
 */
export type CameraState = 'starting' | 'recording' | 'not-recording';

/** One camera in the agent's `GET /health`. */
export interface CameraHealth {
  state: CameraState;
  /** When the camera entered this state (ISO 8601 UTC, ms): since when it records, or since when it does not. */
  since: string;
  /** Why the last session ended or did not start (`not-recording` only; session-failure.ts). */
  cause?: SessionFailureCause;
  /** The same in words, e.g. `connection refused by 127.0.0.1:554` (`not-recording` only). */
  message?: string;
  /** When the next session starts (ISO 8601 UTC, ms; `not-recording` only). */
  retryAt?: string;
  /** The longest delay this cause backs off to (ms): 30000 by default, 300000 for a password, path or codec to fix. */
  maxRetryDelayMs?: number;
}

interface Entry {
  state: CameraState;
  sinceMs: number;
  failure?: NotRecording;
  retryAtMs?: number;
}

/**
 * The state of each camera the agent records, from its recorder's events (agent.ts): `segment` → recording,
 * `not-recording` → not recording with the cause. Clock passed in.
 */
export class CameraStates {
  private readonly cameras = new Map<string, Entry>();

  /** A camera was started (or started again by a live pipeline). */
  starting(cameraId: string, nowMs: number): void {
    this.cameras.set(cameraId, { state: 'starting', sinceMs: nowMs });
  }

  /** The camera recorded a segment. @returns true when it was not recording before (a transition worth a log line) */
  recording(cameraId: string, nowMs: number): boolean {
    if (this.cameras.get(cameraId)?.state === 'recording') return false;
    this.cameras.set(cameraId, { state: 'recording', sinceMs: nowMs });
    return true;
  }

  /** A session ended unasked or did not start; `since` stays at the first failure while the camera keeps failing. */
  notRecording(cameraId: string, failure: NotRecording, nowMs: number): void {
    const prev = this.cameras.get(cameraId);
    const sinceMs = prev?.state === 'not-recording' ? prev.sinceMs : nowMs;
    this.cameras.set(cameraId, { state: 'not-recording', sinceMs, failure, retryAtMs: nowMs + failure.retryInMs });
  }

  /** The camera was stopped (its live pipeline deactivated). */
  remove(cameraId: string): void {
    this.cameras.delete(cameraId);
  }

  /** Every camera's health, by camera id. */
  health(): Record<string, CameraHealth> {
    const out: Record<string, CameraHealth> = {};
    for (const [id, e] of this.cameras) {
      out[id] = { state: e.state, since: new Date(e.sinceMs).toISOString() };
      if (e.failure) {
        Object.assign(out[id], {
          cause: e.failure.cause,
          message: e.failure.message,
          retryAt: new Date(e.retryAtMs!).toISOString(),
          maxRetryDelayMs: e.failure.maxRetryDelayMs,
        });
      }
    }
    return out;
  }
}
