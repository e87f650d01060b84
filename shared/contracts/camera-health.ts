import { z } from 'zod';
import { ID_PATTERN } from '../ids';
import { isoDateTimeSchema } from '../validation/iso-date-time';
import { GAP_CAUSES, SESSION_FAILURE_CAUSES } from './device-events';

/**
 * Camera and device health, a contract with people and other systems (docs/api.md "Camera health", docs/events.md
 * "Health events"): the states `GET /api/cameras` shows, and the integration events the cloud publishes when a camera
 * or a device goes down or comes back (AVA published diagnostics events, Frigate publishes camera status; both are
 * the everyday expectation). Derived by shared/health/ from the agents' status (shared/contracts/device-status.ts).
 */

/**
 * A camera's state, as the cloud shows it:
 * - `recording`: its agent is online and records it;
 * - `reconnecting`: its agent is online and retries it: the session failed (`cause`) less than
 *   {@link CAMERA_OFFLINE_AFTER_MS} ago, or it is starting and has not recorded its first segment yet;
 * - `offline`: it has not recorded for {@link CAMERA_OFFLINE_AFTER_MS} or more (`cause`, `since` its first failure), or
 *   its device is offline or silent (`device-offline`, `device-silent`), or its device stopped reporting it
 *   (`not-reported`);
 * - `disabled`: its device is revoked, or no longer provisioned for it (docs/devices.md), or its live pipelines on the
 *   device are all deactivated.
 */
export const CAMERA_HEALTH_STATES = ['recording', 'reconnecting', 'offline', 'disabled'] as const;
export type CameraHealthState = (typeof CAMERA_HEALTH_STATES)[number];

/**
 * Why a camera is not recording: a session failure cause as its agent named it (shared/contracts/device-events.ts
 * `SESSION_FAILURE_CAUSES`), or what the cloud knows itself:
 * - `device-offline`: the device said `offline` (it stopped, or the broker published its last will);
 * - `device-silent`: no status from the device for {@link DEVICE_SILENCE_MS} (or never);
 * - `not-reported`: the device is online but its status does not list the camera (it no longer records it).
 */
export const CAMERA_HEALTH_CAUSES = [...SESSION_FAILURE_CAUSES, 'device-offline', 'device-silent', 'not-reported'] as const;
export type CameraHealthCause = (typeof CAMERA_HEALTH_CAUSES)[number];

/** The causes of a device being offline. */
export const DEVICE_OFFLINE_CAUSES = ['device-offline', 'device-silent'] as const;
export type DeviceOfflineCause = (typeof DEVICE_OFFLINE_CAUSES)[number];

/**
 * How long a camera may fail before it is `offline` and `camera.offline` is published (ms): shorter drops (a camera
 * that closes its stream and is back at the next attempt) stay `reconnecting` and announce nothing.
 */
export const CAMERA_OFFLINE_AFTER_MS = 10_000;

/**
 * How long the cloud waits for a device's status before it calls the device `device-silent` (ms): three heartbeats
 * (shared/contracts/device-status.ts `STATUS_HEARTBEAT_MS`), for a device whose last will never came.
 */
export const DEVICE_SILENCE_MS = 45_000;

/** CloudEvents `source` of the health events (functions/health/). */
export const HEALTH_SOURCE = '/keepwatch/health';

/** CloudEvents `type`s of the health and gap integration events (docs/events.md). */
export const CAMERA_OFFLINE = 'camera.offline';
export const CAMERA_ONLINE = 'camera.online';
export const DEVICE_OFFLINE = 'device.offline';
export const DEVICE_ONLINE = 'device.online';
/** A device's `gap` event, forwarded by ingest (same `id` as the device event, source `/keepwatch/ingest`). */
export const CAMERA_GAP = 'camera.gap';

const cameraId = z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -');
const deviceId = z.string().regex(ID_PATTERN, 'expected a device id of 1 to 32 characters from a-z, 0-9, -');

/**
 * A camera's health in `GET /api/cameras` and `GET /api/cameras/{id}`: `state`; `since` (ISO 8601 UTC with ms: when it
 * started recording, first failed, or when its device went offline; absent for `disabled`); `cause` and `message`
 * (not recording); `retryAt` (`reconnecting` after a failure: when the agent tries again); `lastHeard` (the newest
 * status of its device the cloud received; absent when it never heard one).
 */
export const cameraHealthSchema = z
  .strictObject({
    state: z.enum(CAMERA_HEALTH_STATES),
    since: isoDateTimeSchema.optional().meta({ description: 'when it entered this state; absent for disabled' }),
    cause: z.enum(CAMERA_HEALTH_CAUSES).optional().meta({ description: 'why it is not recording' }),
    message: z.string().max(512).optional().meta({ description: 'the cause in words, e.g. connection refused by 192.168.1.20:554' }),
    retryAt: isoDateTimeSchema.optional().meta({ description: 'reconnecting: when the agent tries again' }),
    lastHeard: isoDateTimeSchema.optional().meta({ description: "the newest status of the camera's device the cloud received" }),
  })
  .meta({
    id: 'CameraHealth',
    description: "The camera's state, from its device's status (docs/api.md \"Camera health\"): recording, reconnecting (with the cause), offline (since, with the cause) or disabled.",
  });
export type CameraHealth = z.output<typeof cameraHealthSchema>;

/** `data` of `camera.offline`: the camera, its device, since when it does not record, why (and in words). */
export const cameraOfflineDataSchema = z.strictObject({
  deviceId,
  cameraId,
  since: isoDateTimeSchema,
  cause: z.enum(CAMERA_HEALTH_CAUSES),
  message: z.string().max(512).optional(),
});

/** `data` of `camera.online`: the camera, its device, since when it records again. */
export const cameraOnlineDataSchema = z.strictObject({ deviceId, cameraId, since: isoDateTimeSchema });

/** `data` of `device.offline`: the device, since when, why, and the cameras it was reporting. */
export const deviceOfflineDataSchema = z.strictObject({
  deviceId,
  since: isoDateTimeSchema,
  cause: z.enum(DEVICE_OFFLINE_CAUSES),
  cameraIds: z.array(cameraId),
});

/** `data` of `device.online`: the device and since when it is connected. */
export const deviceOnlineDataSchema = z.strictObject({ deviceId, since: isoDateTimeSchema });

/** `data` of `camera.gap`: the device's gap event as ingest accepted it: [start, end) ISO UTC, and its cause. */
export const cameraGapDataSchema = z.strictObject({ deviceId, cameraId, start: isoDateTimeSchema, end: isoDateTimeSchema, cause: z.enum(GAP_CAUSES) });
