import { ValidationError } from '../shared/errors';
import { RECORDING_POLICY_DEFAULTS, parseRetentionDays } from '../shared/schemas/recording-policy';
import { DAY_MS, MINUTE_MS, SECOND_MS, parseIsoDuration, toIsoDuration } from '../shared/time';

/**
 * App settings of the cloud functions. This module is the only place the functions side reads `process.env`
 * (STYLE.md "Configuration"); in Azure they are Function App settings, locally `local/start.ts` sets them.
 *
 * | setting | meaning |
 * |---|---|
 * | `KEEPWATCH_STORAGE_CONNECTION_STRING` | required; storage account (Blob + Table) connection string. Identity-based access (`__blobServiceUri`/`__tableServiceUri` + managed identity) replaces it in a later issue. |
 * | `KEEPWATCH_RECORDINGS_CONTAINER` | segment container, default `recordings` |
 * | `KEEPWATCH_TABLE_PREFIX` | table name prefix, default `kw`: tables `{prefix}Segments`, `{prefix}Cameras`, `{prefix}Availability`, `{prefix}DeadLetters`, `{prefix}Gaps`, `{prefix}Policies`, `{prefix}Holds`, `{prefix}Retention`, `{prefix}Events`, `{prefix}Recordings`, `{prefix}Gates`, `{prefix}Pipelines` |
 * | `KEEPWATCH_PLAYBACK_TOKEN_SECRET` | required, ≥ 32 characters; HMAC key of playlist URLs |
 * | `KEEPWATCH_PLAYBACK_TTL` | ISO 8601 duration a playback (playlist) URL lives, default PT1H, PT1M..P1D |
 * | `KEEPWATCH_SEGMENT_SAS_TTL` | ISO 8601 duration the segment SAS URLs in a playlist live, counted from the playlist request; default = `KEEPWATCH_PLAYBACK_TTL`, at least that, at most P7D (a user-delegation key's limit) |
 * | `KEEPWATCH_VIEWER_ORIGINS` | comma-separated browser origins (`https://viewer.example.com`) allowed to fetch segments cross-origin (Blob CORS); default none. Applied to Azurite by the local stack; in Azure by Bicep (issue 6) |
 * | `KEEPWATCH_EXPORT_MAX_DURATION` | longest MP4 export range, ISO 8601, default PT1H, PT1S..P1D |
 * | `KEEPWATCH_EXPORT_MAX_BYTES` | most stored segment bytes one MP4 export reads, integer bytes, default 2147483648 (2 GiB) |
 * | `FFMPEG_PATH` | optional ffmpeg binary for MP4 export; default the `@ffmpeg-installer/ffmpeg` package's binary |
 * | `KEEPWATCH_RETENTION_DEFAULT` | archive retention of cameras without a policy, ISO 8601 whole days P1D..P3650D, default P7D (AVA `retentionPeriod`) |
 * | `KEEPWATCH_RETENTION_SCHEDULE` | NCRONTAB (6 fields, UTC) of the retention timer, default `0 5 * * * *` (hourly at :05); read at registration by {@link retentionSchedule} |
 * | `KEEPWATCH_MQTT_URL` | optional `mqtt://` or `mqtts://` URL of the cloud's broker: the EVR policy publishes upload-window commands there (QoS 1; unset = commands are not sent and a warning is logged per batch), and, without an integration hub, the integration events on `keepwatch-integration/{type}` |
 * | `KEEPWATCH_MQTT_USERNAME` | user name for `KEEPWATCH_MQTT_URL`, default `keepwatch-cloud` |
 * | `KEEPWATCH_MQTT_PASSWORD` | password for `KEEPWATCH_MQTT_URL`, optional (secret) |
 * | `KEEPWATCH_PUBLIC_BASE_URL` | optional `https://host[:port][/path]` put in front of `/api/...` in playback URLs; default: the request's origin |
 * | `KEEPWATCH_PIPELINE_STATE_WAIT` | how long `POST .../livePipelines/{name}/activate` and `/deactivate` wait for the device to report the new state before answering 202, ISO 8601, default PT30S, PT0S..PT3M (the Functions HTTP timeout is 230 s) |
 * | `KEEPWATCH_INTEGRATION_EVENTS_HUB` | optional name of the integration Event Hub; integration events go there through the `KEEPWATCH_EVENTHUB` connection string ({@link parseIntegrationEventsSettings}); else to `KEEPWATCH_MQTT_URL`; neither → the `{prefix}Events` table |
 *
 * Read by the Functions host itself, not by this module (see {@link TRIGGER_SETTINGS}):
 * `KEEPWATCH_EVENTHUB` (Event Hubs connection; `KEEPWATCH_EVENTHUB__fullyQualifiedNamespace` for identity),
 * `KEEPWATCH_DEVICE_EVENTS_HUB`, `KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP`.
 */
