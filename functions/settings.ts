import { ValidationError } from '../shared/errors';
import { RECORDING_POLICY_DEFAULTS, parseRetentionDays } from '../shared/schemas/recording-policy';
import { DAY_MS, MINUTE_MS, SECOND_MS, parseIsoDuration, toIsoDuration } from '../shared/time';

/**
 * App settings of the cloud functions. This module is the only place the functions side reads `process.env`;
 * in Azure they are Function App settings, locally `local/start.ts` sets them.
 *
 * | setting | meaning |
 * |---|---|
 * | `KEEPWATCH_STORAGE_CONNECTION_STRING` | storage account (Blob + Table) connection string with an account key (Azurite, dev accounts): service SAS playback URLs. Either this or the `KEEPWATCH_STORAGE__*` identity settings, never both |
 * | `KEEPWATCH_STORAGE__blobServiceUri` | identity-based storage (the Functions host's identity connection convention): `https://{account}.blob.core.windows.net` (or a path-style `https://host:port/{account}`); the account name comes from it. User-delegation SAS playback URLs |
 * | `KEEPWATCH_STORAGE__tableServiceUri` | identity-based storage: the same account's table endpoint; required with `__blobServiceUri` |
 * | `KEEPWATCH_STORAGE__credential` | `managedidentity` = `ManagedIdentityCredential` (Azure); unset = `DefaultAzureCredential` (a developer's `az login`, environment variables, or a managed identity) |
 * | `KEEPWATCH_STORAGE__clientId` | client id (GUID) of the user-assigned managed identity; only with `__credential=managedidentity`; unset = the system-assigned identity |
 * | `KEEPWATCH_RECORDINGS_CONTAINER` | segment container, default `recordings` |
 * | `KEEPWATCH_TABLE_PREFIX` | table name prefix, default `kw`: tables `{prefix}Segments`, `{prefix}Cameras`, `{prefix}Availability`, `{prefix}DeadLetters`, `{prefix}Gaps`, `{prefix}Policies`, `{prefix}Holds`, `{prefix}Retention`, `{prefix}Events`, `{prefix}Recordings`, `{prefix}Gates`, `{prefix}Devices`, `{prefix}Pipelines` |
 * | `KEEPWATCH_PLAYBACK_TOKEN_SECRET` | required, ≥ 32 characters; HMAC key of playlist URLs (signs and verifies; its key id goes in each URL as `kid`) |
 * | `KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS` | optional, ≥ 32 characters, not the current one; during a rotation, the key that signed URLs still out: they play until they expire, then remove it (docs/security.md "Rotating the playback key") |
 * | `KEEPWATCH_PLAYBACK_TTL` | ISO 8601 duration a playback (playlist) URL lives, default PT1H, PT1M..P1D |
 * | `KEEPWATCH_SEGMENT_SAS_TTL` | ISO 8601 duration the segment SAS URLs in a playlist live, counted from the playlist request; default = `KEEPWATCH_PLAYBACK_TTL`, at least that, at most P7D (a user-delegation key's limit) |
 * | `KEEPWATCH_OFFLINE_HORIZON` | ISO 8601, default P31D, P1D..P3650D: the longest a device may cache a segment or an event and still deliver it. Segment starts and event times outside [now − this, now + 5 min] are refused by upload-urls (400 `TimeOutOfRange`) and dead-lettered by ingest (shared/device-time-window.ts) |
 * | `KEEPWATCH_DEVICE_SAS_TTL` | ISO 8601 lifetime of the create-only upload URLs handed to devices (`POST /api/devices/{deviceId}/upload-urls`), default PT15M, PT2M..P1D (the agent never uses a URL with less than 1 min left) |
 * | `KEEPWATCH_VIEWER_ORIGINS` | comma-separated browser origins (`https://viewer.example.com`) allowed to fetch segments cross-origin (Blob CORS); default none. Applied to Azurite by the local stack; in Azure by Bicep (infra/) |
 * | `KEEPWATCH_EXPORT_MAX_DURATION` | longest MP4 export range, ISO 8601, default PT1H, PT1S..P1D |
 * | `KEEPWATCH_EXPORT_MAX_BYTES` | most stored segment bytes one MP4 export reads, integer bytes, default 2147483648 (2 GiB) |
 * | `FFMPEG_PATH` | optional ffmpeg binary for MP4 export; default as the agent chooses (shared/ffmpeg/choose-ffmpeg.ts): `ffmpeg-static`, the system ffmpeg ≥ 5, then the `@ffmpeg-installer/ffmpeg` package's binary |
 * | `KEEPWATCH_RETENTION_DEFAULT` | archive retention of cameras without a policy, ISO 8601 whole days P1D..P3650D, default P7D (AVA `retentionPeriod`) |
 * | `KEEPWATCH_RETENTION_MAX` | longest retention a camera policy may set (`archive` and `recordings`), ISO 8601 whole days P1D..P3650D, default P3650D; at least `KEEPWATCH_RETENTION_DEFAULT`. infra/ sets it to `longestRetentionDays`, which the storage lifecycle backstop waits out (plus a margin) before it deletes an unheld segment: no policy may keep media longer than the backstop (docs/security.md "Holds hold in Azure too") |
 * | `KEEPWATCH_RETENTION_SCHEDULE` | NCRONTAB (6 fields, UTC) of the retention timer, default `0 5 * * * *` (hourly at :05); read at registration by {@link retentionSchedule} |
 * | `KEEPWATCH_MQTT_URL` | optional `mqtt://` or `mqtts://` URL of the cloud's broker: the EVR policy publishes upload-window commands there (QoS 1; unset = commands are not sent and a warning is logged per batch), and, without an integration hub, the integration events on `keepwatch-integration/{type}` |
 * | `KEEPWATCH_MQTT_USERNAME` | user name for `KEEPWATCH_MQTT_URL`, default `keepwatch-cloud` |
 * | `KEEPWATCH_MQTT__credential` | optional; `managedidentity` = authenticate to the broker with a Microsoft Entra token of the Function App's managed identity (MQTT 5 enhanced authentication `OAUTH2-JWT`, scope `https://eventgrid.azure.net/.default`; Event Grid's MQTT broker in Azure) instead of `KEEPWATCH_MQTT_PASSWORD`; needs an `mqtts://` URL. Unset = user name and password (the local broker). Same convention as `KEEPWATCH_STORAGE__credential` |
 * | `KEEPWATCH_MQTT__clientId` | client id of the user-assigned managed identity whose token is used with `KEEPWATCH_MQTT__credential=managedidentity`; unset = the system-assigned identity |
 * | `KEEPWATCH_MQTT_PASSWORD` | password for `KEEPWATCH_MQTT_URL`, optional (secret) |
 * | `KEEPWATCH_PUBLIC_BASE_URL` | `https://host[:port][/path]` put in front of `/api/...` in playback URLs; never the request's `Host`. Unset: only requests to a loopback address (a development host) get their own origin, others a 500 (functions/http/public-base-url.ts); infra/ sets it to the app's host name |
 * | `KEEPWATCH_PIPELINE_STATE_WAIT` | how long `POST .../livePipelines/{name}/activate` and `/deactivate` wait for the device to report the new state before answering 202, ISO 8601, default PT30S, PT0S..PT3M (the Functions HTTP timeout is 230 s) |
 * | `KEEPWATCH_INTEGRATION_EVENTS_HUB` | optional name of the integration Event Hub; integration events go there through the `KEEPWATCH_EVENTHUB` connection string, or the identity-based `KEEPWATCH_EVENTHUB__fullyQualifiedNamespace` (+ `__credential`, `__clientId`) that the ingest trigger uses too ({@link parseIntegrationEventsSettings}); else to `KEEPWATCH_MQTT_URL`; neither → the `{prefix}Events` table |
 *
 * Read by the Functions host itself, not by this module (see {@link TRIGGER_SETTINGS}):
 * `KEEPWATCH_EVENTHUB` (Event Hubs connection; `KEEPWATCH_EVENTHUB__fullyQualifiedNamespace` for identity),
 * `KEEPWATCH_DEVICE_EVENTS_HUB`, `KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP`.
 */
