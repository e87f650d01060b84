import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import { randomSecret } from '../shared/random-secret';

/** File in the data folder that keeps the development issuer's keys and client secret, mode 0600. */
export const DEV_ISSUER_KEYS_FILE = 'dev-issuer-keys.json';

/** What the file holds: private JWKs (RS256, with `kid`), newest first, and the client secret of its service clients. */
interface StoredKeys {
  keys: JWK[];
  clientSecret: string;
}

/** Keys kept in the JWKS after a rotation: the new one and the one before (tokens it signed verify until they expire). */
const KEPT_KEYS = 2;

/**
 * The development issuer's signing keys, kept in `{dataDir}/dev-issuer-keys.json` (0600) so tokens survive a restart
 * of the stack: made on first use (RS256, 2048 bits, `kid` = the JWK thumbprint), {@link DevIssuerKeys.rotate}d on
 * demand.
 */
export class DevIssuerKeys {
  private constructor(
    private readonly file: string,
    private stored: StoredKeys,
  ) {}

  /**
   * Reads the keys in `dataDir`, or makes and writes them.
   * @throws Error when the file exists but is not the issuer's key file
   */
  static async open(dataDir: string): Promise<DevIssuerKeys> {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, DEV_ISSUER_KEYS_FILE);
    if (existsSync(file)) {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredKeys;
      if (!Array.isArray(stored.keys) || stored.keys.length === 0 || typeof stored.clientSecret !== 'string') throw new Error(`${file} is not a development issuer key file; delete it to have new keys made`);
      chmodSync(file, 0o600);
      return new DevIssuerKeys(file, stored);
    }
    const keys = new DevIssuerKeys(file, { keys: [await newKey()], clientSecret: randomSecret(24) });
    keys.save();
    return keys;
  }

  /** The private JWK new tokens are signed with. */
  get current(): JWK {
    return this.stored.keys[0];
  }

  /** The secret every service client of the issuer uses in the client credentials grant. */
  get clientSecret(): string {
    return this.stored.clientSecret;
  }

  /** The public JWKS: the current key and the one before it, without their private parts. */
  publicJwks(): { keys: JWK[] } {
    return { keys: this.stored.keys.map(({ kty, n, e, kid, alg }) => ({ kty, n, e, kid, alg, use: 'sig' })) };
  }

  /** Makes a new current key; the previous one stays in the JWKS, older ones go. Written to the file at once. */
  async rotate(): Promise<JWK> {
    this.stored = { ...this.stored, keys: [await newKey(), ...this.stored.keys].slice(0, KEPT_KEYS) };
    this.save();
    return this.current;
  }

  private save(): void {
    writeFileSync(this.file, JSON.stringify(this.stored), { mode: 0o600 });
    chmodSync(this.file, 0o600);
  }
}

async function newKey(): Promise<JWK> {
  const jose = await import('jose');
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  const kid = await jose.calculateJwkThumbprint({ kty: jwk.kty, n: jwk.n, e: jwk.e });
  return { ...jwk, kid, alg: 'RS256' };
}
