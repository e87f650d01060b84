import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCameraFlags, type CameraFlag } from '../edge-agent/config/camera-flags';
import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { parseSettings } from '../functions/settings';
import { closestName } from '../shared/closest-name';
import { KeepwatchError, ValidationError } from '../shared/errors';
import { parseAgentConfig } from '../shared/schemas/agent-config';
import { azuriteConnectionString } from './azurite';
import { apiKeyProblem } from './api-key';

/** Everything `npm start` is told, checked (local/start.ts). */
export interface StartSettings {
  help: boolean;
  /** `KEEPWATCH_DATA_DIR`, default `.keepwatch` (relative to the working folder). */
  dataDir: string;
  httpPort: number;
  /** `KEEPWATCH_API_KEY`; unset = the key kept in the data folder (local/api-key.ts). */
  apiKey?: string;
  mqttPort: number;
  blobPort: number;
  tablePort: number;
  agentMetricsPort: number;
  /** `KEEPWATCH_DEV_ISSUER_PORT`, default 7072: the local development issuer (local/dev-issuer.ts). */
  devIssuerPort: number;
  /** From `--camera` / `--rtsp-transport`; empty = the simulated camera. */
  cameras: CameraFlag[];
  /** `KEEPWATCH_SEGMENT_LENGTH`, ISO 8601; unset = the agent's default. */
  segmentLength?: string;
}