export interface FunctionsSettings {
  /** How the functions reach the storage account (Blob + Table): key or identity ({@link parseStorageSettings}). */
  storage: StorageSettings;
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
    /** EVR signal gate rows, one per camera (functions/adapters/table/table-gate-store.ts). */
    gates: string;
    /** Provisioned devices: secret hash and cameras (functions/adapters/table/table-device-store.ts; docs/devices.md). */
    devices: string;
    /** AVA pipeline topologies and live pipelines, one partition per device (functions/adapters/table/table-pipeline-store.ts). */
    pipelines: string;
  };
  /** Broker of the cloud's device commands (EVR upload windows); `url` undefined = commands are not sent. */
  mqtt: MqttSettings;
  playbackTokenSecret: string;
  /** The key being rotated out (`KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS`): verifies playlist URLs, never signs. */
  playbackTokenPreviousSecret?: string;
  /** Lifetime of a playback (playlist) URL, ms. */
  playbackTtlMs: number;
  /** Lifetime of the segment SAS URLs in a playlist, from the playlist request, ms; ≥ playbackTtlMs. */
  segmentSasTtlMs: number;
  /** Lifetime of the create-only upload URLs handed to devices, ms (docs/devices.md). */
  deviceSasTtlMs: number;
  /** How old a segment start or device event time may be and still be accepted, ms (`KEEPWATCH_OFFLINE_HORIZON`). */
  offlineHorizonMs: number;
  /** Origins (`scheme://host[:port]`, no trailing slash) allowed to read segments cross-origin; empty = none. */
  viewerOrigins: string[];
  /** Longest MP4 export range, ms. */
  exportMaxDurationMs: number;
  /** Most stored segment bytes one MP4 export reads. */
  exportMaxBytes: number;
  /** Configured ffmpeg binary; `undefined` = chosen as the agent chooses (functions/adapters/ffmpeg/ffmpeg-path.ts). */
  ffmpegPath?: string;
  /** Without trailing slash; `undefined` = the request's origin for loopback requests only (functions/http/public-base-url.ts). */
  publicBaseUrl?: string;
  /** Archive retention of cameras without a policy, as configured (`P7D`). */
  retentionDefault: string;
  /** Longest retention a camera policy may set, ms (`KEEPWATCH_RETENTION_MAX`; functions/retention/retention-max.ts). */
  retentionMaxMs: number;
  /** Where integration events go. */
  integrationEvents: IntegrationEventsSettings;
  /** How long activate/deactivate wait for the device's `pipeline.state` report before answering 202, ms. */
  pipelineStateWaitMs: number;
}

