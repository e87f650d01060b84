import { assertId } from './ids';

/**
 * The MQTT topic tree, all under `keepwatch/{deviceId}/` (DESIGN.md "Contracts: Events on the wire"),
 * so a broker rule "a device publishes only under its own id" is one topic-space template:
 * - `keepwatch/{deviceId}/events/{cameraId}`: a camera's CloudEvents (segment.uploaded, ...); one
 *   topic per camera keeps per-camera order on brokers that order per topic.
 * - `keepwatch/{deviceId}/status`: the device's retained status.
 * - `keepwatch/{deviceId}/commands/#`: commands to the device.
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
