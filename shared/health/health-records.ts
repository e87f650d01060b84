import type { AgentCameraState } from '../contracts/device-status';
import type { SessionFailureCause } from '../contracts/device-events';

/**
 * What the cloud keeps of one device's status (functions/adapters/table/table-health-store.ts), epoch ms UTC. Times
 * are when the broker received a status (the routed event's `time`), never the device's own clock, except the
 * cameras' `sinceMs`/`retryAtMs`, which only the agent knows.
 */
export interface DeviceHealthRecord {
  deviceId: string;
  /** What its newest status said. */
  state: 'online' | 'offline';
  /** When the cloud received the status that began this state (an `online` after silence begins a new one). */
  stateSinceMs: number;
  /** When the cloud received its newest status. */
  lastHeardMs: number;
  /** What the cloud last announced about the device (integration events), and the `since` it announced. */
  announced?: Announced;
}

/** The last announcement about a camera or a device: `offline` or `online`, with the `since` it carried (epoch ms). */
export interface Announced {
  state: 'online' | 'offline';
  sinceMs: number;
}

/** A camera as its agent's newest status described it (shared/contracts/device-status.ts), epoch ms UTC. */
export interface CameraReport {
  state: AgentCameraState;
  /** Since when (the agent's clock): recording since, failing since its first failure. */
  sinceMs: number;
  cause?: SessionFailureCause;
  message?: string;
  retryAtMs?: number;
}

/** What the cloud keeps of one camera of one device. */
export interface CameraHealthRecord {
  deviceId: string;
  cameraId: string;
  /** The camera in the device's newest status; `undefined` when that status no longer listed it. */
  report?: CameraReport;
  /** When the cloud received the status that last changed `report`. */
  reportedAtMs: number;
  /**
   * When the cloud first received a report of this failure (`not-recording` after something else): the
   * offline grace (shared/contracts/camera-health.ts `CAMERA_OFFLINE_AFTER_MS`) runs on the cloud's clock from here.
   */
  failingSeenMs?: number;
  announced?: Announced;
}

/** One device's health rows: its own (absent until a status was received) and its cameras', by camera id. */
export interface DeviceHealthSnapshot {
  deviceId: string;
  device?: DeviceHealthRecord;
  cameras: Map<string, CameraHealthRecord>;
}