/**
 * The cloud's MQTT connection: broker URL, user name, and either a password (local brokers) or a managed identity
 * whose Entra token authenticates it (Event Grid, `KEEPWATCH_MQTT__credential=managedidentity`).
 */
export interface MqttSettings {
  /** `mqtt://` or `mqtts://` URL; undefined = no broker. */
  url?: string;
  username: string;
  /** Secret: never logged. Never set together with `managedIdentity`. */
  password?: string;
  /** Present = Entra JWT (`OAUTH2-JWT`) from this managed identity; `clientId` undefined = the system-assigned one. */
  managedIdentity?: { clientId?: string };
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
  deviceSasTtl: 'PT15M',
  offlineHorizon: 'P31D',
  exportMaxDuration: 'PT1H',
  exportMaxBytes: 2 * 1024 ** 3,
  retentionDefault: RECORDING_POLICY_DEFAULTS.archive,
  retentionMax: 'P3650D',
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
/** A user-delegation key, hence its SAS, lives at most 7 days (Azure Storage docs, "Create a user delegation SAS"). */
export const SEGMENT_SAS_TTL_MAX_MS = 7 * DAY_MS;
/** Bounds of KEEPWATCH_DEVICE_SAS_TTL: above the agent's 1 min refresh margin, at most a day. */
export const DEVICE_SAS_TTL_MIN_MS = 2 * MINUTE_MS;
export const DEVICE_SAS_TTL_MAX_MS = DAY_MS;
/** Bounds of KEEPWATCH_OFFLINE_HORIZON: a day, up to the longest retention (nothing older than that is kept anyway). */
export const OFFLINE_HORIZON_MIN_MS = DAY_MS;
export const OFFLINE_HORIZON_MAX_MS = 3650 * DAY_MS;
export const EXPORT_MAX_DURATION_MIN_MS = SECOND_MS;
export const EXPORT_MAX_DURATION_MAX_MS = DAY_MS;

/**
 * Validates the settings in `env` (pure: no caching).
 * @throws ValidationError `InvalidSetting` naming the setting and what it must be
 */
export function parseSettings(env: Record<string, string | undefined>): FunctionsSettings {
  const storage = parseStorageSettings(env);

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

  const playbackTokenPreviousSecret = env.KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS || undefined;
  if (playbackTokenPreviousSecret !== undefined) {
    if (playbackTokenPreviousSecret.length < PLAYBACK_TOKEN_SECRET_MIN_CHARS) {
      fail('KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS', `has ${playbackTokenPreviousSecret.length} characters; it must be the earlier KEEPWATCH_PLAYBACK_TOKEN_SECRET (at least ${PLAYBACK_TOKEN_SECRET_MIN_CHARS} characters)`);
    }
    if (playbackTokenPreviousSecret === playbackTokenSecret) {
      fail('KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS', 'equals KEEPWATCH_PLAYBACK_TOKEN_SECRET: set the new key as the current one and the old key as the previous one');
    }
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

  const deviceSasTtlMs = durationSetting('KEEPWATCH_DEVICE_SAS_TTL', env.KEEPWATCH_DEVICE_SAS_TTL || SETTINGS_DEFAULTS.deviceSasTtl, DEVICE_SAS_TTL_MIN_MS, DEVICE_SAS_TTL_MAX_MS);

  const offlineHorizonMs = durationSetting('KEEPWATCH_OFFLINE_HORIZON', env.KEEPWATCH_OFFLINE_HORIZON || SETTINGS_DEFAULTS.offlineHorizon, OFFLINE_HORIZON_MIN_MS, OFFLINE_HORIZON_MAX_MS);

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
  const retentionMax = env.KEEPWATCH_RETENTION_MAX || SETTINGS_DEFAULTS.retentionMax;
  let retentionMaxMs = 0;
  try {
    const defaultMs = parseRetentionDays(retentionDefault, 'KEEPWATCH_RETENTION_DEFAULT');
    retentionMaxMs = parseRetentionDays(retentionMax, 'KEEPWATCH_RETENTION_MAX');
    if (defaultMs > retentionMaxMs) fail('KEEPWATCH_RETENTION_DEFAULT', `${retentionDefault} is longer than KEEPWATCH_RETENTION_MAX ${retentionMax}`);
  } catch (err) {
    if ((err as ValidationError).code === 'InvalidSetting') throw err;
    throw new ValidationError(`setting ${(err as Error).message}`, undefined, 'InvalidSetting');
  }

  return {
    storage,
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
      devices: `${tablePrefix}Devices`,
      pipelines: `${tablePrefix}Pipelines`,
    },
    mqtt: parseMqtt(env),
    playbackTokenSecret,
    ...(playbackTokenPreviousSecret === undefined ? {} : { playbackTokenPreviousSecret }),
    playbackTtlMs,
    segmentSasTtlMs,
    deviceSasTtlMs,
    offlineHorizonMs,
    viewerOrigins,
    exportMaxDurationMs,
    exportMaxBytes,
    ffmpegPath,
    publicBaseUrl,
    retentionDefault,
    retentionMaxMs,
    integrationEvents: parseIntegrationEventsSettings(env),
    pipelineStateWaitMs: durationSetting('KEEPWATCH_PIPELINE_STATE_WAIT', env.KEEPWATCH_PIPELINE_STATE_WAIT || SETTINGS_DEFAULTS.pipelineStateWait, 0, PIPELINE_STATE_WAIT_MAX_MS),
  };
}

// --- Storage access: account key or identity (docs/deploy.md) ------------------------------------------------------

/**
 * How the functions reach the storage account.
 * - `connection-string`: `KEEPWATCH_STORAGE_CONNECTION_STRING` (Azurite, dev accounts); playback segments get a
 *   service SAS signed with the account key.
 * - `identity`: the Functions host's identity-based connection convention
 *   (learn.microsoft.com/azure/azure-functions/functions-reference#configure-an-identity-based-connection):
 *   `KEEPWATCH_STORAGE__blobServiceUri`, `__tableServiceUri`, `__credential`, `__clientId`; every request carries an
 *   Entra ID token, no account key exists anywhere, and playback segments get a user-delegation SAS.
 */
export type StorageSettings =
  | { kind: 'connection-string'; /** secret: never logged */ connectionString: string }
  | {
      kind: 'identity';
      /** Blob service endpoint, https, without trailing slash. */
      blobServiceUri: string;
      /** Table service endpoint, https, without trailing slash. */
      tableServiceUri: string;
      /** Storage account name, taken from `blobServiceUri` (host's first label, or the first path part of a path-style URI). */
      accountName: string;
      /** `managedidentity` → ManagedIdentityCredential; `default` (no `__credential`) → DefaultAzureCredential. */
      credential: 'managedidentity' | 'default';
      /** Client id of the user-assigned managed identity; `undefined` = system-assigned. */
      clientId?: string;
    };

/** The identity-based storage settings, by their part name after `KEEPWATCH_STORAGE__`. */
const STORAGE_IDENTITY_PARTS = ['blobServiceUri', 'tableServiceUri', 'credential', 'clientId'] as const;

/**
 * Reads the storage access settings: EITHER `KEEPWATCH_STORAGE_CONNECTION_STRING` OR `KEEPWATCH_STORAGE__blobServiceUri`
 * + `KEEPWATCH_STORAGE__tableServiceUri` (+ optional `__credential` = `managedidentity`, + optional `__clientId`).
 * @throws ValidationError `InvalidSetting` when both or neither kind is set, an identity part is missing, a URI is not
 *   an https service endpoint, the two URIs name different accounts, `__credential` is not `managedidentity`, or
 *   `__clientId` is not a GUID or comes without `__credential=managedidentity` (messages never echo the connection string)
 */
export function parseStorageSettings(env: Record<string, string | undefined>): StorageSettings {
  const connectionString = env.KEEPWATCH_STORAGE_CONNECTION_STRING?.trim() || undefined;
  const identity = {
    blobServiceUri: env.KEEPWATCH_STORAGE__blobServiceUri?.trim() || undefined,
    tableServiceUri: env.KEEPWATCH_STORAGE__tableServiceUri?.trim() || undefined,
    credential: env.KEEPWATCH_STORAGE__credential?.trim() || undefined,
    clientId: env.KEEPWATCH_STORAGE__clientId?.trim() || undefined,
  };
  const identitySet = STORAGE_IDENTITY_PARTS.filter((p) => identity[p] !== undefined).map((p) => `KEEPWATCH_STORAGE__${p}`);
  if (connectionString && identitySet.length) {
    fail('KEEPWATCH_STORAGE_CONNECTION_STRING', `and ${identitySet.join(', ')} are both set: use either the connection string (account key) or the identity-based KEEPWATCH_STORAGE__* settings, not both`);
  }
  if (connectionString) {
    if (!/(^|;)\s*(UseDevelopmentStorage=true|AccountName=[^;]+)/i.test(connectionString)) {
      fail('KEEPWATCH_STORAGE_CONNECTION_STRING', 'is not a storage connection string (expected AccountName=...;AccountKey=...;... or UseDevelopmentStorage=true)');
    }
    return { kind: 'connection-string', connectionString };
  }
  if (!identitySet.length) {
    fail('KEEPWATCH_STORAGE_CONNECTION_STRING', 'is required but not set, nor are the identity-based KEEPWATCH_STORAGE__blobServiceUri and KEEPWATCH_STORAGE__tableServiceUri: set one of the two');
  }
  if (!identity.blobServiceUri) fail('KEEPWATCH_STORAGE__blobServiceUri', `is required with ${identitySet.join(', ')} (identity-based storage)`);
  if (!identity.tableServiceUri) fail('KEEPWATCH_STORAGE__tableServiceUri', `is required with ${identitySet.join(', ')} (identity-based storage)`);
  const blob = serviceUri('KEEPWATCH_STORAGE__blobServiceUri', identity.blobServiceUri!, 'blob');
  const table = serviceUri('KEEPWATCH_STORAGE__tableServiceUri', identity.tableServiceUri!, 'table');
  if (blob.accountName !== table.accountName) {
    fail('KEEPWATCH_STORAGE__tableServiceUri', `names account '${table.accountName}' but KEEPWATCH_STORAGE__blobServiceUri names '${blob.accountName}': both must be the same storage account`);
  }
  const { credential, clientId } = parseEntraIdentity(env, 'KEEPWATCH_STORAGE');
  const settings: StorageSettings = { kind: 'identity', blobServiceUri: blob.uri, tableServiceUri: table.uri, accountName: blob.accountName, credential };
  return clientId ? { ...settings, clientId } : settings;
}

/** The Entra ID identity of an identity-based connection: which credential, and which user-assigned identity. */
export interface EntraIdentity {
  /** `managedidentity` → ManagedIdentityCredential; `default` (no `__credential`) → DefaultAzureCredential. */
  credential: 'managedidentity' | 'default';
  /** Client id of the user-assigned managed identity; `undefined` = system-assigned. */
  clientId?: string;
}

/**
 * Reads `{prefix}__credential` (`managedidentity` or unset) and `{prefix}__clientId` (a GUID, only with
 * `managedidentity`); `whenUnset` names what an unset `__credential` means, for the error message: the Functions host's convention for identity-based connections
 * (learn.microsoft.com/azure/azure-functions/functions-reference#common-properties-for-identity-based-connections).
 * @throws ValidationError `InvalidSetting` for another `__credential`, or a `__clientId` that is not a GUID or comes
 *   without `__credential=managedidentity`
 */
export function parseEntraIdentity(env: Record<string, string | undefined>, prefix: string, whenUnset = 'DefaultAzureCredential'): EntraIdentity {
  const given = env[`${prefix}__credential`]?.trim() || undefined;
  const clientId = env[`${prefix}__clientId`]?.trim() || undefined;
  if (given !== undefined && given.toLowerCase() !== 'managedidentity') {
    fail(`${prefix}__credential`, `${JSON.stringify(given)} is not supported: use managedidentity, or leave it unset for ${whenUnset}`);
  }
  const credential = given ? 'managedidentity' : 'default';
  if (clientId !== undefined) {
    if (credential !== 'managedidentity') fail(`${prefix}__clientId`, `only applies with ${prefix}__credential=managedidentity`);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) {
      fail(`${prefix}__clientId`, `${JSON.stringify(clientId)} is not a client id (a GUID such as 00000000-0000-0000-0000-000000000000)`);
    }
  }
  return clientId ? { credential, clientId } : { credential };
}

