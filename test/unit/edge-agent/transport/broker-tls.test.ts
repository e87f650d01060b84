import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readBrokerTls } from '../../../../edge-agent/transport/broker-tls';
import { ValidationError } from '../../../../shared/errors';

describe('broker TLS files (edge-agent/transport/broker-tls.ts)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-tls-files-'));
  const pem = (name: string, body: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, `-----BEGIN ${body}-----\nAAAA\n-----END ${body}-----\n`);
    return f;
  };

  it('reads the named PEM files, and nothing when none is named', () => {
    const tls = readBrokerTls({ clientCertFile: pem('c.crt', 'CERTIFICATE'), clientKeyFile: pem('c.key', 'PRIVATE KEY'), caFile: pem('ca.crt', 'CERTIFICATE') });
    assert.match(tls!.cert!.toString(), /BEGIN CERTIFICATE/);
    assert.match(tls!.key!.toString(), /BEGIN PRIVATE KEY/);
    assert.match(tls!.ca!.toString(), /BEGIN CERTIFICATE/);
    assert.deepEqual(readBrokerTls({ caFile: pem('only-ca.crt', 'CERTIFICATE') }), { cert: undefined, key: undefined, ca: readBrokerTls({ caFile: path.join(dir, 'only-ca.crt') })!.ca });
    assert.equal(readBrokerTls({}), undefined);
  });

  it('names the key and path of a missing or non-PEM file, without echoing its content', () => {
    assert.throws(() => readBrokerTls({ clientCertFile: path.join(dir, 'missing.crt') }), (e: unknown) => e instanceof ValidationError && /broker\.clientCertFile: cannot read .*missing\.crt: ENOENT/.test(e.message));
    const notPem = path.join(dir, 'key.der');
    writeFileSync(notPem, 'super-secret-key-bytes');
    assert.throws(
      () => readBrokerTls({ clientKeyFile: notPem }),
      (e: unknown) => e instanceof ValidationError && /broker\.clientKeyFile: .*key\.der is not a PEM file/.test(e.message) && !e.message.includes('super-secret'),
    );
  });
});
