import { randomBytes } from 'node:crypto';

/**
 * A new random secret as base64url text without padding: `byteCount` random bytes → ⌈byteCount·4/3⌉ characters of
 * `A-Z a-z 0-9 _ -`. Never starts with `-`: a secret is pasted after a CLI flag (`--api-key KEY`, `--device-secret KEY`),
 * and a leading dash made Node's argument parser take it for an option (a CI run failed that way). Redrawing when the
 * first character is `-` (1 draw in 64) costs 6 bits of the first character only when it happens, i.e. < 0.03 bits
 * on average.
 * @param byteCount random bytes, ≥ 16 (128 bits)
 * @throws RangeError for fewer than 16 bytes
 */
export function randomSecret(byteCount: number): string {
  if (!Number.isInteger(byteCount) || byteCount < 16) throw new RangeError(`a secret needs at least 16 random bytes, got ${byteCount}`);
  for (;;) {
    const text = randomBytes(byteCount).toString('base64url');
    if (!text.startsWith('-')) return text;
  }
}
