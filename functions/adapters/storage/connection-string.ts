import { ValidationError } from '../../../shared/errors';

/** The parts of a storage connection string the adapters need. Endpoints have no trailing slash. */
export interface StorageConnection {
  accountName: string;
  /** Base64 account key; absent for SAS connection strings (then no service SAS can be signed). */
  accountKey?: string;
  blobEndpoint: string;
  tableEndpoint: string;
}

// Azurite's well-known development account (public by design), used by `UseDevelopmentStorage=true`.
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Parses an Azure Storage connection string (learn.microsoft.com/azure/storage/common/storage-configure-connection-string):
 * `AccountName` + `AccountKey` with either explicit `BlobEndpoint`/`TableEndpoint` or `DefaultEndpointsProtocol` +
 * `EndpointSuffix`; or `UseDevelopmentStorage=true` (Azurite on 127.0.0.1:10000/10002).
 * @throws ValidationError `InvalidSetting` naming the missing part (never echoing the key)
 */
export function parseStorageConnectionString(text: string): StorageConnection {
  const parts = new Map<string, string>();
  for (const piece of text.split(';')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim().toLowerCase(), piece.slice(eq + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    const proxy = (parts.get('developmentstorageproxyuri') ?? 'http://127.0.0.1').replace(/\/+$/, '');
    return {
      accountName: DEV_ACCOUNT,
      accountKey: DEV_KEY,
      blobEndpoint: `${proxy}:10000/${DEV_ACCOUNT}`,
      tableEndpoint: `${proxy}:10002/${DEV_ACCOUNT}`,
    };
  }
  const accountName = parts.get('accountname');
  if (!accountName) throw invalid('has no AccountName');
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const endpoint = (key: string, service: string) =>
    (parts.get(key) ?? `${protocol}://${accountName}.${service}.${suffix}`).replace(/\/+$/, '');
  return {
    accountName,
    accountKey: parts.get('accountkey') || undefined,
    blobEndpoint: endpoint('blobendpoint', 'blob'),
    tableEndpoint: endpoint('tableendpoint', 'table'),
  };
}

function invalid(problem: string): ValidationError {
  return new ValidationError(`setting KEEPWATCH_STORAGE_CONNECTION_STRING ${problem}`, undefined, 'InvalidSetting');
}
