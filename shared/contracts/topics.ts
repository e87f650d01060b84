import { assertId } from '../ids';

/**
 * The MQTT topic tree, all under `keepwatch/{deviceId}/` (docs/contracts.md "Events on the wire"),
 * so a broker rule "a device publishes only under its own id" is one topic-space template:
 * - `keepwatch/{deviceId}/events/{cameraId}`: a camera's CloudEvents (segment.uploaded, ...); one
 *   topic per camera keeps per-camera order on brokers that order per topic.
 * - `keepwatch/{deviceId}/status`: the device's retained status.
 * - `keepwatch/{deviceId}/signals/{cameraId}`: external signals for a camera (a door sensor, an alarm panel), plain JSON
 *   (shared/contracts/signals.ts `externalSignalSchema`), from any publisher the broker authorises for that topic.
 * - `keepwatch/{deviceId}/commands/{cameraId}`: commands to the device about a camera (upload windows,
 *   shared/contracts/upload-window.ts); the device subscribes to `keepwatch/{deviceId}/commands/#`.
 *
 * Integration events (recording lifecycle, diagnostics, retention) go to Event Hubs in Azure; locally to the broker
 * under `keepwatch-integration/{type}` ({@link integrationEventsTopic}), outside every device's tree.
 */
export const TOPIC_ROOT = 'keepwatch';

/** Topic of a camera's events. @throws ValidationError on a bad id */
export function cameraEventsTopic(deviceId: string, cameraId: string): string {
  return `${TOPIC_ROOT}/${assertId('device', deviceId)}/events/${assertId('camera', cameraId)}`;
}

/** Retained status topic of a device. @throws ValidationError on a bad id */
export function deviceStatusTopic(deviceId: string): string {
  return `${TOPIC_ROOT}/${assertId('device', deviceId)}/status`;
}

/**
 * Splits a camera events topic.
 * @returns `undefined` when `topic` is not `keepwatch/{deviceId}/events/{cameraId}` with valid ids
 */
export function parseCameraEventsTopic(topic: string): { deviceId: string; cameraId: string } | undefined {
  const m = /^keepwatch\/([a-z0-9-]{1,32})\/events\/([a-z0-9-]{1,32})$/.exec(topic);
  return m ? { deviceId: m[1], cameraId: m[2] } : undefined;
}

/** Topic of external signals for a camera. @throws ValidationError on a bad id */
export function cameraSignalsTopic(deviceId: string, cameraId: string): string {
  return `${TOPIC_ROOT}/${assertId('device', deviceId)}/signals/${assertId('camera', cameraId)}`;
}

/**
 * Splits an external signals topic.
 * @returns `undefined` when `topic` is not `keepwatch/{deviceId}/signals/{cameraId}` with valid ids
 */
export function parseCameraSignalsTopic(topic: string): { deviceId: string; cameraId: string } | undefined {
  const m = /^keepwatch\/([a-z0-9-]{1,32})\/signals\/([a-z0-9-]{1,32})$/.exec(topic);
  return m ? { deviceId: m[1], cameraId: m[2] } : undefined;
}

/** Topic of commands to a device about one camera. @throws ValidationError on a bad id */
export function cameraCommandsTopic(deviceId: string, cameraId: string): string {
  return `${TOPIC_ROOT}/${assertId('device', deviceId)}/commands/${assertId('camera', cameraId)}`;
}

/** What a device subscribes to: every command addressed to it. @throws ValidationError on a bad id */
export function deviceCommandsFilter(deviceId: string): string {
  return `${TOPIC_ROOT}/${assertId('device', deviceId)}/commands/#`;
}

/**
 * Splits a commands topic.
 * @returns `undefined` when `topic` is not `keepwatch/{deviceId}/commands/{cameraId}` with valid ids
 */
export function parseCameraCommandsTopic(topic: string): { deviceId: string; cameraId: string } | undefined {
  const m = /^keepwatch\/([a-z0-9-]{1,32})\/commands\/([a-z0-9-]{1,32})$/.exec(topic);
  return m ? { deviceId: m[1], cameraId: m[2] } : undefined;
}

/** Root of the local stack's integration-event topics (in Azure they go to the integration Event Hub). */
export const INTEGRATION_TOPIC_ROOT = 'keepwatch-integration';

/** Local topic of one integration event type, e.g. `keepwatch-integration/recording.started`. */
export function integrationEventsTopic(type: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(type)) throw new Error(`integration event type ${JSON.stringify(type)} is not a topic level`);
  return `${INTEGRATION_TOPIC_ROOT}/${type}`;
}