const OPTIONS = { camera: { type: 'string', multiple: true }, 'rtsp-transport': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const;

/** The port variables and their defaults (0 = a free port). */
const PORTS = {
  KEEPWATCH_HTTP_PORT: 7071,
  KEEPWATCH_MQTT_PORT: 0,
  KEEPWATCH_AZURITE_BLOB_PORT: 0,
  KEEPWATCH_AZURITE_TABLE_PORT: 0,
  KEEPWATCH_AGENT_METRICS_PORT: 0,
  KEEPWATCH_DEV_ISSUER_PORT: 7072,
} as const;

/** Reads a port variable, or says what is wrong with it. */
function port(env: NodeJS.ProcessEnv, name: keyof typeof PORTS, problems: string[]): number {
  const v = env[name];
  if (v === undefined || v === '') return PORTS[name];
  const n = Number(v);
  if (/^\d+$/.test(v.trim()) && Number.isInteger(n) && n <= 65535) return n;
  problems.push(`${name}=${JSON.stringify(v)} is not a port number (0-65535)`);
  return PORTS[name];
}

/** The command line's flags, or a problem line (an unknown flag names the one it most likely meant). */
function readFlags(argv: readonly string[], problems: string[]): { help: boolean; camera: string[]; transports: string[] } {
  try {
    const { values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
    return { help: values.help ?? false, camera: values.camera ?? [], transports: values['rtsp-transport'] ?? [] };
  } catch (err) {
    const message = (err as Error).message;
    const flag = /option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const hint = flag?.startsWith('--') ? closestName(flag.slice(2), Object.keys(OPTIONS)) : undefined;
    problems.push(`${message.replace(/\. To specify a positional argument.*$/s, '')}${hint ? ` (did you mean --${hint}?)` : ''} (see --help)`);
    return { help: false, camera: [], transports: [] };
  }
}

/**
 * The agent's own schema checks the cameras and the segment length (shared/schemas/agent-config.ts), on a config shaped
 * as local/stack.ts writes it; each problem is told as the flag or variable that set the value.
 */
function agentProblems(cameras: readonly CameraFlag[], segmentLength: string | undefined, problems: string[]): void {
  const config = {
    deviceId: 'local-device',
    cameras: cameras.length ? cameras : [{ id: 'sim-1', url: 'simulated-camera.mp4' }],
    ...(segmentLength !== undefined ? { segmentLength } : {}),
    broker: { url: 'mqtt://127.0.0.1:1883', protocolVersion: 4 },
    upload: { connectionString: 'UseDevelopmentStorage=true' },
  };
  try {
    parseAgentConfig(config);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const details = Array.isArray(err.details) ? (err.details as Array<{ path: string; message: string }>) : [];
    if (!details.length) problems.push(err.message.replace(/^agent config: /, '--camera: '));
    for (const d of details) {
      const camera = /^cameras\[(\d+)\]/.exec(d.path);
      // `KEEPWATCH_SEGMENT_LENGTH="10s" is not …` when the message starts with the value, as the port messages do.
      const startsWithValue = segmentLength !== undefined && (d.message.startsWith(JSON.stringify(segmentLength)) || d.message.startsWith(`${segmentLength} `));
      if (d.path === 'segmentLength') problems.push(`KEEPWATCH_SEGMENT_LENGTH${startsWithValue ? '=' : ': '}${d.message}`);
      else if (camera) problems.push(`--camera ${cameras[Number(camera[1])]?.id ?? ''}: ${d.path.replace(/^cameras\[\d+\]\.?/, '') || 'camera'}: ${d.message}`);
      else problems.push(`agent config: ${d.path ? `${d.path}: ` : ''}${d.message}`);
    }
  }
}

/** The functions' settings as the stack will set them (local/stack.ts); only the user's own variables can be wrong. */
function functionsProblems(env: NodeJS.ProcessEnv, problems: string[]): void {
  try {
    parseSettings({
      ...env,
      KEEPWATCH_STORAGE_CONNECTION_STRING: azuriteConnectionString('http://127.0.0.1:10000/devstoreaccount1', 'http://127.0.0.1:10002/devstoreaccount1'),
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: 'x'.repeat(64),
      KEEPWATCH_MQTT_URL: 'mqtt://127.0.0.1:1883',
      KEEPWATCH_MQTT_USERNAME: 'keepwatch-cloud',
      KEEPWATCH_MQTT_PASSWORD: 'x',
      KEEPWATCH_RECORDINGS_CONTAINER: 'recordings',
    });
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Reads and checks every setting of `npm start` — flags, ports, data folder, API key, segment length, cameras, the
 * functions' `KEEPWATCH_*` settings and the ffmpeg to use — before anything starts, and reports every problem at once.
 * `--help` skips the checks.
 * @param argv the command line after the script, e.g. `['--camera', 'door=rtsp://…']`
 * @throws ValidationError (code `InvalidSettings`) whose message has one line per problem, each naming the flag or
 *   variable, its value (never the API key's) and what is allowed; `details` lists the lines
 */
export function readStartSettings(argv: readonly string[], env: NodeJS.ProcessEnv): StartSettings {
  const problems: string[] = [];
  const flags = readFlags(argv, problems);
  const settings: StartSettings = {
    help: flags.help,
    dataDir: env.KEEPWATCH_DATA_DIR || '.keepwatch',
    httpPort: port(env, 'KEEPWATCH_HTTP_PORT', problems),
    apiKey: env.KEEPWATCH_API_KEY || undefined,
    mqttPort: port(env, 'KEEPWATCH_MQTT_PORT', problems),
    blobPort: port(env, 'KEEPWATCH_AZURITE_BLOB_PORT', problems),
    tablePort: port(env, 'KEEPWATCH_AZURITE_TABLE_PORT', problems),
    agentMetricsPort: port(env, 'KEEPWATCH_AGENT_METRICS_PORT', problems),
    devIssuerPort: port(env, 'KEEPWATCH_DEV_ISSUER_PORT', problems),
    cameras: [],
    segmentLength: env.KEEPWATCH_SEGMENT_LENGTH || undefined,
  };
  if (settings.help) return settings;
  try {
    settings.cameras = parseCameraFlags(flags.camera, flags.transports);
  } catch (err) {
    problems.push((err as Error).message);
    try {
      settings.cameras = parseCameraFlags(flags.camera); // still check the cameras' ids and URLs
    } catch {
      // said above
    }
  }
  const ports = Object.keys(PORTS).filter((name) => env[name] && Number(env[name]) > 0);
  for (const [i, a] of ports.entries()) {
    const same = ports.slice(i + 1).find((b) => Number(env[b]) === Number(env[a]));
    if (same) problems.push(`${a} and ${same} are both ${env[a]}: each service needs its own port`);
  }
  if (settings.apiKey) {
    const problem = apiKeyProblem(settings.apiKey);
    if (problem) problems.push(problem);
  }
  try {
    if (!statSync(settings.dataDir).isDirectory()) problems.push(`KEEPWATCH_DATA_DIR=${JSON.stringify(settings.dataDir)} is a file, not a folder`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`KEEPWATCH_DATA_DIR=${JSON.stringify(settings.dataDir)}: ${(err as Error).message}`);
  }
  agentProblems(settings.cameras, settings.segmentLength, problems);
  functionsProblems(env, problems);
  try {
    resolveFfmpeg(undefined, env);
  } catch (err) {
    problems.push(err instanceof KeepwatchError || err instanceof Error ? err.message : String(err));
  }
  if (problems.length) {
    const head = problems.length === 1 ? 'a setting is wrong' : `${problems.length} settings are wrong`;
    throw new ValidationError(`${head}; nothing was started:\n${problems.map((p) => `  ${p}`).join('\n')}`, problems, 'InvalidSettings');
  }
  return settings;
}
