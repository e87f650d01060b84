import type { z } from 'zod';
import { authSettingsSchema, type AuthSettings } from './settings/auth';
import { SETTINGS_DEFAULTS } from './settings/defaults';
import { deviceSettingsSchema } from './settings/devices';
import { entraIdentity, type EntraIdentity } from './settings/entra-identity';
import { parseConcerns, type Env } from './settings/env';
import { exportSettingsSchema } from './settings/export';
import { viewerOriginsSchema } from './settings/http/cors';
import { publicBaseUrlSchema } from './settings/http/public-base-url';
import { manifestSettingsSchema } from './settings/manifests';
import { integrationEventsSettingsSchema, type IntegrationEventsSettings } from './settings/integration-events';
import { mqttSettingsSchema, type MqttSettings } from './settings/mqtt/broker';
import { pipelineSettingsSchema } from './settings/pipelines';
import { playbackSettingsSchema } from './settings/playback';
import { retentionScheduleSchema, retentionSettingsSchema } from './settings/retention';
import { storageNamesSchema, storageSettingsSchema, type StorageSettings, type TableNames } from './settings/storage';
import { viewerSignInSchema, type ViewerSignInSettings } from './settings/viewer-signin';

export { ASYMMETRIC_ALGORITHMS, type AuthSettings, type BearerSettings } from './settings/auth';
export { SETTINGS_DEFAULTS } from './settings/defaults';
export { DEVICE_SAS_TTL_MAX_MS, DEVICE_SAS_TTL_MIN_MS, OFFLINE_HORIZON_MAX_MS, OFFLINE_HORIZON_MIN_MS } from './settings/devices';
export type { EntraIdentity } from './settings/entra-identity';
export { EXPORT_MAX_DURATION_MAX_MS, EXPORT_MAX_DURATION_MIN_MS } from './settings/export';
export type { IntegrationEventsSettings } from './settings/integration-events';
export { MQTT_USERNAME_DEFAULT, type MqttSettings } from './settings/mqtt/broker';
export { PIPELINE_STATE_WAIT_MAX_MS } from './settings/pipelines';
export { PLAYBACK_TOKEN_SECRET_MIN_CHARS, PLAYBACK_TTL_MAX_MS, PLAYBACK_TTL_MIN_MS, SEGMENT_SAS_TTL_MAX_MS } from './settings/playback';
export type { StorageSettings, TableNames } from './settings/storage';
export type { ViewerSignInSettings } from './settings/viewer-signin';

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
 * | `KEEPWATCH_TABLE_PREFIX` | table name prefix, default `kw`: tables `{prefix}Segments`, `{prefix}Cameras`, `{prefix}Availability`, `{prefix}DeadLetters`, `{prefix}Gaps`, `{prefix}Policies`, `{prefix}Holds`, `{prefix}Retention`, `{prefix}Events`, `{prefix}Recordings`, `{prefix}Gates`, `{prefix}Devices`, `{prefix}Pipelines`, `{prefix}LiveMarks`, `{prefix}Manifests`, `{prefix}Shares`, `{prefix}Signals` |
 * | `KEEPWATCH_PLAYBACK_TOKEN_SECRET` | required, ≥ 32 characters; HMAC key of playlist URLs (signs and verifies; its key id goes in each URL as `kid`) |
 * | `KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS` | optional, ≥ 32 characters, not the current one; during a rotation, the key that signed URLs still out: they play until they expire, then remove it (docs/security.md "Rotating the playback key") |
 * | `KEEPWATCH_PLAYBACK_TTL` | ISO 8601 duration a playback (playlist) URL lives, default PT1H, PT1M..P1D |
 * | `KEEPWATCH_SEGMENT_SAS_TTL` | ISO 8601 duration the segment SAS URLs in a playlist live, counted from the playlist request; default = `KEEPWATCH_PLAYBACK_TTL`, at least that, at most P7D (a user-delegation key's limit) |
 * | `KEEPWATCH_LIVE_TTL` | ISO 8601 duration a live playlist URL (`GET /api/cameras/{id}/live`) stays valid, default PT12H, PT1M..P1D: the longest live session without a new URL (docs/live.md) |
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
 * | `KEEPWATCH_ADMIN_KEY` | optional secret, 8..256 visible ASCII characters: the administrator's key, accepted on every route (except the device and playlist routes, which have credentials of their own) in the `x-functions-key` header or the `code` query parameter; unset = no key works. infra/ sets it from the `adminKey` parameter (docs/security.md "Who may call what") |
 * | `KEEPWATCH_AUTH_ISSUER` | optional `https://` URL (`http://` only to a loopback host): bearer JWTs are accepted when set, and their `iss` must equal it; unset = bearer tokens are refused. Entra ID: `https://login.microsoftonline.com/{tenant}/v2.0` |
 * | `KEEPWATCH_AUTH_AUDIENCE` | required with the issuer: comma-separated accepted `aud` values (the API's application ID URI or client id) |
 * | `KEEPWATCH_AUTH_JWKS_URI` | optional: where the issuer's signing keys are; default the `jwks_uri` of `{issuer}/.well-known/openid-configuration` |
 * | `KEEPWATCH_AUTH_PUBLIC_KEYS` | optional, instead of a JWKS: JSON array of PEM `PUBLIC KEY` texts and public RSA/EC JWKs (AVA access policies' keys) |
 * | `KEEPWATCH_AUTH_ALGORITHMS` | comma-separated allowed `alg`s, default `RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512`; `none` and `HS*` are refused |
 * | `KEEPWATCH_AUTH_REQUIRED_CLAIMS` | optional JSON object, claim → accepted value(s), e.g. `{"tid":"<tenant id>"}` (AVA access policies' required claims) |
 * | `KEEPWATCH_AUTH_CLOCK_SKEW` | ISO 8601 tolerance on `exp`/`nbf`/`iat`, default PT60S, PT0S..PT5M |
 * | `KEEPWATCH_AUTH_JWKS_COOLDOWN` | ISO 8601 least time between two JWKS fetches caused by a token with an unknown `kid` (key rotation), default PT30S, PT0S..PT10M |
 * | `KEEPWATCH_AUTH_CAMERA_GROUPS` | optional JSON object, `groups` claim value → camera ids or `"*"`: the cameras a group's members may see. When set, a token without a `cameras` claim sees only the cameras of its mapped groups |
 * | `KEEPWATCH_MANIFEST_GRACE` | ISO 8601, default PT10M, PT0S..PT6H: how long after an archive hour ends the `manifests` timer writes its asset manifest (docs/contracts.md "Asset manifests") |
 * | `KEEPWATCH_VIEWER_CLIENT_ID` | the viewer's client id at the issuer of `KEEPWATCH_AUTH_ISSUER` (Entra: the SPA registration); set = the viewer signs people in with the authorization code flow + PKCE; unset = it asks for the function key (functions/settings/viewer-signin.ts) |
 * | `KEEPWATCH_VIEWER_SCOPES` | space-separated scopes the viewer asks for, with `openid`; default `openid profile offline_access {first KEEPWATCH_AUTH_AUDIENCE}/.default` |
 * | `KEEPWATCH_INTEGRATION_EVENTS_HUB` | optional name of the integration Event Hub; integration events go there through the `KEEPWATCH_EVENTHUB` connection string, or the identity-based `KEEPWATCH_EVENTHUB__fullyQualifiedNamespace` (+ `__credential`, `__clientId`) that the ingest trigger uses too ({@link parseIntegrationEventsSettings}); else to `KEEPWATCH_MQTT_URL`; neither → the `{prefix}Events` table |
 *
 * Each concern's settings are a zod schema of their own under functions/settings/ (storage.ts, playback.ts, devices.ts,
 * export.ts, retention.ts, pipelines.ts, auth.ts, manifests.ts, mqtt/broker.ts, integration-events.ts, http/cors.ts, http/public-base-url.ts);
 * this module composes them. A bad setting is reported with every other bad one at once, in the agent config's voice
 * (shared/validation/format-issues.ts): `app settings: KEEPWATCH_PLAYBACK_TTL: PT30S is outside PT1M..P1D`, or
 * `app settings: 2 problems:` and one indented line per problem, each naming the setting, its value (never a secret's:
 * connection strings, keys, passwords; URLs with userinfo masked) and what is expected.
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
  /** `{tablePrefix}Segments` and the other tables ({@link TableNames}). */
  tables: TableNames;
  /** Broker of the cloud's device commands (EVR upload windows); `url` undefined = commands are not sent. */
  mqtt: MqttSettings;
  playbackTokenSecret: string;
  /** The key being rotated out (`KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS`): verifies playlist URLs, never signs. */
  playbackTokenPreviousSecret?: string;
  /** Lifetime of a playback (playlist) URL, ms. */
  playbackTtlMs: number;
  /** Lifetime of the segment SAS URLs in a playlist, from the playlist request, ms; ≥ playbackTtlMs. */
  segmentSasTtlMs: number;
  /** Lifetime of a live playlist URL, ms (`KEEPWATCH_LIVE_TTL`, docs/live.md). */
  liveTtlMs: number;
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
  /** Who may call the HTTP API: the administrator's key and bearer token verification (functions/auth/). */
  auth: AuthSettings;
  /** How long after an archive hour ends its manifest is written, ms (`KEEPWATCH_MANIFEST_GRACE`). */
  manifestGraceMs: number;
  /** The viewer's sign-in at the OpenID Connect issuer (`KEEPWATCH_VIEWER_CLIENT_ID`, `KEEPWATCH_VIEWER_SCOPES`); `undefined` = the viewer asks for the function key. */
  viewerSignIn?: ViewerSignInSettings;
}

/** Names of the settings the Event Hubs trigger binding resolves (`%NAME%` and `connection`). */
export const TRIGGER_SETTINGS = {
  eventHubConnection: 'KEEPWATCH_EVENTHUB',
  deviceEventsHub: 'KEEPWATCH_DEVICE_EVENTS_HUB',
  deviceEventsConsumerGroup: 'KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP',
} as const;

/** The concerns {@link parseSettings} reads, each a zod schema over the whole environment (functions/settings/). */
const CONCERNS = {
  storage: storageSettingsSchema,
  names: storageNamesSchema,
  playback: playbackSettingsSchema,
  devices: deviceSettingsSchema,
  cors: viewerOriginsSchema,
  export: exportSettingsSchema,
  publicBaseUrl: publicBaseUrlSchema,
  retention: retentionSettingsSchema,
  mqtt: mqttSettingsSchema,
  integrationEvents: integrationEventsSettingsSchema,
  pipelines: pipelineSettingsSchema,
  auth: authSettingsSchema,
  manifests: manifestSettingsSchema,
  viewerSignIn: viewerSignInSchema,
} satisfies Record<string, z.ZodType>;

/**
 * Validates the settings in `env` (pure: no caching). Every concern is checked, and every bad setting reported in one
 * error (a setting checked against another, such as `KEEPWATCH_SEGMENT_SAS_TTL` against `KEEPWATCH_PLAYBACK_TTL`, only
 * once both are well-formed).
 * @throws ValidationError `InvalidSetting` naming each bad setting, its value (never a secret's) and what it must be:
 *   `app settings: KEEPWATCH_PLAYBACK_TTL: PT30S is outside PT1M..P1D`, or `app settings: 2 problems:` followed by one
 *   indented line each; `details` lists them as `[{ path: setting, message }]`
 */
export function parseSettings(env: Env): FunctionsSettings {
  const c = parseConcerns(CONCERNS, env);
  return {
    storage: c.storage,
    ...c.names,
    mqtt: c.mqtt,
    ...c.playback,
    ...c.devices,
    ...c.cors,
    ...c.export,
    ...c.publicBaseUrl,
    ...c.retention,
    integrationEvents: c.integrationEvents,
    ...c.pipelines,
    auth: c.auth,
    ...c.manifests,
    ...c.viewerSignIn,
  };
}

/**
 * Reads the storage access settings: EITHER `KEEPWATCH_STORAGE_CONNECTION_STRING` OR `KEEPWATCH_STORAGE__blobServiceUri`
 * + `KEEPWATCH_STORAGE__tableServiceUri` (+ optional `__credential` = `managedidentity`, + optional `__clientId`)
 * (functions/settings/storage.ts).
 * @throws ValidationError `InvalidSetting` when both or neither kind is set, an identity part is missing, a URI is not
 *   an https service endpoint, the two URIs name different accounts, `__credential` is not `managedidentity`, or
 *   `__clientId` is not a GUID or comes without `__credential=managedidentity` (messages never echo the connection string)
 */
export function parseStorageSettings(env: Env): StorageSettings {
  return parseConcerns({ storage: storageSettingsSchema }, env).storage;
}

/**
 * Reads `{prefix}__credential` (`managedidentity` or unset) and `{prefix}__clientId` (a GUID, only with
 * `managedidentity`); `whenUnset` names what an unset `__credential` means, for the error message: the Functions host's convention for identity-based connections
 * (learn.microsoft.com/azure/azure-functions/functions-reference#common-properties-for-identity-based-connections).
 * @throws ValidationError `InvalidSetting` for another `__credential`, or a `__clientId` that is not a GUID or comes
 *   without `__credential=managedidentity`
 */
export function parseEntraIdentity(env: Env, prefix: string, whenUnset = 'DefaultAzureCredential'): EntraIdentity {
  return parseConcerns({ identity: entraIdentity(prefix, whenUnset) }, env).identity;
}

/**
 * Reads the integration events settings: `KEEPWATCH_INTEGRATION_EVENTS_HUB` (Event Hub name, 1..256 of letters,
 * digits, `.`, `_`, `-`) with the connection the device-events trigger uses: EITHER the connection string in `KEEPWATCH_EVENTHUB`
 * (`Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...`) OR the identity-based
 * `KEEPWATCH_EVENTHUB__fullyQualifiedNamespace` with `__credential` / `__clientId` ({@link parseEntraIdentity}; what
 * infra/ deploys); `KEEPWATCH_MQTT_URL` (`mqtt://` or `mqtts://`), `KEEPWATCH_MQTT_USERNAME` (default
 * {@link MQTT_USERNAME_DEFAULT}), `KEEPWATCH_MQTT_PASSWORD` (functions/settings/integration-events.ts).
 * @throws ValidationError `InvalidSetting` naming the setting (never echoing a secret)
 */
export function parseIntegrationEventsSettings(env: Env): IntegrationEventsSettings {
  return parseConcerns({ integrationEvents: integrationEventsSettingsSchema }, env).integrationEvents;
}

/**
 * The retention timer's NCRONTAB schedule from `KEEPWATCH_RETENTION_SCHEDULE` (default {@link SETTINGS_DEFAULTS}
 * `retentionSchedule`, hourly at minute 5). Read when functions/retention/retention.ts registers the timer, before any handler
 * runs, so it does not need the other settings. Checked for shape only (6 space-separated fields); croner locally and
 * the Functions host in Azure check the fields themselves.
 * @throws ValidationError `InvalidSetting` when it does not have 6 fields
 */
export function retentionSchedule(env: Env = process.env): string {
  return parseConcerns({ schedule: retentionScheduleSchema }, env).schedule;
}

let cached: FunctionsSettings | undefined;

/**
 * The process's settings from `process.env`, validated on first use and cached.
 * @throws ValidationError `InvalidSetting` naming every bad setting ({@link parseSettings})
 */
export function settings(): FunctionsSettings {
  return (cached ??= parseSettings(process.env));
}

/** Forgets the cached settings, so the next {@link settings} call reads `process.env` again (tests, local host). */
export function resetSettings(): void {
  cached = undefined;
}
