/**
 * Billing class of one Azure Storage REST request, as the Blob and Table price lists group them (docs/deploy.md
 * "Prices"): Blob `write` (Put Blob, Put Block, Put Block List, Set Blob Metadata/Tier, Copy Blob), `list` (List Blobs,
 * List Containers, Create Container: "List and Create Container operations"), `read` (Get Blob), `other` (Get Blob
 * Properties, service and container properties, user delegation keys, ...: "All other operations") and `delete`
 * (Delete Blob/Container: free); every Table request is one `transaction`. A Blob Batch (`POST ?comp=batch`) or a
 * Table entity group transaction (`POST /$batch`) is one request carrying `subRequests` operations.
 * Source: Azure Storage REST API reference (operation ↔ method + `comp`/`restype`), and the class names of
 * https://azure.microsoft.com/pricing/details/storage/blobs/ and .../storage/tables/.
 */
export type StorageBillingClass = 'write' | 'list' | 'read' | 'other' | 'delete' | 'batch' | 'transaction' | 'preflight';

/** One classified request. */
export interface StorageRequestClass {
  service: 'blob' | 'table';
  /** REST operation name, e.g. `PutBlob`, `ListBlobs`, `InsertOrReplaceEntity`, `QueryEntities`, `EntityGroupTransaction`. */
  operation: string;
  billingClass: StorageBillingClass;
}

/**
 * Classifies a Blob service request.
 * @param method HTTP method (any case)
 * @param pathAndQuery request target, path-style as Azurite takes it: `/{account}/{container}/{blob...}?{query}`
 * @returns the operation and its billing class; unknown shapes are `other` with the method as operation
 */
export function classifyBlobRequest(method: string, pathAndQuery: string): StorageRequestClass {
  const m = method.toUpperCase();
  const url = new URL(pathAndQuery, 'http://storage.local');
  const comp = url.searchParams.get('comp') ?? '';
  const restype = url.searchParams.get('restype') ?? '';
  // /{account}/{container}/{blob}: the blob name may contain '/', so count segments up to 3.
  const parts = url.pathname.split('/').filter(Boolean);
  const level = restype === 'service' || parts.length <= 1 ? 'service' : restype === 'container' || parts.length === 2 ? 'container' : 'blob';
  const c = (operation: string, billingClass: StorageBillingClass): StorageRequestClass => ({ service: 'blob', operation, billingClass });
  if (m === 'OPTIONS') return c('Preflight', 'preflight');
  if (m === 'POST' && comp === 'batch') return c('BlobBatch', 'batch');
  if (m === 'DELETE') return c(level === 'container' ? 'DeleteContainer' : 'DeleteBlob', 'delete');
  if (level === 'service') {
    if (m === 'GET' && comp === 'list') return c('ListContainers', 'list');
    if (m === 'POST' && comp === 'userdelegationkey') return c('GetUserDelegationKey', 'other');
    return c(m === 'PUT' ? 'SetBlobServiceProperties' : 'GetBlobServiceProperties', 'other');
  }
  if (level === 'container') {
    if (m === 'PUT' && !comp) return c('CreateContainer', 'list');
    if (m === 'GET' && comp === 'list') return c('ListBlobs', 'list');
    return c(m === 'PUT' ? 'SetContainerProperties' : 'GetContainerProperties', 'other');
  }
  if (m === 'PUT') {
    if (comp === 'block') return c('PutBlock', 'write');
    if (comp === 'blocklist') return c('PutBlockList', 'write');
    if (comp === 'metadata') return c('SetBlobMetadata', 'write');
    if (comp === 'tier') return c('SetBlobTier', 'write');
    if (comp === 'tags') return c('SetBlobTags', 'other');
    if (!comp) return c('PutBlob', 'write');
    return c(`PutBlob:${comp}`, 'other');
  }
  if (m === 'GET' && !comp) return c('GetBlob', 'read');
  if (m === 'HEAD' || m === 'GET') return c(comp ? `GetBlob:${comp}` : 'GetBlobProperties', 'other');
  return c(m, 'other');
}

/**
 * Classifies a Table service request (every one is a billed transaction; an entity group transaction is one request).
 * @param pathAndQuery `/{account}/{table}...?{query}` (path-style, as Azurite takes it)
 */
export function classifyTableRequest(method: string, pathAndQuery: string): StorageRequestClass {
  const m = method.toUpperCase();
  const url = new URL(pathAndQuery, 'http://storage.local');
  const parts = url.pathname.split('/').filter(Boolean);
  const target = decodeURIComponent(parts[1] ?? '');
  const c = (operation: string): StorageRequestClass => ({ service: 'table', operation, billingClass: m === 'OPTIONS' ? 'preflight' : 'transaction' });
  if (m === 'OPTIONS') return c('Preflight');
  if (target === '$batch') return c('EntityGroupTransaction');
  if (/^Tables(\(|$)/.test(target)) return c(m === 'POST' ? 'CreateTable' : m === 'DELETE' ? 'DeleteTable' : 'QueryTables');
  const entity = /\(.+\)$/.test(target);
  if (m === 'GET') return c(entity ? 'QueryEntity' : 'QueryEntities');
  if (m === 'POST') return c('InsertEntity');
  if (m === 'PUT') return c('InsertOrReplaceEntity');
  if (m === 'MERGE' || m === 'PATCH') return c('InsertOrMergeEntity');
  if (m === 'DELETE') return c('DeleteEntity');
  return c(m);
}

/**
 * Operations inside a Blob Batch or entity group transaction body (multipart/mixed): one per embedded request line
 * `METHOD target HTTP/1.1`.
 */
export function countSubRequests(body: string): number {
  return (body.match(/^(GET|HEAD|POST|PUT|MERGE|PATCH|DELETE) \S+ HTTP\/1\.1\r?$/gm) ?? []).length;
}
