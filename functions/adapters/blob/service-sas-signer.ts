import { createHmac } from 'node:crypto';
import type { SasSigner } from '../../../shared/ports/sas-signer';

/** What a service SAS needs: the account key signs it. */
export interface ServiceSasSignerOptions {
  accountName: string;
  /** Base64 account key (from the connection string). */
  accountKey: string;
  /** Blob service endpoint without trailing slash, e.g. `https://{account}.blob.core.windows.net` or Azurite's. */
  blobEndpoint: string;
  container: string;
}

/**
 * Signed service version (`sv`). Pinned rather than the SDK's newest so Azurite 3.35, which knows versions up to
 * 2025-11-05, validates it (checked against Azurite 3.35); the service SAS format is the same for every version since
 * 2020-12-06.
 */
export const SAS_VERSION = '2025-11-05';

/**
 * Signs single-blob service SAS URLs with the account key: read-only (`sp=r`) for playback, create-only (`sp=c`) for
 * device uploads; `sr=b`, `spr=https` when the endpoint is https. Suitable for Azurite and accounts with shared-key access; production accounts disable shared keys, where
 * the user-delegation signer (functions/adapters/blob/user-delegation-sas-signer.ts) implements the same port.
 *
 * The string-to-sign is built here rather than by `generateBlobSASQueryParameters`: it is the documented service SAS
 * format for version 2020-12-06 and later (learn.microsoft.com/rest/api/storageservices/create-service-sas), and
 * building it directly is about 4× faster, which matters for a 24 h playlist of 8 640 segments.
 * test/unit/functions/adapters/blob/service-sas-signer.test.ts checks it against the SDK byte for byte.
 */
export class ServiceSasSigner implements SasSigner {
  private readonly key: Buffer;
  private readonly protocol: string;
  private readonly containerUrl: string;
  private readonly canonicalPrefix: string;

  constructor(options: ServiceSasSignerOptions) {
    this.key = Buffer.from(options.accountKey, 'base64');
    this.protocol = options.blobEndpoint.startsWith('https:') ? 'https' : 'https,http';
    this.containerUrl = `${options.blobEndpoint}/${encodeURIComponent(options.container)}`;
    this.canonicalPrefix = `/blob/${options.accountName}/${options.container}/`;
  }

  /** One URL; see {@link blobReadUrls}. */
  async blobReadUrl(blobName: string, expiresOnMs: number): Promise<string> {
    return (await this.blobReadUrls([blobName], expiresOnMs))[0];
  }

  /**
   * @param expiresOnMs rounded up to the next whole second: `se` has second precision, and a URL must not expire
   *   before the playlist that carries it
   */
  async blobReadUrls(blobNames: readonly string[], expiresOnMs: number): Promise<string[]> {
    return blobNames.map(this.signer('r', expiresOnMs));
  }

  /** {@link blobReadUrls} one URL at a time (see the port); `expiresOnMs` rounded up as there. */
  async blobReadUrlSigner(expiresOnMs: number): Promise<(blobName: string) => string> {
    return this.signer('r', expiresOnMs);
  }

  /**
   * Create-only, single-blob URLs (`sp=c`, `sr=b`) for device uploads (docs/devices.md): with `If-None-Match: *` the
   * holder creates the blob once; it cannot read, list, overwrite or delete (docs/security.md, `device-sas.test.ts`).
   * @param expiresOnMs rounded up to the next whole second, as for {@link blobReadUrls}
   */
  async blobCreateUrls(blobNames: readonly string[], expiresOnMs: number): Promise<string[]> {
    return blobNames.map(this.signer('c', expiresOnMs));
  }

  /** Signs service SAS URLs with permission `sp` (one letter, as the SDK orders them), each on its single blob. */
  private signer(sp: 'r' | 'c', expiresOnMs: number): (blobName: string) => string {
    const se = new Date(Math.ceil(expiresOnMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // sp, st, se, canonicalizedResource, si, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce, rscl, rsct
    const head = `${sp}\n\n${se}\n`;
    const tail = `\n\n\n${this.protocol}\n${SAS_VERSION}\nb\n\n\n\n\n\n\n`;
    const query = `sv=${SAS_VERSION}&spr=${encodeURIComponent(this.protocol)}&se=${encodeURIComponent(se)}&sr=b&sp=${sp}&sig=`;
    const { key, canonicalPrefix, containerUrl } = this;
    return (name) => {
      const sig = createHmac('sha256', key).update(`${head}${canonicalPrefix}${name}${tail}`, 'utf8').digest('base64');
      return `${containerUrl}/${encodePath(name)}?${query}${encodeURIComponent(sig)}`; // encodes base64's + / =
    };
  }
}

/**
 * Percent-encodes a blob name for a URL path, keeping `/`. Canonical segment names
 * (shared/contracts/blob-naming.ts) only need `:` encoded, which a regex test and replace do ~6× faster than
 * encoding each path part; anything else takes the general route.
 */
export function encodePath(name: string): string {
  return /^[A-Za-z0-9/._:-]*$/.test(name) ? name.replace(/:/g, '%3A') : name.split('/').map(encodeURIComponent).join('/');
}