/**
 * An https service endpoint and the account it names: `https://{account}.{service}.core.windows.net` (any suffix:
 * the host's first label) or path-style `https://{ip or localhost}[:port]/{account}` (Azurite).
 */
function serviceUri(name: string, text: string, service: 'blob' | 'table'): { uri: string; accountName: string } {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.search || url.hash || url.username || url.password) {
    fail(name, `${JSON.stringify(text)} is not an https ${service} service URI without credentials, query or fragment (e.g. https://myaccount.${service}.core.windows.net)`);
  }
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]|localhost)$/i.test(url.hostname);
  const path = url.pathname.replace(/\/+$/, '');
  const accountName = pathStyle ? path.split('/')[1] ?? '' : url.hostname.split('.')[0];
  if (!/^[a-z0-9]{3,24}$/.test(accountName) || (!pathStyle && path !== '') || (pathStyle && path !== `/${accountName}`)) {
    fail(name, `${JSON.stringify(text)} does not name a storage account (expected https://{account}.${service}.core.windows.net, or https://{ip}:{port}/{account} for the emulator; account names are 3 to 24 lowercase letters and digits)`);
  }
  return { uri: `${url.origin}${path}`, accountName };
}

// --- Integration events transport -------------------------------------------------------------------------------

/**
 * The integration events sink, chosen by the settings: the integration Event Hub when `KEEPWATCH_INTEGRATION_EVENTS_HUB`
 * is set, else the cloud's MQTT broker when `KEEPWATCH_MQTT_URL` is set, else the `{prefix}Events` table.
 */
