import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { deviceSecretSha256 } from '../device-secret';
import { ValidationError } from '../errors';

/**
 * Sealing a command's secret part to one device (docs/devices.md "Camera credentials in commands"): what a live
 * pipeline's activate command carries about its cameras (RTSP URLs with their user name and password) travels
 * encrypted, so that the broker, a subscriber it should not have, or a device that is not the addressee never reads
 * it in clear, and a device whose secret was rotated cannot read the commands sent after.
 *
 * - Key: HKDF-SHA256 (RFC 5869) of the SHA-256 of the device secret (the 32 bytes the cloud stores,
 *   shared/device-secret.ts), salt = the device id, info = {@link SEAL_INFO}, 32 bytes. The cloud derives it from its
 *   table row, the device from its secret; the secret itself never travels.
 * - Cipher: AES-256-GCM, a fresh 12-byte IV per seal, 16-byte tag; the additional data is the command's id, so a
 *   sealed part cannot be moved into another command.
 * - Text: `v1.` + base64url(IV ‖ ciphertext ‖ tag) of the JSON of the value.
 * Pure: the caller passes the IV (randomness stays outside shared/).
 */
export const SEAL_INFO = 'keepwatch command seal v1';
const PREFIX = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key a device's commands are sealed with.
 * @param secretSha256Hex the device row's `secretSha256` (64 lower-case hex digits)
 * @throws ValidationError `InvalidSealKey` when it is not 64 hex digits
 */
export function commandSealKey(secretSha256Hex: string, deviceId: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(secretSha256Hex)) throw new ValidationError(`device '${deviceId}': the stored secret hash is not 64 hex digits`, undefined, 'InvalidSealKey');
  return Buffer.from(hkdfSync('sha256', Buffer.from(secretSha256Hex, 'hex'), Buffer.from(deviceId, 'utf8'), Buffer.from(SEAL_INFO, 'utf8'), 32));
}

/** The same key, on the device, from its secret. */
export function deviceCommandSealKey(deviceSecret: string, deviceId: string): Buffer {
  return commandSealKey(deviceSecretSha256(deviceSecret), deviceId);
}

/**
 * Seals the JSON of `value`.
 * @param iv 12 random bytes, never reused with the same key
 * @param aad the command's id
 * @throws Error when `iv` is not 12 bytes
 */
export function sealJson(value: unknown, key: Buffer, iv: Uint8Array, aad: string): string {
  if (iv.length !== IV_BYTES) throw new Error(`sealJson: the IV must be ${IV_BYTES} bytes, not ${iv.length}`);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/**
 * Opens what {@link sealJson} sealed.
 * @throws ValidationError `SealedCommandUnreadable` when the text is malformed, the key or the command id is another,
 *   or the bytes were changed (never says which: the tag check is all or nothing)
 */
export function openSealedJson(sealed: string, key: Buffer, aad: string): unknown {
  const unreadable = () => new ValidationError(`command ${aad}: its sealed part cannot be opened with this device's secret (rotated, or sealed to another device)`, undefined, 'SealedCommandUnreadable');
  if (!sealed.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(sealed.slice(PREFIX.length))) throw unreadable();
  const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw unreadable();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    return JSON.parse(text);
  } catch {
    throw unreadable();
  }
}
