import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';

/** Azurite over https with `--oauth basic`, and the CA certificate a client must trust to reach it. */
export interface HttpsAzurite extends AzuriteInstance {
  /** The self-signed certificate (PEM) Azurite serves; pass it as `ca` / `tlsOptions.ca`. */
  caPem: string;
}

/**
 * Starts a throw-away, in-memory Azurite over https with `--oauth basic` (Entra ID bearer tokens and user-delegation
 * SAS work only this way: Azurite's README, OAuth over HTTPS). The certificate is self-signed for `127.0.0.1`, made with `openssl`
 * in a temp folder that `stop()` removes. Nothing is trusted process-wide: clients trust `caPem` explicitly
 * (the storage clients' `tlsCa`, `https.request({ ca })`).
 * @throws Error when openssl fails or Azurite does not come up within 30 s
 */
export async function startHttpsAzurite(): Promise<HttpsAzurite> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kw-azurite-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', keyPath, '-out', certPath,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    const azurite = await startAzurite({ startTimeoutMs: 30_000, tls: { certPath, keyPath }, oauth: 'basic' });
    const stop = azurite.stop;
    return { ...azurite, caPem: readFileSync(certPath, 'utf8'), stop: () => stop().finally(() => rmSync(dir, { recursive: true, force: true })) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