export type IntegrationEventsSettings =
  | { sink: 'event-hub'; hubName: string; /** secret: never logged */ connectionString: string }
  | { sink: 'event-hub'; hubName: string; /** `{namespace}.servicebus.windows.net` */ fullyQualifiedNamespace: string; identity: EntraIdentity }
  | ({ sink: 'mqtt'; url: string } & Omit<MqttSettings, 'url'>)
  | { sink: 'table' };

/** Default MQTT user name of the cloud side (KEEPWATCH_MQTT_USERNAME). */
export const MQTT_USERNAME_DEFAULT = SETTINGS_DEFAULTS.mqttUsername;

/**
 * Reads the integration events settings: `KEEPWATCH_INTEGRATION_EVENTS_HUB` (Event Hub name, 1..256 of letters,
 * digits, `.`, `_`, `-`) with the connection the device-events trigger uses: EITHER the connection string in `KEEPWATCH_EVENTHUB`
 * (`Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...`) OR the identity-based
 * `KEEPWATCH_EVENTHUB__fullyQualifiedNamespace` with `__credential` / `__clientId` ({@link parseEntraIdentity}; what
 * infra/ deploys); `KEEPWATCH_MQTT_URL` (`mqtt://` or `mqtts://`), `KEEPWATCH_MQTT_USERNAME` (default
 * {@link MQTT_USERNAME_DEFAULT}), `KEEPWATCH_MQTT_PASSWORD`.
 * @throws ValidationError `InvalidSetting` naming the setting (never echoing a secret)
 */
