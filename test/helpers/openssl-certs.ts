import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A self-signed certificate and its key, made by `openssl`, with the paths and the PEM text. */
export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate, upper-case hex without colons (Event Grid's thumbprint form). */
  thumbprint: string;
}

/**
 * Makes a self-signed EC P-256 certificate with `openssl req -x509` (the command infra/README.md gives device owners),
 * valid 1 day, CN = `name`, with subjectAltName `IP:127.0.0.1, DNS:localhost` so it also serves as a local broker's
 * server certificate.
 * @param dir existing folder the `{name}.crt` and `{name}.key` files are written to
 */
export function makeSelfSignedCert(dir: string, name: string): TestCert {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'pipe' });
  const cert = readFileSync(certFile, 'utf8');
  return { certFile, keyFile, cert, key: readFileSync(keyFile, 'utf8'), thumbprint: new X509Certificate(cert).fingerprint256.replace(/:/g, '') };
}
