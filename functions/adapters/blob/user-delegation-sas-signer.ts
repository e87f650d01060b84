import type { UserDelegationKey } from '@azure/storage-blob';
import type { SasSigner } from '../../../shared/ports/sas-signer';
import { DAY_MS, MINUTE_MS } from '../../../shared/time';
import { rethrowStorageError } from '../storage/storage-errors';
import { userDelegationSasSigner, type UserDelegationSasRequest } from './user-delegation-sas';

/** Where user-delegation keys come from: `BlobServiceClient` with a token credential fits (`getUserDelegationKey`). */
export interface UserDelegationKeySource {
  getUserDelegationKey(startsOn: Date, expiresOn: Date): Promise<UserDelegationKey>;
}

/** What {@link UserDelegationSasSigner} needs. */
export interface UserDelegationSasSignerOptions {
  keys: UserDelegationKeySource;
  accountName: string;
  /** Blob service endpoint, https, without trailing slash. */
  blobEndpoint: string;
  container: string;
  /** Current time, epoch ms UTC; default `Date.now`. */
  now?: () => number;
  /** Shortest lifetime asked of a new key, ms; default {@link KEY_MIN_LIFETIME_MS}. */
  keyMinLifetimeMs?: number;
}

/** A user-delegation key may expire at most 7 days after it is asked for (Get User Delegation Key, REST docs). */
export const KEY_MAX_LIFETIME_MS = 7 * DAY_MS;
/** Kept off the 7-day limit so a service clock a little behind ours does not refuse the request. */
export const KEY_CLOCK_MARGIN_MS = 5 * MINUTE_MS;
/** Default shortest key lifetime: one key per 6 h keeps key fetches rare even for short playlists. */
export const KEY_MIN_LIFETIME_MS = 6 * 60 * MINUTE_MS;

/**
 * Signs segment URLs with a user-delegation SAS (the Functions app's Entra ID identity, no account key): read-only
 * (`sp=r`) or create-only (`sp=c`), single blob (`sr=b`), `sv` pinned (user-delegation-sas.ts).
 *
 * Key caching: a key is fetched with `getUserDelegationKey` and reused while it outlives the longest URL lifetime this
 * signer was ever asked for; once the remaining validity falls below that, the next batch fetches a new key (renewed
 * early, so no URL is ever signed past its key's expiry). A new key lives twice that longest lifetime (at least
 * `keyMinLifetimeMs`, at most 7 days less {@link KEY_CLOCK_MARGIN_MS}) and starts {@link KEY_CLOCK_MARGIN_MS} in the past
 * (clock skew). One fetch serves a whole batch, and concurrent batches share one fetch in flight.
 * A URL asked to live past the longest key possible (7 days less the margin) expires with its key: settings cap
 * `KEEPWATCH_SEGMENT_SAS_TTL` at P7D, so this trims at most minutes off a 7-day URL.
 * Source: Azure Storage docs, "Create a user delegation SAS" (a user delegation key lives at most 7 days); hence the
 * cached key, refreshed early.
 */
export class UserDelegationSasSigner implements SasSigner {
  private key?: UserDelegationKey;
  private fetching?: Promise<UserDelegationKey>;
  private longestTtlMs = 0;
  private readonly now: () => number;
  private readonly keyMinLifetimeMs: number;

  constructor(private readonly options: UserDelegationSasSignerOptions) {
    this.now = options.now ?? Date.now;
    this.keyMinLifetimeMs = options.keyMinLifetimeMs ?? KEY_MIN_LIFETIME_MS;
  }

  /** One read URL; see {@link blobReadUrls}. */
  async blobReadUrl(blobName: string, expiresOnMs: number): Promise<string> {
    return (await this.blobReadUrls([blobName], expiresOnMs))[0];
  }

  /**
   * Read-only URLs (`sp=r`), see the port.
   * @throws TransientError when the key cannot be fetched (storage unreachable, throttled)
   * @throws Error from the SDK when the identity lacks `generateUserDelegationKey` (403)
   */
  async blobReadUrls(blobNames: readonly string[], expiresOnMs: number): Promise<string[]> {
    return blobNames.length ? blobNames.map(await this.signer(expiresOnMs, 'r')) : [];
  }

  /** {@link blobReadUrls} one URL at a time (see the port): the key is fetched (or reused) once; errors as there. */
  async blobReadUrlSigner(expiresOnMs: number): Promise<(blobName: string) => string> {
    return this.signer(expiresOnMs, 'r');
  }

  /** Create-only URLs (`sp=c`), see the port; errors as {@link blobReadUrls}. */
  async blobCreateUrls(blobNames: readonly string[], expiresOnMs: number): Promise<string[]> {
    return blobNames.length ? blobNames.map(await this.signer(expiresOnMs, 'c')) : [];
  }

  /** Signs URLs with permission `permissions` expiring at `expiresOnMs` (trimmed to the key's expiry). */
  private async signer(expiresOnMs: number, permissions: UserDelegationSasRequest['permissions']): Promise<(blobName: string) => string> {
    const key = await this.keyFor(expiresOnMs);
    const se = Math.min(Math.ceil(expiresOnMs / 1000) * 1000, key.signedExpiresOn.getTime());
    const { accountName, blobEndpoint, container } = this.options;
    return userDelegationSasSigner({ key, accountName, blobEndpoint, container, permissions, expiresOnMs: se });
  }

  /** A key valid at least until `expiresOnMs` (or the longest key possible), fetching one when the cached one is too short. */
  private async keyFor(expiresOnMs: number): Promise<UserDelegationKey> {
    const nowMs = this.now();
    const maxExpiryMs = nowMs + KEY_MAX_LIFETIME_MS - KEY_CLOCK_MARGIN_MS;
    this.longestTtlMs = Math.max(this.longestTtlMs, Math.min(expiresOnMs, maxExpiryMs) - nowMs);
    const usable = (k: UserDelegationKey | undefined) => k !== undefined && k.signedExpiresOn.getTime() - nowMs >= this.longestTtlMs;
    if (usable(this.key)) return this.key!;
    if (this.fetching) {
      const pending = await this.fetching;
      if (usable(pending)) return pending;
    }
    const lifetimeMs = Math.max(this.keyMinLifetimeMs, 2 * this.longestTtlMs);
    const startsOn = new Date(nowMs - KEY_CLOCK_MARGIN_MS);
    // Whole seconds: the key's times go into the SAS with second precision.
    const expiresOn = new Date(Math.floor(Math.min(nowMs + lifetimeMs, maxExpiryMs) / 1000) * 1000);
    const fetching = (this.fetching = this.options.keys.getUserDelegationKey(startsOn, expiresOn).then(
      (k) => (this.key = k),
      (err: unknown) => rethrowStorageError(err, 'get user delegation key'),
    ));
    try {
      return await fetching;
    } finally {
      if (this.fetching === fetching) this.fetching = undefined;
    }
  }
}
