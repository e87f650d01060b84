import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { randomSecret } from '../shared/random-secret';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { startAzurite, type AzuriteInstance } from './azurite';
import { startLocalBroker, type LocalBroker } from './broker';
import { killProcessGroup } from './process-group';
import { EventHubFeeder } from './event-hub-feeder';
import { parseSettings, resetSettings } from '../functions/settings';
import { setProcessDepsOverrides } from '../functions/deps';
import { applyViewerCors } from './blob-cors';
import { startDevIssuer, type DevIssuer } from './dev-issuer';
import { DEFAULT_DEV_USERS, DEV_VIEWER_CLIENT_ID } from './dev-issuer-users';
import { startFunctionsHost } from './functions-host';
import type { HostLogger } from './host-logger';
import { localDeviceStore, provisionLocalDevice } from './local-devices';
import { ensureSimulatedCameraClip, simulatedCamera } from './simulated-camera';
import { parsePipelineEntries } from '../shared/topology/expand-pipelines';
import { pipelineCameraId } from '../shared/topology/pipeline-camera-id';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Folder for Azurite's data, the agent's cache and config, the simulated camera's clip. */
  dataDir: string;
  /** HTTP port of the functions host on 127.0.0.1 (0 = free). */
  httpPort: number;
  /** API key; generated when omitted. */
  apiKey?: string;
  /** MQTT port (0/omitted = free). */
  mqttPort?: number;
  /** Azurite ports (0/omitted = free). */
  blobPort?: number;
  tablePort?: number;
  /** Keep Azurite's data in memory only (tests). */
  inMemoryStorage?: boolean;
  /** Cameras `{ id, url }`; none = one simulated camera `sim-1`. */
  cameras?: Array<{ id: string; url: string } & Record<string, unknown>>;
  /** Extra top-level agent config keys (shared/schemas/agent-config.ts), e.g. `{ evrCacheHorizon: 'PT30S' }`. */
  agentConfig?: Record<string, unknown>;
  /** Recording policies to PUT (`/api/cameras/{id}/policy`) before the agent starts, by camera id (e.g. EVR). */
  policies?: Record<string, unknown>;
  /** ISO 8601 segment length for the agent (default PT10S). */
  segmentLength?: string;
  /** Port of the agent's metrics and health endpoint on 127.0.0.1 (0/omitted = free). */
  agentMetricsPort?: number;
  /** Agent log level (default info). */
  agentLogLevel?: string;
  /** Where human-readable progress lines go (default: stdout). */
  print?: (line: string) => void;
  /** External signal publishers the broker accepts (local/broker.ts `signalPublishers`), e.g. a door sensor. */
  signalPublishers?: Record<string, { password: string; topics: string[] }>;
  /**
   * How the agent uploads: `api` (default) = the `upload.apiUrl` variant, create-only URLs from
   * `POST /api/devices/{deviceId}/upload-urls` with the device secret (docs/devices.md); `connection-string` =
   * Azurite's connection string (the older way, before devices were provisioned; kept for comparison).
   */
  uploadVia?: 'api' | 'connection-string';
  /**
   * Port of the local development issuer (local/dev-issuer.ts), which the functions host then trusts for bearer
   * tokens; 0/omitted = a free port. Not started when the environment names an issuer (`KEEPWATCH_AUTH_ISSUER`).
   */
  devIssuerPort?: number;
  /** Aborts the start-up (Ctrl-C while starting): whatever already runs is stopped, then the promise rejects. */
  signal?: AbortSignal;
  /** Also print the debug lines of the functions host, the event feeder and the broker (default: info and above). */
  debugLogs?: boolean;
  /**
   * The device authenticates as on Event Grid: by its X.509 client certificate on the broker's TLS listener (its
   * SHA-256 thumbprint registered for the device id), no password. PEM files, e.g. from `openssl req -x509`.
   * Default: a generated password on the plain listener.
   */
  deviceCertificate?: {
    certFile: string;
    keyFile: string;
    /** SHA-256 thumbprint of the certificate (hex). */
    thumbprint: string;
    /** The broker's TLS server key and certificate; the agent trusts that certificate as its CA. */
    brokerKeyFile: string;
    brokerCertFile: string;
  };
  /**
   * Something every storage client of the stack (the functions, the agent's uploads, the CORS set-up) goes through
   * instead of Azurite itself, e.g. the cost benchmark's counting proxy (bench/counting-storage-proxy.ts). It gets the
   * running Azurite and returns the connection string to use and how to stop it; it is stopped after the agent and the
   * host, before Azurite.
   */
  storageFront?: (azurite: AzuriteInstance) => Promise<{ connectionString: string; close(): Promise<void> }>;
}

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One secret the stack made or was given, named for test messages (the value itself must never be printed). */
export interface StackSecret {
  name: string;
  value: string;
}

