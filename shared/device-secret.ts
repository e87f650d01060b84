import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Device secrets (docs/devices.md): 256 random bits, base64url (43 characters), made by the provisioning code
 * (functions/devices/device-provisioning.ts), shown once, stored only as {@link deviceSecretSha256}.
 */
export const DEVICE_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Lower-case hex SHA-256 of the secret's UTF-8 text, as stored in the device row. A plain hash (no salt, no KDF)
 * suffices because the secret is 256 random bits, not a password a person chose.
 */
export function deviceSecretSha256(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * True when `secret` hashes to `storedSha256`, compared in constant time (both sides are 32-byte digests, so the
 * comparison time depends on neither the secret nor the stored hash). A `storedSha256` that is not 64 hex characters
 * never matches.
 */
export function deviceSecretMatches(secret: string, storedSha256: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(storedSha256)) return false;
  return timingSafeEqual(createHash('sha256').update(secret, 'utf8').digest(), Buffer.from(storedSha256, 'hex'));
}

/**
 * The secret from an `Authorization: Bearer {secret}` header value.
 * @returns `undefined` when the header is missing or not a Bearer credential of the secret's shape
 */
export function bearerDeviceSecret(header: string | null | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header?.trim() ?? '');
  return m?.[1];
}
