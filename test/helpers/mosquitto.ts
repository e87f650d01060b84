import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../testbed/ports';

/** A running Mosquitto (Debian package `mosquitto`), an MQTT 5 broker. */
export interface Mosquitto {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Mosquitto on a free loopback port, anonymous access, no persistence.
 * @throws Error when /usr/sbin/mosquitto is missing (`.ci/run` installs it) or does not listen in 10 s
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const failed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`mosquitto did not start: ${e.message}`))));
  await Promise.race([waitForPort(port, 10_000).catch((e: Error) => Promise.reject(new Error(`${e.message}; mosquitto said: ${stderr}`))), failed]);
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