export function parseIntegrationEventsSettings(env: Record<string, string | undefined>): IntegrationEventsSettings {
  const hubName = env.KEEPWATCH_INTEGRATION_EVENTS_HUB?.trim();
  if (hubName) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/.test(hubName)) {
      fail('KEEPWATCH_INTEGRATION_EVENTS_HUB', `${JSON.stringify(hubName)} is not an Event Hub name (letters, digits, '.', '_', '-', starting with a letter or digit)`);
    }
    const connectionString = env.KEEPWATCH_EVENTHUB?.trim();
    const namespace = env.KEEPWATCH_EVENTHUB__fullyQualifiedNamespace?.trim();
    if (connectionString && namespace) {
      fail('KEEPWATCH_EVENTHUB', 'and KEEPWATCH_EVENTHUB__fullyQualifiedNamespace are both set: use either the connection string or the identity-based KEEPWATCH_EVENTHUB__* settings, not both');
    }
    if (namespace) {
      if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}(\.[A-Za-z0-9-]+)+$/.test(namespace)) {
        fail('KEEPWATCH_EVENTHUB__fullyQualifiedNamespace', `${JSON.stringify(namespace)} is not a fully qualified Event Hubs namespace (e.g. myns.servicebus.windows.net)`);
      }
      return { sink: 'event-hub', hubName, fullyQualifiedNamespace: namespace, identity: parseEntraIdentity(env, 'KEEPWATCH_EVENTHUB') };
    }
    if (!connectionString) {
      fail('KEEPWATCH_EVENTHUB', 'or KEEPWATCH_EVENTHUB__fullyQualifiedNamespace is required when KEEPWATCH_INTEGRATION_EVENTS_HUB is set: an Event Hubs connection string, or the identity-based namespace');
    }
    if (!/(^|;)\s*Endpoint=sb:\/\/[^;]+/i.test(connectionString!) || !/(^|;)\s*SharedAccessKey(Name)?=/i.test(connectionString!)) {
      fail('KEEPWATCH_EVENTHUB', 'is not an Event Hubs connection string (expected Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...)');
    }
    return { sink: 'event-hub', hubName, connectionString: connectionString! };
  }
  const { url, password, ...mqtt } = parseMqtt(env);
  if (url) return { sink: 'mqtt', url, ...mqtt, ...(password !== undefined ? { password } : {}) };
  return { sink: 'table' };
}