export interface FunctionsSettings {
  storageConnectionString: string;
  recordingsContainer: string;
  tablePrefix: string;
  tables: {
    segments: string;
    cameras: string;
    availability: string;
    deadLetters: string;
    gaps: string;
    policies: string;
    holds: string;
    retention: string;
    events: string;
    recordings: string;
    /** EVR signal gate rows, one per camera (functions/adapters/table-gate-store.ts). */
    gates: string;
    /** AVA pipeline topologies and live pipelines, one partition per device (functions/adapters/table-pipeline-store.ts). */
    pipelines: string;
  };
  /** Broker of the cloud's device commands (EVR upload windows); `url` undefined = commands are not sent. */
  mqtt: { url?: string; username: string; password?: string };
  playbackTokenSecret: string;
  /** Lifetime of a playback (playlist) URL, ms. */
  playbackTtlMs: number;
  /** Lifetime of the segment SAS URLs in a playlist, from the playlist request, ms; ≥ playbackTtlMs. */
  segmentSasTtlMs: number;
  /** Origins (`scheme://host[:port]`, no trailing slash) allowed to read segments cross-origin; empty = none. */
  viewerOrigins: string[];
  /** Longest MP4 export range, ms. */
  exportMaxDurationMs: number;
  /** Most stored segment bytes one MP4 export reads. */
  exportMaxBytes: number;
  /** Configured ffmpeg binary; `undefined` = the npm-installed one (functions/adapters/ffmpeg-path.ts). */
  ffmpegPath?: string;
  /** Without trailing slash; `undefined` = use the request's origin. */
  publicBaseUrl?: string;
  /** Archive retention of cameras without a policy, as configured (`P7D`). */
  retentionDefault: string;
  /** Where integration events go (issue 3 §5). */
  integrationEvents: IntegrationEventsSettings;
  /** How long activate/deactivate wait for the device's `pipeline.state` report before answering 202, ms. */
  pipelineStateWaitMs: number;
}

/** Names of the settings the Event Hubs trigger binding resolves (`%NAME%` and `connection`). */
export const TRIGGER_SETTINGS = {
  eventHubConnection: 'KEEPWATCH_EVENTHUB',
  deviceEventsHub: 'KEEPWATCH_DEVICE_EVENTS_HUB',
  deviceEventsConsumerGroup: 'KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP',
} as const;

/** Defaults, in one place. */
export const SETTINGS_DEFAULTS = {
  recordingsContainer: 'recordings',
  tablePrefix: 'kw',
  playbackTtl: 'PT1H',
  exportMaxDuration: 'PT1H',
  exportMaxBytes: 2 * 1024 ** 3,
  retentionDefault: RECORDING_POLICY_DEFAULTS.archive,
  retentionSchedule: '0 5 * * * *',
  mqttUsername: 'keepwatch-cloud',
  pipelineStateWait: 'PT30S',
} as const;

/**
 * Longest `KEEPWATCH_PIPELINE_STATE_WAIT`: well below the 230 s an HTTP-triggered function may take to respond whatever
 * its timeout (Azure Load Balancer idle timeout; MicrosoftDocs/azure-docs includes/functions-timeout-duration.md).
 */
export const PIPELINE_STATE_WAIT_MAX_MS = 3 * MINUTE_MS;

export const PLAYBACK_TTL_MIN_MS = MINUTE_MS;
export const PLAYBACK_TTL_MAX_MS = DAY_MS;
export const PLAYBACK_TOKEN_SECRET_MIN_CHARS = 32;
/** A user-delegation key, hence its SAS, lives at most 7 days (azure-stack-notes.md §3). */
export const SEGMENT_SAS_TTL_MAX_MS = 7 * DAY_MS;
export const EXPORT_MAX_DURATION_MIN_MS = SECOND_MS;
export const EXPORT_MAX_DURATION_MAX_MS = DAY_MS;

/**
 * Validates the settings in `env` (pure: no caching).
 * @throws ValidationError `InvalidSetting` naming the setting and what it must be
 */
