import { z } from 'zod';
import { ID_PATTERN } from '../ids';
import { isoDateTimeSchema } from '../validation/iso-date-time';
import { SESSION_FAILURE_CAUSES } from './device-events';

/**
 * Device status, a wire contract (docs/contracts.md "Device status"): the retained message an agent publishes on
 * `keepwatch/{deviceId}/status` (shared/contracts/topics.ts `deviceStatusTopic`) — `online` when it connects, again on
 * every change of a camera's state and every {@link STATUS_HEARTBEAT_MS} as a heartbeat, each time with the state of
 * every camera it records; `offline` when it stops, and as its MQTT last will, which the broker publishes when the
 * connection drops (at once when the agent's process dies and its socket closes; after 1.5 × {@link MQTT_KEEPALIVE_S}
 * of silence when the network goes). The cloud derives camera and device health from it (shared/health/).
 */

/** How often a connected agent publishes its status although nothing changed (ms): the heartbeat. */
export const STATUS_HEARTBEAT_MS = 15_000;

/**
 * MQTT keep-alive of the agent's connection (s): a broker that hears nothing for 1.5 × this (30 s) publishes the last
 * will (MQTT 5 §3.1.2.10), so a device whose network went is `offline` within 30 s, not MQTT.js's default 90 s.
 */
export const MQTT_KEEPALIVE_S = 20;

/**
 * A camera's state as its agent sees it (edge-agent/metrics/camera-states.ts):
 * - `starting`: its first session has recorded no segment yet and has not failed;
 * - `recording`: a session recorded a segment and none failed since;
 * - `not-recording`: its last session ended unasked or did not start (`cause`), the agent retries at `retryAt`.
 */
export const AGENT_CAMERA_STATES = ['starting', 'recording', 'not-recording'] as const;
export type AgentCameraState = (typeof AGENT_CAMERA_STATES)[number];

/** One camera in a status message; times ISO 8601 UTC with ms. `since`: when it entered the state (a failing camera: its first failure). */
export const agentCameraStatusSchema = z.strictObject({
  state: z.enum(AGENT_CAMERA_STATES),
  since: isoDateTimeSchema,
  cause: z.enum(SESSION_FAILURE_CAUSES).optional(),
  message: z.string().max(512).optional(),
  retryAt: isoDateTimeSchema.optional(),
  maxRetryDelayMs: z.number().int().min(0).max(86_400_000).optional(),
});
export type AgentCameraStatus = z.output<typeof agentCameraStatusSchema>;

/** Most cameras one status message may list. */
export const MAX_STATUS_CAMERAS = 256;

/**
 * The payload on `keepwatch/{deviceId}/status`: `{ deviceId, state, time, cameras? }`. `time`: when the agent made it
 * (its clock; a last will carries the time of the connection it was set on, so the cloud orders status by when the
 * broker received it, never by this). `cameras`: camera id → its state, absent in a last will and from agents before
 * it. Unknown keys are allowed (newer agents may say more).
 */
export const deviceStatusSchema = z.looseObject({
  deviceId: z.string().regex(ID_PATTERN, 'expected a device id of 1 to 32 characters from a-z, 0-9, -'),
  state: z.enum(['online', 'offline']),
  time: isoDateTimeSchema,
  cameras: z
    .record(z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -'), agentCameraStatusSchema)
    .refine((r) => Object.keys(r).length <= MAX_STATUS_CAMERAS, `at most ${MAX_STATUS_CAMERAS} cameras`)
    .optional(),
});
export type DeviceStatus = z.output<typeof deviceStatusSchema>;
