import { z } from 'zod';
import { redact } from '../../shared/redact';
import { readEntraIdentity } from './entra-identity';
import { addProblem, shownUrl, textOr, trimmedText } from './env';
import { SETTINGS_DEFAULTS } from './defaults';

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
 * Storage access: EITHER `KEEPWATCH_STORAGE_CONNECTION_STRING` (trimmed; `AccountName=...` or
 * `UseDevelopmentStorage=true`) OR `KEEPWATCH_STORAGE__blobServiceUri` + `KEEPWATCH_STORAGE__tableServiceUri` (https
 * service endpoints of one account) + optional `__credential` = `managedidentity` + optional `__clientId` (a GUID).
 * Problems: both or neither kind set, an identity part missing, a URI that is not an https service endpoint, two URIs
 * naming different accounts, the identity's ({@link entraIdentity}); the connection string is never shown.
 */
export const storageSettingsSchema = z
  .object({
    KEEPWATCH_STORAGE_CONNECTION_STRING: trimmedText,
    KEEPWATCH_STORAGE__blobServiceUri: trimmedText,
    KEEPWATCH_STORAGE__tableServiceUri: trimmedText,
    KEEPWATCH_STORAGE__credential: trimmedText,
    KEEPWATCH_STORAGE__clientId: trimmedText,
  })
  .transform((s, ctx): StorageSettings => {
    const connectionString = s.KEEPWATCH_STORAGE_CONNECTION_STRING;
    const parts = { blobServiceUri: s.KEEPWATCH_STORAGE__blobServiceUri, tableServiceUri: s.KEEPWATCH_STORAGE__tableServiceUri, credential: s.KEEPWATCH_STORAGE__credential, clientId: s.KEEPWATCH_STORAGE__clientId };
    const identitySet = STORAGE_IDENTITY_PARTS.filter((p) => parts[p] !== undefined).map((p) => `KEEPWATCH_STORAGE__${p}`);
    if (connectionString && identitySet.length) {
      addProblem(ctx, 'KEEPWATCH_STORAGE_CONNECTION_STRING', `it and ${identitySet.join(', ')} are both set: use either the connection string (account key) or the identity-based KEEPWATCH_STORAGE__* settings, not both`);
      return z.NEVER;
    }
    if (connectionString) {
      if (!/(^|;)\s*(UseDevelopmentStorage=true|AccountName=[^;]+)/i.test(connectionString)) {
        addProblem(ctx, 'KEEPWATCH_STORAGE_CONNECTION_STRING', 'the value (not shown: a secret) is not a storage connection string (expected AccountName=...;AccountKey=...;... or UseDevelopmentStorage=true)');
      }
      return { kind: 'connection-string', connectionString };
    }
    if (!identitySet.length) {
      addProblem(ctx, 'KEEPWATCH_STORAGE_CONNECTION_STRING', 'required but not set, nor are the identity-based KEEPWATCH_STORAGE__blobServiceUri and KEEPWATCH_STORAGE__tableServiceUri: set one of the two');
      return z.NEVER;
    }
    const missing = (name: string, service: string) =>
      addProblem(ctx, name, `missing: it is required with ${identitySet.join(', ')} (identity-based storage; expected https://{account}.${service}.core.windows.net)`);
    if (!parts.blobServiceUri) missing('KEEPWATCH_STORAGE__blobServiceUri', 'blob');
    if (!parts.tableServiceUri) missing('KEEPWATCH_STORAGE__tableServiceUri', 'table');
    const blob = parts.blobServiceUri ? serviceUri('KEEPWATCH_STORAGE__blobServiceUri', parts.blobServiceUri, 'blob', ctx) : undefined;
    const table = parts.tableServiceUri ? serviceUri('KEEPWATCH_STORAGE__tableServiceUri', parts.tableServiceUri, 'table', ctx) : undefined;
    if (blob && table && blob.accountName !== table.accountName) {
      addProblem(ctx, 'KEEPWATCH_STORAGE__tableServiceUri', `names account '${table.accountName}' but KEEPWATCH_STORAGE__blobServiceUri names '${blob.accountName}': both must be the same storage account`, parts.tableServiceUri);
    }
    const { credential, clientId } = readEntraIdentity('KEEPWATCH_STORAGE', parts.credential, parts.clientId, ctx);
    if (!blob || !table) return z.NEVER;
    const settings: StorageSettings = { kind: 'identity', blobServiceUri: blob.uri, tableServiceUri: table.uri, accountName: blob.accountName, credential };
    return clientId ? { ...settings, clientId } : settings;
  });

