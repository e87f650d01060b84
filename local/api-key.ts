import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../shared/errors';
import { randomSecret } from '../shared/random-secret';

/** File in the data folder that keeps the generated key, readable by its owner only. */
export const API_KEY_FILE = 'api-key';

/**
 * What an API key may be: 8 to 256 visible ASCII characters (it travels in the `x-functions-key` header and the `code`
 * query parameter, so no spaces or control characters; at least 8 so that a stray one-word value is caught).
 */
const API_KEY_PATTERN = /^[\x21-\x7e]{8,256}$/;

/**
 * Checks a key given in `KEEPWATCH_API_KEY`.
 * @returns a problem line naming the variable (never the key), or undefined when it is fine
 */
export function apiKeyProblem(key: string): string | undefined {
  if (API_KEY_PATTERN.test(key)) return undefined;
  return `KEEPWATCH_API_KEY: has ${key.length} characters${/[^\x21-\x7e]/.test(key) ? ', some not visible ASCII (spaces, control or non-ASCII characters)' : ''}; expected 8 to 256 visible ASCII characters`;
}

/**
 * The local stack's API key, the same on every run: `KEEPWATCH_API_KEY` when set; else the key kept in
 * `{dataDir}/api-key`, made (32 random bytes, base64url) and written with mode 0600 on the first run. A stored key
 * readable by others is made 0600 again. The playback URLs' signing secret derives from this key (local/stack.ts), so
 * URLs printed by one run stay valid in the next.
 * @param dataDir an existing folder
 * @param fromEnv `KEEPWATCH_API_KEY`, already checked with {@link apiKeyProblem}
 * @returns the key and where it came from (`file` for `stored` and `generated`)
 * @throws ValidationError when the stored file holds no valid key (it is left alone: delete it to get a new key)
 */
export function stackApiKey(dataDir: string, fromEnv: string | undefined): { key: string; source: 'environment' | 'stored' | 'generated'; file?: string } {
  if (fromEnv) return { key: fromEnv, source: 'environment' };
  const file = path.join(dataDir, API_KEY_FILE);
  let stored: string | undefined;
  try {
    stored = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (stored === undefined) {
    const key = randomSecret(32);
    // 'wx': never overwrite a key another stack on the same folder wrote a moment ago.
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return { key, source: 'generated', file };
  }
  if (apiKeyProblem(stored)) throw new ValidationError(`${file} holds no valid API key (8 to 256 visible ASCII characters); delete it to have a new one made`);
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { key: stored, source: 'stored', file };
}