/** A running local stack. */
export interface LocalStack {
  /** `http://127.0.0.1:{port}/api` */
  apiBase: string;
  apiKey: string;
  /** `mqtt://127.0.0.1:{port}` of the embedded broker. */
  mqttUrl: string;
  /** `mqtts://127.0.0.1:{port}` of the broker's TLS listener, with {@link LocalStackOptions.deviceCertificate}. */
  mqttTlsUrl?: string;
  /** The development issuer the API trusts (absent when `KEEPWATCH_AUTH_ISSUER` named another issuer). */
  devIssuer?: DevIssuer;
  /** The cloud's MQTT credential on the local broker (may subscribe to anything, e.g. `keepwatch-integration/#`). */
  cloudMqtt: { username: string; password: string };
  /** Storage connection string (Azurite, or the `storageFront` when one is given). */
  connectionString: string;
  container: string;
  deviceId: string;
  /** The device secret the stack provisioned for its agent (upload URLs and MQTT password); a secret, never log it. */
  deviceSecret: string;
  cameraIds: string[];
  /** The agent's process. */
  agent: ChildProcess;
  /** Agent log lines (JSON) seen so far, for tests. */
  agentLog: string[];
  /** The stack's child processes (Azurite, the agent); each `exited` resolves when that one exits, for any reason. */
  children: Array<{ name: string; pid: number; exited: Promise<ChildExit> }>;
  /**
   * Every secret of this stack: API key, playback token secret, storage account key, each MQTT password (device,
   * cloud, signal publishers). Tests grep the logs for them (secrets are never logged, docs/security.md); a part that
   * adds a secret to the stack adds it here.
   */
  secrets: StackSecret[];
  /** Stops the agent (it closes and uploads its last segments), then the broker, the host and Azurite. */
  stop(): Promise<void>;
}

const DEVICE_ID = 'local-device';
/** The functions host's MQTT user on the local broker (device commands). */
const CLOUD_MQTT_USER = 'keepwatch-cloud';
const CONTAINER = 'recordings';

