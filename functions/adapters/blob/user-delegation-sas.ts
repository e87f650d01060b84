import { createHmac } from 'node:crypto';
import type { UserDelegationKey } from '@azure/storage-blob';
import { SAS_VERSION, encodePath } from './service-sas-signer';

/** What one batch of user-delegation SAS URLs is signed with and for. */
export interface UserDelegationSasRequest {
  /** A key from `BlobServiceClient.getUserDelegationKey`; its `value` is base64. */
  key: UserDelegationKey;
  accountName: string;
  /** Blob service endpoint without trailing slash (`https://{account}.blob.core.windows.net` or Azurite's path-style one). */
  blobEndpoint: string;
  container: string;
  /** `r` = read only, `c` = create only. */
  permissions: 'r' | 'c';
  /** Expiry, epoch ms UTC, rounded up to the whole second (`se` has second precision). */
  expiresOnMs: number;
}

/**
 * Signs single-blob (`sr=b`) user-delegation SAS URLs, one per blob name, with `sv` pinned to {@link SAS_VERSION}
 * (Azurite 3.35 validates versions up to 2025-11-05 only). `spr=https`: a user-delegation SAS
 * needs an https endpoint (Entra ID tokens are never sent over http).
 *
 * The string-to-sign is the documented user-delegation format for versions 2025-07-05 and later
 * (learn.microsoft.com/rest/api/storageservices/create-user-delegation-sas): sp, st, se, canonicalizedResource, skoid,
 * sktid, skt, ske, sks, skv, saoid, suoid, scid, skdutid, sduoid, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce,
 * rscl, rsct, joined by `\n`. It is built here rather than by the SDK's `generateBlobSASQueryParameters`, as
 * service-sas-signer.ts does, because a 24 h playlist signs ~8,640 URLs; test/unit/functions/adapters/blob/user-delegation-sas.test.ts
 * checks it against the SDK byte for byte.
 * @returns absolute URLs in the order of `blobNames`
 */
export function signUserDelegationSas(request: UserDelegationSasRequest, blobNames: readonly string[]): string[] {
  return blobNames.map(userDelegationSasSigner(request));
}

/** {@link signUserDelegationSas} one blob name at a time: the fields shared by every URL are prepared once. */
export function userDelegationSasSigner(request: UserDelegationSasRequest): (blobName: string) => string {
  const { key, permissions } = request;
  const se = isoSeconds(Math.ceil(request.expiresOnMs / 1000) * 1000);
  const skt = isoSeconds(key.signedStartsOn.getTime());
  const ske = isoSeconds(key.signedExpiresOn.getTime());
  const skdutid = key.signedDelegatedUserTenantId ?? '';
  const hmacKey = Buffer.from(key.value, 'base64');
  const head = `${permissions}\n\n${se}\n`;
  const keyFields = `\n${key.signedObjectId}\n${key.signedTenantId}\n${skt}\n${ske}\n${key.signedService}\n${key.signedVersion}`;
  // saoid, suoid, scid, skdutid, sduoid, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce, rscl, rsct
  const tail = `${keyFields}\n\n\n\n${skdutid}\n\n\nhttps\n${SAS_VERSION}\nb\n\n\n\n\n\n\n`;
  const e = encodeURIComponent;
  const query =
    `sv=${SAS_VERSION}&spr=https&se=${e(se)}&skoid=${e(key.signedObjectId)}&sktid=${e(key.signedTenantId)}` +
    `&skt=${e(skt)}&ske=${e(ske)}&sks=${e(key.signedService)}&skv=${e(key.signedVersion)}&sr=b&sp=${permissions}` +
    `${skdutid ? `&skdutid=${e(skdutid)}` : ''}&sig=`;
  const canonicalPrefix = `/blob/${request.accountName}/${request.container}/`;
  const containerUrl = `${request.blobEndpoint}/${e(request.container)}`;
  return (name) => {
    const sig = createHmac('sha256', hmacKey).update(`${head}${canonicalPrefix}${name}${tail}`, 'utf8').digest('base64');
    return `${containerUrl}/${encodePath(name)}?${query}${encodeURIComponent(sig)}`; // encodes base64's + / =
  };
}

/** `2026-11-21T10:00:00Z`: ISO 8601 UTC without milliseconds, as SAS time fields are written. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
