import { ValidationError } from './errors';

/**
 * Camera and device ids: `[a-z0-9-]{1,32}`. They end up in blob names,
 * Table keys and MQTT topics, so nothing else is allowed: no `/`, `.`, `#`, `?`, `+` or upper case.
 */
export const ID_PATTERN = /^[a-z0-9-]{1,32}$/;

/** True when `value` is a valid camera or device id. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * Returns `value` when it is a valid id.
 * @param kind what the id names, for the message ("camera", "device")
 * @throws ValidationError naming the value (shortened to 40 chars) and the rule
 */
export function assertId(kind: 'camera' | 'device', value: unknown): string {
  if (isValidId(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  throw new ValidationError(
    `${kind} id ${shown} is invalid: use 1 to 32 characters from a-z, 0-9 and '-'`,
    undefined,
    kind === 'camera' ? 'InvalidCameraId' : 'InvalidDeviceId',
  );
}