/**
 * Starts the whole local stack in one call (README "Quick start"): Azurite (blob + table),
 * the functions host mounting the registered functions (HTTP under /api, timers, device events
 * fed from the broker in the Event Hubs batch shape), the embedded MQTT broker, and the edge
 * agent as a child process (`dist/edge-agent/cli.js`) recording the given cameras or a simulated one.
 * Used by `npm start` (local/start.ts) and by the end-to-end tests.
 * @throws Error when a part does not start; parts already started are stopped again
 */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const apiKey = opts.apiKey ?? randomSecret(24);
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };
  try {
    const azurite: AzuriteInstance = await startAzurite({
      location: opts.inMemoryStorage ? undefined : path.join(dataDir, 'azurite'),
      blobPort: opts.blobPort,
      tablePort: opts.tablePort,
    });
    cleanups.push(() => azurite.stop());
    opts.signal?.throwIfAborted();
    let connectionString = azurite.connectionString;
    if (opts.storageFront) {
      const front = await opts.storageFront(azurite);
      cleanups.push(() => front.close());
      connectionString = front.connectionString;
    }

    // The stack's device is provisioned through the functions' own store and code (docs/devices.md): its secret is the
    // agent's upload credential and its MQTT password.
    const playbackTokenSecret = createHmac('sha256', apiKey).update('keepwatch-playback-token').digest('hex');
    const tables = parseSettings({ ...process.env, KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString, KEEPWATCH_PLAYBACK_TOKEN_SECRET: playbackTokenSecret }).tables;
    const devices = localDeviceStore(azurite.connectionString, tables.devices);
    // Its cameras: the configured ones and those of the agent config's `pipelines` entries (one camera per pipeline,
    // named after it, as every Microsoft sample topology has one RTSP source).
    const pipelineCameraIds = parsePipelineEntries(opts.agentConfig?.pipelines ?? []).map((e) => pipelineCameraId(e.name));
    const cameraIds = [...new Set([...(opts.cameras?.length ? opts.cameras.map((c) => c.id) : ['sim-1']), ...pipelineCameraIds])];
    const deviceSecret = await provisionLocalDevice(devices, DEVICE_ID, cameraIds, Date.now());
    print(`device ${DEVICE_ID} provisioned for cameras ${cameraIds.join(', ')}`);

    // The broker comes first: the functions host gets its cloud credential (EVR upload-window commands).
    const debug = opts.debugLogs ?? false;
    const feeder = new EventHubFeeder({ logger: printLogger(print, 'event-hub-feeder', debug) });
    cleanups.push(() => feeder.close());
    const cloudPassword = randomSecret(18);
    const broker: LocalBroker = await startLocalBroker({
      port: opts.mqttPort ?? 0,
      // Provisioned devices (this stack's, and any from `npm run provision-device`) connect with their device secret.
      // With a certificate the device may also use its secret (a password login is what a stolen-secret attacker
      // would try); the agent itself uses the certificate.
      devices: opts.deviceCertificate ? { [DEVICE_ID]: { password: deviceSecret, thumbprints: [opts.deviceCertificate.thumbprint] } } : {},
      provisionedDevice: (id) => devices.get(id),
      ...(opts.deviceCertificate
        ? { tls: { port: 0, key: readFileSync(opts.deviceCertificate.brokerKeyFile), cert: readFileSync(opts.deviceCertificate.brokerCertFile) } }
        : {}),
      signalPublishers: opts.signalPublishers,
      cloudClients: { [CLOUD_MQTT_USER]: cloudPassword },
      // Every device and signal-publisher publish goes on, as Event Grid's routing does; ingest decides what is an
      // event. The cloud client's own commands and integration events do not (the broker keeps them out).
      onMessage: (m) => feeder.push(m),
      logger: printLogger(print, 'broker', debug),
    });
    cleanups.push(() => broker.close());
    // Rotating or revoking a device (functions/devices/device-secret-rotate.ts, device-delete.ts) ends its sessions here.
    setProcessDepsOverrides({ deviceSessions: { end: (deviceId, reason) => broker.endDeviceSessions(deviceId, reason) } });
    cleanups.push(async () => setProcessDepsOverrides({}));
    opts.signal?.throwIfAborted();

    Object.assign(process.env, {
      KEEPWATCH_MQTT_URL: broker.url,
      KEEPWATCH_MQTT_USERNAME: CLOUD_MQTT_USER,
      KEEPWATCH_MQTT_PASSWORD: cloudPassword,
      KEEPWATCH_STORAGE_CONNECTION_STRING: connectionString,
      KEEPWATCH_RECORDINGS_CONTAINER: CONTAINER,
      // Derived from the key so that playback URLs stay valid across restarts of the same stack.
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: playbackTokenSecret,
    });
    // Bearer tokens: the development issuer, unless the environment names a real one (Entra ID, docs/security.md).
    let devIssuer: DevIssuer | undefined;
    if (!process.env.KEEPWATCH_AUTH_ISSUER) {
      const cameraViewers = cameraIds.filter((id) => id !== 'door').map((id) => ({ id: `${id}-viewer`, name: `Viewer of ${id}`, roles: ['Keepwatch.Viewer'], cameras: [id] }));
      const issuer = await startDevIssuer({ dataDir, port: opts.devIssuerPort ?? 0, users: [...DEFAULT_DEV_USERS, ...cameraViewers] });
      devIssuer = issuer;
      cleanups.push(async () => {
        await issuer.close();
        // A later stack in this process (tests) starts its own issuer instead of trusting this closed one.
        delete process.env.KEEPWATCH_AUTH_ISSUER;
        delete process.env.KEEPWATCH_AUTH_AUDIENCE;
        delete process.env.KEEPWATCH_VIEWER_CLIENT_ID;
      });
      // The viewer signs people in at this issuer (any client id; redirect URIs on this machine).
      Object.assign(process.env, { KEEPWATCH_AUTH_ISSUER: issuer.url, KEEPWATCH_AUTH_AUDIENCE: issuer.audience, KEEPWATCH_VIEWER_CLIENT_ID: DEV_VIEWER_CLIENT_ID });
      print(`development token issuer at ${issuer.url} (users: ${issuer.users.map((u) => u.id).join(', ')})`);
    }
    resetSettings(); // a second stack in the same process (tests) must not keep the first one's settings
    // The host creates the recordings container and the tables before anything uploads.
    const host = await startFunctionsHost({ port: opts.httpPort, host: '127.0.0.1', apiKey, logger: printLogger(print, 'functions-host', debug) });
    cleanups.push(() => host.close());
    // Browsers (hls.js) fetch segment SAS URLs cross-origin: the stack's own viewer (/api/viewer) may, and so may
    // KEEPWATCH_VIEWER_ORIGINS. In Azure, Bicep sets this rule (infra/).
    const hostOrigin = new URL(host.url);
    const viewerOrigins = [...new Set([hostOrigin.origin, `http://localhost:${hostOrigin.port}`, ...parseSettings(process.env).viewerOrigins])];
    await applyViewerCors(connectionString, viewerOrigins);
    print(`blob CORS allows the viewer origins ${viewerOrigins.join(', ')}`);
    opts.signal?.throwIfAborted();

    for (const [cameraId, policy] of Object.entries(opts.policies ?? {})) {
      const res = await fetch(`${host.url}/api/cameras/${encodeURIComponent(cameraId)}/policy`, {
        method: 'PUT',
        headers: { 'x-functions-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(policy),
      });
      if (!res.ok) throw new Error(`policy of camera '${cameraId}' refused: ${res.status} ${await res.text()}`);
      print(`policy of camera ${cameraId} set`);
    }

    const ffmpeg = resolveFfmpeg();
    const ffmpegPath = ffmpeg.path;
    print(`ffmpeg ${ffmpeg.version} (${ffmpeg.source}: ${ffmpegPath})`);
    for (const w of ffmpeg.warnings) print(`warning: ${w}`);
    const cameras = opts.cameras?.length
      ? opts.cameras
      : [simulatedCamera('sim-1', ensureSimulatedCameraClip({ ffmpegPath, dir: path.join(dataDir, 'simulated-camera'), print }))];
    const agentConfig = {
      deviceId: DEVICE_ID,
      cameras,
      segmentLength: opts.segmentLength ?? 'PT10S',
      localMediaCachePath: path.join(dataDir, 'cache'),
      broker: opts.deviceCertificate
        ? {
            url: broker.tlsUrl!,
            clientCertFile: opts.deviceCertificate.certFile,
            clientKeyFile: opts.deviceCertificate.keyFile,
            caFile: opts.deviceCertificate.brokerCertFile,
            protocolVersion: 4,
          }
        : { url: broker.url, password: '${env:KEEPWATCH_DEVICE_SECRET}', protocolVersion: 4 },
      upload:
        opts.uploadVia === 'connection-string'
          ? { connectionString: '${env:KEEPWATCH_DEVICE_STORAGE}', container: CONTAINER }
          : { apiUrl: `${host.url}/api`, deviceSecret: '${env:KEEPWATCH_DEVICE_SECRET}', container: CONTAINER },
      ffmpegPath,
      logLevel: opts.agentLogLevel ?? 'info',
      metrics: { port: opts.agentMetricsPort ?? 0 },
      ...opts.agentConfig,
    };
    const configFile = path.join(dataDir, 'agent.json');
    writeFileSync(configFile, `${JSON.stringify(agentConfig, null, 2)}\n`);
    // Its own process group (with its ffmpeg): a terminal's Ctrl-C reaches it only through stop(), after which the
    // group is swept, so no ffmpeg outlives the stack; exit-with-parent stops it if this process dies unannounced.
    const agentArgs = ['--require', path.join(__dirname, 'exit-with-parent.js'), path.join(__dirname, '..', 'edge-agent', 'cli.js'), '--config', configFile];
    const agent = spawn(process.execPath, agentArgs, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...withoutCloudSecrets(process.env),
        KEEPWATCH_DEVICE_SECRET: deviceSecret,
        ...(opts.uploadVia === 'connection-string' ? { KEEPWATCH_DEVICE_STORAGE: connectionString } : {}),
      },
    });
    const agentLog: string[] = [];
    const agentExit = new Promise<ChildExit>((r) => agent.once('exit', (code, signal) => r({ code, signal })));
    const agentExited = agentExit.then(() => {});
    const killAgentGroup = () => killProcessGroup(agent.pid, 'SIGKILL');
    process.once('exit', killAgentGroup);
    createInterface({ input: agent.stdout! }).on('line', (line) => {
      agentLog.push(line);
      print(formatAgentLine(line));
    });
    createInterface({ input: agent.stderr! }).on('line', (line) => print(`[agent] ${line}`));
    cleanups.push(async () => {
      if (agent.exitCode === null && agent.signalCode === null) {
        agent.kill('SIGTERM');
        // Agent.stop: ffmpeg ≤ 10 s + uploads ≤ 20 s + broker close ≤ 5 s.
        const t = setTimeout(() => agent.kill('SIGKILL'), 45_000);
        await agentExited;
        clearTimeout(t);
      }
      killAgentGroup(); // whatever the agent left behind (an ffmpeg, if it was killed)
      process.removeListener('exit', killAgentGroup);
      await feeder.flush();
    });

    return {
      apiBase: `${host.url}/api`,
      apiKey,
      mqttUrl: broker.url,
      ...(broker.tlsUrl ? { mqttTlsUrl: broker.tlsUrl } : {}),
      cloudMqtt: { username: CLOUD_MQTT_USER, password: cloudPassword },
      ...(devIssuer ? { devIssuer } : {}),
      connectionString,
      container: CONTAINER,
      deviceId: DEVICE_ID,
      deviceSecret,
      cameraIds: cameras.map((c) => c.id),
      agent,
      agentLog,
      children: [
        { name: 'Azurite', pid: azurite.pid, exited: azurite.exited },
        { name: 'the agent', pid: agent.pid!, exited: agentExit },
      ],
      secrets: [
        { name: 'API key', value: apiKey },
        { name: 'playback token secret', value: process.env.KEEPWATCH_PLAYBACK_TOKEN_SECRET! },
        { name: 'storage account key', value: /(?:^|;)AccountKey=([^;]+)/.exec(azurite.connectionString)?.[1] ?? '' },
        { name: `device secret (upload URLs, MQTT password) of device ${DEVICE_ID}`, value: deviceSecret },
        { name: 'MQTT password of the cloud client', value: cloudPassword },
        ...(devIssuer ? [{ name: 'client secret of the development issuer', value: devIssuer.clientSecret }] : []),
        ...Object.entries(opts.signalPublishers ?? {}).map(([user, p]) => ({ name: `MQTT password of signal publisher ${user}`, value: p.password })),
        ...(opts.deviceCertificate ? privateKeySecrets(`device ${DEVICE_ID}`, readFileSync(opts.deviceCertificate.keyFile, 'utf8')) : []),
        ...(opts.deviceCertificate ? privateKeySecrets('broker TLS', readFileSync(opts.deviceCertificate.brokerKeyFile, 'utf8')) : []),
      ].filter((x) => x.value),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * A PEM private key as secrets: the whole PEM, and its base64 body with and without line breaks (a log could hold
 * either), each body line too.
 */
function privateKeySecrets(owner: string, pem: string): StackSecret[] {
  const lines = pem.split(/\r?\n/).filter((l) => l && !l.startsWith('-----'));
  return [
    { name: `private key of ${owner} (PEM)`, value: pem.trim() },
    { name: `private key of ${owner} (base64)`, value: lines.join('') },
    ...lines.map((l, i) => ({ name: `private key of ${owner} (line ${i + 1})`, value: l })),
  ];
}

/** One log record as `HH:MM:SS LEVEL [who] message key=value…`, the stack's console format. */
function formatRecord(timeIso: string, level: string, who: string, msg: string, fields: Record<string, unknown>): string {
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${timeIso.slice(11, 19)} ${level} [${who}] ${msg}${extra ? ` ${extra}` : ''}`;
}

/** One agent JSON (pino) log line in the stack's console format. */
function formatAgentLine(line: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `[agent] ${line}`;
  }
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  const { level, time, msg, component, cameraId, app: _a, pid: _p, hostname: _h, ...rest } = o;
  const who = ['agent', component, cameraId].filter(Boolean).join(' ');
  return formatRecord(String(time ?? ''), levels[level as number] ?? String(level), who, String(msg ?? ''), rest);
}

/** A host logger printing info and above (and debug when asked) in the stack's console format. */
function printLogger(print: (line: string) => void, component: string, debug = false): HostLogger {
  const at = (level: string) => (fields: object, message: string) =>
    print(formatRecord(new Date().toISOString(), level, component, message, fields as Record<string, unknown>));
  return { debug: debug ? at('DEBUG') : () => {}, info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/** The environment minus the cloud side's secrets (set in this process for the host): the device must not hold them. */
function withoutCloudSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { KEEPWATCH_STORAGE_CONNECTION_STRING: _s, KEEPWATCH_MQTT_PASSWORD: _m, KEEPWATCH_PLAYBACK_TOKEN_SECRET: _p, KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: _pp, KEEPWATCH_API_KEY: _k, ...rest } = env;
  return rest;
}