export function parseSettings(env: Record<string, string | undefined>): FunctionsSettings {
  const storageConnectionString = required(env, 'KEEPWATCH_STORAGE_CONNECTION_STRING');
  if (!/(^|;)\s*(UseDevelopmentStorage=true|AccountName=[^;]+)/i.test(storageConnectionString)) {
    fail('KEEPWATCH_STORAGE_CONNECTION_STRING', 'is not a storage connection string (expected AccountName=...;AccountKey=...;... or UseDevelopmentStorage=true)');
  }

  const recordingsContainer = env.KEEPWATCH_RECORDINGS_CONTAINER || SETTINGS_DEFAULTS.recordingsContainer;
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(recordingsContainer)) {
    fail('KEEPWATCH_RECORDINGS_CONTAINER', `${JSON.stringify(recordingsContainer)} is not a container name (3 to 63 characters from a-z, 0-9 and single '-', starting and ending with a letter or digit)`);
  }

  const tablePrefix = env.KEEPWATCH_TABLE_PREFIX || SETTINGS_DEFAULTS.tablePrefix;
  // Table names: ^[A-Za-z][A-Za-z0-9]{2,62}$; the longest suffix, 'DeadLetters', has 11 characters.
  if (!/^[A-Za-z][A-Za-z0-9]{0,51}$/.test(tablePrefix)) {
    fail('KEEPWATCH_TABLE_PREFIX', `${JSON.stringify(tablePrefix)} must be 1 to 52 letters and digits starting with a letter`);
  }

  const playbackTokenSecret = required(env, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET');
  if (playbackTokenSecret.length < PLAYBACK_TOKEN_SECRET_MIN_CHARS) {
    fail('KEEPWATCH_PLAYBACK_TOKEN_SECRET', `has ${playbackTokenSecret.length} characters; use at least ${PLAYBACK_TOKEN_SECRET_MIN_CHARS} random characters`);
  }

  const ttlText = env.KEEPWATCH_PLAYBACK_TTL || SETTINGS_DEFAULTS.playbackTtl;
  const playbackTtlMs = durationSetting('KEEPWATCH_PLAYBACK_TTL', ttlText, PLAYBACK_TTL_MIN_MS, PLAYBACK_TTL_MAX_MS);
  // The playlist is fetched while its token is valid, so SAS URLs counted from that fetch outlive the token.
  const segmentSasTtlMs = env.KEEPWATCH_SEGMENT_SAS_TTL
    ? durationSetting('KEEPWATCH_SEGMENT_SAS_TTL', env.KEEPWATCH_SEGMENT_SAS_TTL, PLAYBACK_TTL_MIN_MS, SEGMENT_SAS_TTL_MAX_MS)
    : playbackTtlMs;
  if (segmentSasTtlMs < playbackTtlMs) {
    fail('KEEPWATCH_SEGMENT_SAS_TTL', `${env.KEEPWATCH_SEGMENT_SAS_TTL} is shorter than KEEPWATCH_PLAYBACK_TTL ${ttlText}: segment URLs must live at least as long as the playlist URL`);
  }

  const viewerOrigins = parseOrigins(env.KEEPWATCH_VIEWER_ORIGINS ?? '');

  const exportMaxDurationMs = durationSetting(
    'KEEPWATCH_EXPORT_MAX_DURATION',
    env.KEEPWATCH_EXPORT_MAX_DURATION || SETTINGS_DEFAULTS.exportMaxDuration,
    EXPORT_MAX_DURATION_MIN_MS,
    EXPORT_MAX_DURATION_MAX_MS,
  );
  let exportMaxBytes: number = SETTINGS_DEFAULTS.exportMaxBytes;
  if (env.KEEPWATCH_EXPORT_MAX_BYTES) {
    exportMaxBytes = Number(env.KEEPWATCH_EXPORT_MAX_BYTES);
    if (!/^\d{1,15}$/.test(env.KEEPWATCH_EXPORT_MAX_BYTES) || exportMaxBytes < 1) {
      fail('KEEPWATCH_EXPORT_MAX_BYTES', `${JSON.stringify(env.KEEPWATCH_EXPORT_MAX_BYTES)} is not a positive whole number of bytes`);
    }
  }
  const ffmpegPath = env.FFMPEG_PATH?.trim() || undefined;

  let publicBaseUrl: string | undefined;
  if (env.KEEPWATCH_PUBLIC_BASE_URL) {
    let url: URL | undefined;
    try {
      url = new URL(env.KEEPWATCH_PUBLIC_BASE_URL);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
      fail('KEEPWATCH_PUBLIC_BASE_URL', `${JSON.stringify(env.KEEPWATCH_PUBLIC_BASE_URL)} is not an http(s) URL without credentials, query or fragment`);
    }
    publicBaseUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  }

  const retentionDefault = env.KEEPWATCH_RETENTION_DEFAULT || SETTINGS_DEFAULTS.retentionDefault;
  try {
    parseRetentionDays(retentionDefault, 'KEEPWATCH_RETENTION_DEFAULT');
  } catch (err) {
    throw new ValidationError(`setting ${(err as Error).message}`, undefined, 'InvalidSetting');
  }

  return {
    storageConnectionString,
    recordingsContainer,
    tablePrefix,
    tables: {
      segments: `${tablePrefix}Segments`,
      cameras: `${tablePrefix}Cameras`,
      availability: `${tablePrefix}Availability`,
      deadLetters: `${tablePrefix}DeadLetters`,
      gaps: `${tablePrefix}Gaps`,
      policies: `${tablePrefix}Policies`,
      holds: `${tablePrefix}Holds`,
      retention: `${tablePrefix}Retention`,
      events: `${tablePrefix}Events`,
      recordings: `${tablePrefix}Recordings`,
      gates: `${tablePrefix}Gates`,
      pipelines: `${tablePrefix}Pipelines`,
    },
    mqtt: parseMqtt(env),
    playbackTokenSecret,
    playbackTtlMs,
    segmentSasTtlMs,
    viewerOrigins,
    exportMaxDurationMs,
    exportMaxBytes,
    ffmpegPath,
    publicBaseUrl,
    retentionDefault,
    integrationEvents: parseIntegrationEventsSettings(env),
    pipelineStateWaitMs: durationSetting('KEEPWATCH_PIPELINE_STATE_WAIT', env.KEEPWATCH_PIPELINE_STATE_WAIT || SETTINGS_DEFAULTS.pipelineStateWait, 0, PIPELINE_STATE_WAIT_MAX_MS),
  };
}