/**
 * An https service endpoint and the account it names: `https://{account}.{service}.core.windows.net` (any suffix:
 * the host's first label) or path-style `https://{ip or localhost}[:port]/{account}` (Azurite); `undefined` after a
 * problem.
 */
function serviceUri(name: string, text: string, service: 'blob' | 'table', ctx: z.RefinementCtx): { uri: string; accountName: string } | undefined {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.search || url.hash || url.username || url.password) {
    addProblem(ctx, name, `${shownUrl(text)} is not an https ${service} service URI without credentials, query or fragment (e.g. https://myaccount.${service}.core.windows.net)`, redact(text));
    return undefined;
  }
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]|localhost)$/i.test(url.hostname);
  const path = url.pathname.replace(/\/+$/, '');
  const accountName = pathStyle ? path.split('/')[1] ?? '' : url.hostname.split('.')[0];
  if (!/^[a-z0-9]{3,24}$/.test(accountName) || (!pathStyle && path !== '') || (pathStyle && path !== `/${accountName}`)) {
    addProblem(ctx, name, `${shownUrl(text)} does not name a storage account (expected https://{account}.${service}.core.windows.net, or https://{ip}:{port}/{account} for the emulator; account names are 3 to 24 lowercase letters and digits)`, redact(text));
    return undefined;
  }
  return { uri: `${url.origin}${path}`, accountName };
}

/** A blob container name: 3 to 63 characters from a-z, 0-9 and single '-', starting and ending with a letter or digit. */
const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
/** Table names are `^[A-Za-z][A-Za-z0-9]{2,62}$`; the longest suffix, 'DeadLetters', has 11 characters. */
const TABLE_PREFIX = /^[A-Za-z][A-Za-z0-9]{0,51}$/;

/** The tables of the functions, `{prefix}{Suffix}`. */
export interface TableNames {
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
  /** Device and camera health, one partition per device (functions/adapters/table/table-health-store.ts). */
  health: string;
  /** Live playlist sequence marks, one row per camera watched live (functions/adapters/table/table-live-mark-store.ts). */
  liveMarks: string;
  /** One row per archive hour: whether its asset manifest is current, and its version (functions/adapters/table/table-manifest-hours.ts). */
  manifests: string;
  /** Share links, one partition per camera (functions/adapters/table/table-share-store.ts; docs/security.md "Share links"). */
  shares: string;
  /** Signals of cameras whose policy records by signals (EVR, CVR signal recordings), one partition per camera (functions/adapters/table/table-signal-store.ts). */
  signals: string;
}

/**
 * Where the data goes in the account: `KEEPWATCH_RECORDINGS_CONTAINER` (default `recordings`, a container name) and
 * `KEEPWATCH_TABLE_PREFIX` (default `kw`, 1 to 52 letters and digits starting with a letter), with the table names.
 */
export const storageNamesSchema = z
  .object({
    KEEPWATCH_RECORDINGS_CONTAINER: textOr(SETTINGS_DEFAULTS.recordingsContainer).refine((t) => CONTAINER_NAME.test(t), {
      message: "expected a container name: 3 to 63 characters from a-z, 0-9 and single '-', starting and ending with a letter or digit",
    }),
    KEEPWATCH_TABLE_PREFIX: textOr(SETTINGS_DEFAULTS.tablePrefix).refine((t) => TABLE_PREFIX.test(t), {
      message: 'expected a table prefix: 1 to 52 letters and digits, starting with a letter',
    }),
  })
  .transform((s) => {
    const prefix = s.KEEPWATCH_TABLE_PREFIX;
    const tables: TableNames = {
      segments: `${prefix}Segments`,
      cameras: `${prefix}Cameras`,
      availability: `${prefix}Availability`,
      deadLetters: `${prefix}DeadLetters`,
      gaps: `${prefix}Gaps`,
      policies: `${prefix}Policies`,
      holds: `${prefix}Holds`,
      retention: `${prefix}Retention`,
      events: `${prefix}Events`,
      recordings: `${prefix}Recordings`,
      gates: `${prefix}Gates`,
      devices: `${prefix}Devices`,
      pipelines: `${prefix}Pipelines`,
      health: `${prefix}Health`,
      liveMarks: `${prefix}LiveMarks`,
      manifests: `${prefix}Manifests`,
      shares: `${prefix}Shares`,
      signals: `${prefix}Signals`,
    };
    return { recordingsContainer: s.KEEPWATCH_RECORDINGS_CONTAINER, tablePrefix: prefix, tables };
  });
