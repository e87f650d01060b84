import { randomUUID } from 'node:crypto';
import type { AccessToken, TokenCredential } from '@azure/identity';

/** Claims Azurite's `--oauth basic` checks (azurite/dist/src/blob/authentication/BlobTokenAuthenticator.js). */
const ISSUER_PREFIX = 'https://sts.windows.net/';
const AUDIENCE = 'https://storage.azure.com';
const LIFETIME_S = 3600;

/**
 * A real Entra ID-shaped credential for Azurite started with `--oauth basic`: it mints an unsigned JWT (`alg: none`)
 * with issuer `https://sts.windows.net/{tenantId}/`, audience `https://storage.azure.com`, `iat`/`nbf`/`exp` (1 h) and
 * the identity's `oid`/`tid`. Azurite checks issuer, audience and lifetime but not the signature, and puts `oid`/`tid`
 * into user delegation keys (`skoid`/`sktid`). Real Azure refuses such a token.
 */
export class AzuriteTokenCredential implements TokenCredential {
  /** Requests for a token, for tests that check tokens are cached by the SDK rather than minted per request. */
  tokensIssued = 0;

  constructor(
    readonly objectId: string = randomUUID(),
    readonly tenantId: string = randomUUID(),
  ) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0] : scopes;
    if (!scope?.startsWith(AUDIENCE)) throw new Error(`AzuriteTokenCredential: scope ${scope} is not ${AUDIENCE}/.default`);
    this.tokensIssued++;
    const nowS = Math.floor(Date.now() / 1000);
    const claims = { aud: AUDIENCE, iss: `${ISSUER_PREFIX}${this.tenantId}/`, iat: nowS, nbf: nowS - 60, exp: nowS + LIFETIME_S, oid: this.objectId, tid: this.tenantId };
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return { token: `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`, expiresOnTimestamp: (nowS + LIFETIME_S) * 1000 };
  }
}