/**
 * The retention timer's NCRONTAB schedule from `KEEPWATCH_RETENTION_SCHEDULE` (default {@link SETTINGS_DEFAULTS}
 * `retentionSchedule`, hourly at minute 5). Read when functions/retention/retention.ts registers the timer, before any handler
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

/**
 * `KEEPWATCH_MQTT_URL` / `_USERNAME` / `_PASSWORD` / `__credential` / `__clientId`: the broker the EVR policy sends
 * device commands to, and how the functions authenticate there.
 */
function parseMqtt(env: Record<string, string | undefined>): MqttSettings {
  const text = env.KEEPWATCH_MQTT_URL?.trim() || undefined;
  const username = env.KEEPWATCH_MQTT_USERNAME?.trim() || SETTINGS_DEFAULTS.mqttUsername;
  const password = env.KEEPWATCH_MQTT_PASSWORD || undefined;
  const credential = env.KEEPWATCH_MQTT__credential?.trim() || undefined;
  // Unset = a password (the local broker), not DefaultAzureCredential: a clientId alone is a mistake, not an identity.
  if (env.KEEPWATCH_MQTT__clientId?.trim() && credential === undefined) fail('KEEPWATCH_MQTT__clientId', 'is set but KEEPWATCH_MQTT__credential is not: set KEEPWATCH_MQTT__credential=managedidentity');
  const clientId = credential !== undefined ? parseEntraIdentity(env, 'KEEPWATCH_MQTT', 'KEEPWATCH_MQTT_PASSWORD').clientId : undefined;
  if (credential !== undefined && password !== undefined) {
    fail('KEEPWATCH_MQTT_PASSWORD', 'and KEEPWATCH_MQTT__credential=managedidentity are mutually exclusive: the broker takes one authentication method');
  }
  const auth = credential !== undefined ? { managedIdentity: clientId !== undefined ? { clientId } : {} } : { password };
  if (text === undefined) return { username, ...auth };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^mqtts?:$/.test(url.protocol) || !url.hostname || url.username || url.password) {
    fail('KEEPWATCH_MQTT_URL', 'is not an mqtt:// or mqtts:// URL with a host and no credentials (put them in KEEPWATCH_MQTT_USERNAME and KEEPWATCH_MQTT_PASSWORD)');
  }
  // A bearer token sent in clear text could be replayed by anyone on the path until it expires.
  if (credential !== undefined && url!.protocol !== 'mqtts:') fail('KEEPWATCH_MQTT_URL', 'must be mqtts:// when KEEPWATCH_MQTT__credential=managedidentity (the Entra token must not travel in clear text)');
  return { url: text, username, ...auth };
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