// --- Integration events transport (issue 3 §5) -------------------------------------------------------------------

/**
 * The integration events sink, chosen by the settings: the integration Event Hub when `KEEPWATCH_INTEGRATION_EVENTS_HUB`
 * is set, else the cloud's MQTT broker when `KEEPWATCH_MQTT_URL` is set, else the `{prefix}Events` table.
 */
export type IntegrationEventsSettings =
  | { sink: 'event-hub'; hubName: string; /** secret: never logged */ connectionString: string }
  | { sink: 'mqtt'; url: string; username: string; /** secret: never logged */ password?: string }
  | { sink: 'table' };

/** Default MQTT user name of the cloud side (KEEPWATCH_MQTT_USERNAME). */
export const MQTT_USERNAME_DEFAULT = SETTINGS_DEFAULTS.mqttUsername;

/**
 * Reads the integration events settings: `KEEPWATCH_INTEGRATION_EVENTS_HUB` (Event Hub name, 1..256 of letters,
 * digits, `.`, `_`, `-`) with the connection string in `KEEPWATCH_EVENTHUB` (`Endpoint=sb://...;SharedAccessKeyName=
 * ...;SharedAccessKey=...`, the connection the device-events trigger uses); `KEEPWATCH_MQTT_URL` (`mqtt://` or
 * `mqtts://`), `KEEPWATCH_MQTT_USERNAME` (default {@link MQTT_USERNAME_DEFAULT}), `KEEPWATCH_MQTT_PASSWORD`.
 * Identity-based Event Hubs access (`KEEPWATCH_EVENTHUB__fullyQualifiedNamespace`) needs `@azure/identity`, which is
 * not installed: it is refused with a message saying so.
 * @throws ValidationError `InvalidSetting` naming the setting (never echoing a secret)
 */
