import { readFileSync } from 'node:fs';
import { ValidationError } from '../../shared/errors';
import type { BrokerConfig } from '../../shared/schemas/agent-config';

/** TLS material for the MQTT connection, as MQTT.js (Node `tls.connect`) takes it. */
export interface BrokerTls {
  /** PEM client certificate (X.509 client authentication). */
  cert?: Buffer;
  /** PEM private key of `cert`. Secret: never logged. */
  key?: Buffer;
  /** PEM CA certificate(s) the broker's server certificate must chain to; absent = Node's public CA list. */
  ca?: Buffer;
}

/**
 * Reads the PEM files the broker section names (`clientCertFile`, `clientKeyFile`, `caFile`; absolute paths, as
 * edge-agent/config/load-config.ts resolves them). The files are read once at start; a rotated certificate takes a
 * restart of the agent.
 * @returns undefined when the section names no TLS file
 * @throws ValidationError naming the key and the path when a file cannot be read or holds no PEM block
 */
export function readBrokerTls(broker: Pick<BrokerConfig, 'clientCertFile' | 'clientKeyFile' | 'caFile'>): BrokerTls | undefined {
  const read = (key: 'clientCertFile' | 'clientKeyFile' | 'caFile'): Buffer | undefined => {
    const file = broker[key];
    if (file === undefined) return undefined;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new ValidationError(`agent config: broker.${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    // Only the PEM header is looked at: the key's content must never reach an error message or a log.
    if (!bytes.includes('-----BEGIN ')) throw new ValidationError(`agent config: broker.${key}: ${file} is not a PEM file (no -----BEGIN line)`);
    return bytes;
  };
  const tls: BrokerTls = { cert: read('clientCertFile'), key: read('clientKeyFile'), ca: read('caFile') };
  return tls.cert || tls.key || tls.ca ? tls : undefined;
}
