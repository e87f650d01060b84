import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

/**
 * Azurite's well-known development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite
 * "Well-known storage account and key"). Public by design; never a production secret.
 */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Options of {@link startAzurite}; every field optional. */
export interface AzuriteOptions {
  /** Folder for Azurite's data (created if missing). Omitted: `--inMemoryPersistence`, everything is lost on stop. */
  location?: string;
  /** Blob service port; 0 or omitted picks a free port. */
  blobPort?: number;
  /** Table service port; 0 or omitted picks a free port. */
  tablePort?: number;
  /** Listen address; default `127.0.0.1` (never exposed beyond the machine by default). */
  host?: string;
  /** How long to wait for both services to accept connections, ms; default 30 000. */
  startTimeoutMs?: number;
  /** Azurite debug log file (`--debug`); off by default. */
  debugLogPath?: string;
  /**
   * Serve https with this PEM certificate and key (`--cert`, `--key`); the endpoints become `https://...`. Needed for
   * Entra ID tokens (bearer tokens are refused over http) and user-delegation SAS (Azurite's README: OAuth needs HTTPS).
   */
  tls?: { certPath: string; keyPath: string };
  /** `basic` (`--oauth basic`): accept bearer tokens, checking issuer, audience and lifetime but not the signature. Needs `tls`. */
  oauth?: 'basic';
}

/** A running Azurite (blob + table; its queue service also listens, on a free port, unused). */
export interface AzuriteInstance {
  /** Connection string for `@azure/storage-blob` and `@azure/data-tables` (development account; http, or https with `tls`). */
  connectionString: string;
  blobPort: number;
  tablePort: number;
  /** `http://{host}:{blobPort}/devstoreaccount1` (`https://` with {@link AzuriteOptions.tls}) */
  blobEndpoint: string;
  /** `http://{host}:{tablePort}/devstoreaccount1` (`https://` with {@link AzuriteOptions.tls}) */
  tableEndpoint: string;
  accountName: string;
  accountKey: string;
  /** Process id of the Azurite child. */
  pid: number;
  /** Resolves when the child exits, for whatever reason (the owner may treat an early exit as fatal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops Azurite (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/[^\s:]+:(\d+)/g;
const TAIL_BYTES = 16 * 1024;

/**
 * Starts Azurite 3.35 from the npm package (`node_modules/azurite/dist/src/azurite.js`) as a child process with
 * `--skipApiVersionCheck` (SDK 12.32 sends an `x-ms-version` newer than Azurite knows: 400 `InvalidHeaderValue` without it),
 * `--loose`, `--silent` and `--disableTelemetry`. Ports default to 0, so the OS picks free ones; the actual ports are
 * read from Azurite's "successfully listening at" lines, then both services are probed with a TCP connect.
 * Used by the local stack (`local/start.ts`) and the tests (`test/helpers/azurite.ts`).
 * @throws Error naming the timeout and carrying Azurite's last output when it does not come up, or exits early
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const args = [
    // Azurite stops (its own SIGTERM shutdown) when this process dies without stopping it, e.g. on SIGKILL.
    '--require', path.join(__dirname, 'exit-with-parent.js'),
    require.resolve('azurite/dist/src/azurite.js'),
    '--blobHost', host, '--blobPort', String(options.blobPort ?? 0),
    '--queueHost', host, '--queuePort', '0',
    '--tableHost', host, '--tablePort', String(options.tablePort ?? 0),
    '--skipApiVersionCheck', '--loose', '--silent', '--disableTelemetry',
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    // Without --location Azurite would write its (empty) databases into the cwd even in memory mode.
    args.push('--inMemoryPersistence');
  }
  if (options.debugLogPath) args.push('--debug', options.debugLogPath);
  if (options.tls) args.push('--cert', options.tls.certPath, '--key', options.tls.keyPath);
  if (options.oauth) {
    if (!options.tls) throw new Error('Azurite: oauth needs tls (bearer tokens are refused over http)');
    args.push('--oauth', options.oauth);
  }
  const scheme = options.tls ? 'https' : 'http';

  // Own process group: Ctrl-C in a terminal signals the whole foreground group, and Azurite must
  // outlive the agent's last uploads during shutdown; the owner stops it (and `exit` kills it).
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.location ?? process.cwd(), detached: true });
  let tail = '';
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  // Always drain both pipes: a full pipe would block Azurite.
  child.stdout!.on('data', keepTail);
  child.stderr!.on('data', keepTail);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A failed spawn emits 'error' and no 'exit'.
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      resolve({ code: null, signal: null });
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    const ports = await waitForPorts(child, () => tail, exited, timeoutMs);
    await Promise.all([waitForTcp(host, ports.blob, timeoutMs), waitForTcp(host, ports.table, timeoutMs)]);
    const blobEndpoint = `${scheme}://${host}:${ports.blob}/${AZURITE_ACCOUNT_NAME}`;
    const tableEndpoint = `${scheme}://${host}:${ports.table}/${AZURITE_ACCOUNT_NAME}`;
    let stopping: Promise<void> | undefined;
    return {
      connectionString: azuriteConnectionString(blobEndpoint, tableEndpoint),
      blobPort: ports.blob,
      tablePort: ports.table,
      blobEndpoint,
      tableEndpoint,
      accountName: AZURITE_ACCOUNT_NAME,
      accountKey: AZURITE_ACCOUNT_KEY,
      pid: child.pid!,
      exited,
      stop: () => (stopping ??= stopChild(child, exited).finally(() => process.removeListener('exit', killOnExit))),
    };
  } catch (err) {
    await stopChild(child, exited);
    process.removeListener('exit', killOnExit);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`Azurite did not start: ${message}\n--- Azurite output (last ${TAIL_BYTES} bytes) ---\n${tail.trim() || '(none)'}`);
  }
}

/** Connection string for Azurite's development account at the given http(s) endpoints. */
export function azuriteConnectionString(blobEndpoint: string, tableEndpoint: string): string {
  return [
    `DefaultEndpointsProtocol=${blobEndpoint.startsWith('https:') ? 'https' : 'http'}`,
    `AccountName=${AZURITE_ACCOUNT_NAME}`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
    `BlobEndpoint=${blobEndpoint}`,
    `TableEndpoint=${tableEndpoint}`,
  ].join(';') + ';';
}

function waitForPorts(
  child: ChildProcess,
  output: () => string,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  timeoutMs: number,
): Promise<{ blob: number; table: number }> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const ports: Record<string, number> = {};
      for (const m of output().matchAll(LISTENING)) ports[m[1]] = Number(m[2]);
      if (ports.Blob && ports.Table) {
        done();
        resolve({ blob: ports.Blob, table: ports.Table });
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`blob and table services not listening after ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      done();
      reject(new Error(`Azurite exited early (code ${code}, signal ${signal})`));
    });
    check();
  });
}

async function waitForTcp(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} does not accept connections after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