export function parseIntegrationEventsSettings(env: Record<string, string | undefined>): IntegrationEventsSettings {
  const hubName = env.KEEPWATCH_INTEGRATION_EVENTS_HUB?.trim();
  if (hubName) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/.test(hubName)) {
      fail('KEEPWATCH_INTEGRATION_EVENTS_HUB', `${JSON.stringify(hubName)} is not an Event Hub name (letters, digits, '.', '_', '-', starting with a letter or digit)`);
    }
    const connectionString = env.KEEPWATCH_EVENTHUB?.trim();
    if (!connectionString) {
      const identity = env.KEEPWATCH_EVENTHUB__fullyQualifiedNamespace ? ' (identity-based KEEPWATCH_EVENTHUB__fullyQualifiedNamespace needs @azure/identity, which is not installed)' : '';
      fail('KEEPWATCH_EVENTHUB', `is required when KEEPWATCH_INTEGRATION_EVENTS_HUB is set: an Event Hubs connection string${identity}`);
    }
    if (!/(^|;)\s*Endpoint=sb:\/\/[^;]+/i.test(connectionString!) || !/(^|;)\s*SharedAccessKey(Name)?=/i.test(connectionString!)) {
      fail('KEEPWATCH_EVENTHUB', 'is not an Event Hubs connection string (expected Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...)');
    }
    return { sink: 'event-hub', hubName, connectionString: connectionString! };
  }
  const mqtt = parseMqtt(env);
  if (mqtt.url) return mqtt.password === undefined ? { sink: 'mqtt', url: mqtt.url, username: mqtt.username } : { sink: 'mqtt', url: mqtt.url, username: mqtt.username, password: mqtt.password };
  return { sink: 'table' };
}

/**
 * The retention timer's NCRONTAB schedule from `KEEPWATCH_RETENTION_SCHEDULE` (default {@link SETTINGS_DEFAULTS}
 * `retentionSchedule`, hourly at minute 5). Read when functions/retention.ts registers the timer, before any handler
 * runs, so it does not need the other settings. Checked for shape only (6 space-separated fields); croner locally and
 * the Functions host in Azure check the fields themselves.
 * @throws ValidationError `InvalidSetting` when it does not have 6 fields
 */
export function retentionSchedule(env: Record<string, string | undefined> = process.env): string {
  const schedule = (env.KEEPWATCH_RETENTION_SCHEDULE || SETTINGS_DEFAULTS.retentionSchedule).trim();
  if (schedule.split(/\s+/).length !== 6) {
    fail('KEEPWATCH_RETENTION_SCHEDULE', `${JSON.stringify(schedule)} is not a 6-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}, UTC)`);
  }
  return schedule;
}

let cached: FunctionsSettings | undefined;

/**
 * The process's settings from `process.env`, validated on first use and cached.
 * @throws ValidationError `InvalidSetting` naming the setting
 */
export function settings(): FunctionsSettings {
  return (cached ??= parseSettings(process.env));
}

/** Forgets the cached settings, so the next {@link settings} call reads `process.env` again (tests, local host). */
export function resetSettings(): void {
  cached = undefined;
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') fail(name, 'is required but not set');
  return value!;
}

function durationSetting(name: string, text: string, minMs: number, maxMs: number): number {
  let ms: number;
  try {
    ms = parseIsoDuration(text, name);
  } catch (err) {
    throw new ValidationError(`setting ${(err as Error).message}`, undefined, 'InvalidSetting');
  }
  if (ms < minMs || ms > maxMs) fail(name, `${text} is outside ${toIsoDuration(minMs)}..${toIsoDuration(maxMs)}`);
  return ms;
}

/** `KEEPWATCH_MQTT_URL` / `_USERNAME` / `_PASSWORD`: the broker the EVR policy sends device commands to. */
function parseMqtt(env: Record<string, string | undefined>): FunctionsSettings['mqtt'] {
  const text = env.KEEPWATCH_MQTT_URL?.trim() || undefined;
  const username = env.KEEPWATCH_MQTT_USERNAME?.trim() || SETTINGS_DEFAULTS.mqttUsername;
  const password = env.KEEPWATCH_MQTT_PASSWORD || undefined;
  if (text === undefined) return { username, password };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^mqtts?:$/.test(url.protocol) || !url.hostname || url.username || url.password) {
    fail('KEEPWATCH_MQTT_URL', 'is not an mqtt:// or mqtts:// URL with a host and no credentials (put them in KEEPWATCH_MQTT_USERNAME and KEEPWATCH_MQTT_PASSWORD)');
  }
  return { url: text, username, password };
}

/** `KEEPWATCH_VIEWER_ORIGINS`: comma-separated `http(s)://host[:port]` origins, as browsers send them in `Origin`. */
function parseOrigins(text: string): string[] {
  const origins: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(part);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== part.replace(/\/$/, '')) {
      fail('KEEPWATCH_VIEWER_ORIGINS', `entry ${JSON.stringify(part)} is not an origin such as https://viewer.example.com (scheme, host and optional port; no path)`);
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

function fail(name: string, problem: string): never {
  // Never echo secret values: messages name the setting and the rule only (values only for non-secrets).
  throw new ValidationError(`setting ${name} ${problem}`, undefined, 'InvalidSetting');
}
