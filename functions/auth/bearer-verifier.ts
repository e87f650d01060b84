import { createPublicKey } from 'node:crypto';
import type { JWK, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { TransientError, UnauthorizedError } from '../../shared/errors';
import type { BearerSettings } from '../settings/auth';

/** Longest a JWKS fetched from the issuer is used before it is fetched again, even with every `kid` known (ms). */
export const JWKS_MAX_AGE_MS = 10 * 60 * 1000;
/** Longest a JWKS or discovery request may take (ms). */
const FETCH_TIMEOUT_MS = 5000;

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
// jose is an ES module; this CommonJS build loads it with import() (Node ≥ 20.19 / 22 can, the Functions worker too).
let josePromise: Promise<Jose> | undefined;
const jose = () => (josePromise ??= import('jose'));

/**
 * Verifies bearer JWTs against one issuer's settings (functions/settings/auth.ts) with `jose`: the signature by a key of
 * the issuer's JWKS (fetched on first use, kept {@link JWKS_MAX_AGE_MS}, fetched again when a token names an unknown
 * `kid` — a rotated key — at most once per `jwksCooldownMs`) or of the configured public keys; `alg` in the allow-list
 * (asymmetric only, so `none` and HS256-with-the-public-key are refused); `iss`; `aud`; `exp` required, `exp`/`nbf`/`iat`
 * with `clockSkewMs` of tolerance; every required claim with an accepted value.
 * Source: AVA access policies (issuer, audience, required claims, RSA/ECC keys), docs/security.md "Bearer tokens".
 */
export class BearerVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(private readonly settings: BearerSettings) {}

  /**
   * @returns the token's verified claims
   * @throws UnauthorizedError `InvalidToken` naming what failed (signature, expired, issuer, audience, claim) — never
   *   the token; TransientError when the issuer's keys cannot be fetched (503, the caller may retry)
   */
  async verify(token: string): Promise<Record<string, unknown>> {
    const j = await jose();
    const keys = await this.keySet(j);
    let payload: Record<string, unknown>;
    try {
      const s = this.settings;
      ({ payload } = await j.jwtVerify(token, keys, {
        issuer: s.issuer,
        audience: s.audiences,
        algorithms: s.algorithms,
        clockTolerance: Math.floor(s.clockSkewMs / 1000),
        requiredClaims: ['exp', ...Object.keys(s.requiredClaims)],
      }));
    } catch (err) {
      throw refusal(j, err);
    }
    for (const [claim, accepted] of Object.entries(this.settings.requiredClaims)) {
      const v = payload[claim];
      const values = Array.isArray(v) ? v : [v];
      if (!values.some((x) => typeof x === 'string' && accepted.includes(x))) throw new UnauthorizedError(`bearer token refused: claim '${claim}' has no accepted value`, 'InvalidToken');
    }
    return payload;
  }

  private keySet(j: Jose): Promise<JWTVerifyGetKey> {
    const made = (this.keys ??= this.makeKeySet(j));
    // A failed discovery is tried again on the next request instead of being remembered.
    made.catch(() => {
      if (this.keys === made) this.keys = undefined;
    });
    return made;
  }

  private async makeKeySet(j: Jose): Promise<JWTVerifyGetKey> {
    const s = this.settings;
    if (s.publicKeys) {
      const keys = s.publicKeys.map((k) => ('pem' in k ? (createPublicKey(k.pem).export({ format: 'jwk' }) as JWK) : (k.jwk as JWK)));
      return j.createLocalJWKSet({ keys });
    }
    const uri = s.jwksUri ?? (await discoverJwksUri(s.issuer));
    return j.createRemoteJWKSet(new URL(uri), { cooldownDuration: s.jwksCooldownMs, cacheMaxAge: JWKS_MAX_AGE_MS, timeoutDuration: FETCH_TIMEOUT_MS });
  }
}

/** The `jwks_uri` of the issuer's OpenID Connect discovery document (`{issuer}/.well-known/openid-configuration`). */
async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as typeof doc;
  } catch (err) {
    throw new TransientError(`the token issuer's discovery document ${url} could not be read: ${(err as Error).message}`, err);
  }
  if (typeof doc.jwks_uri !== 'string') throw new TransientError(`the token issuer's discovery document ${url} has no jwks_uri`);
  return doc.jwks_uri;
}

/** A jose failure as the caller's 401, or a 503 when the issuer's keys are out of reach. */
function refusal(j: Jose, err: unknown): Error {
  const e = j.errors;
  const unreachable =
    err instanceof e.JWKSTimeout ||
    err instanceof e.JWKSInvalid ||
    (err instanceof e.JOSEError && /JSON Web Key Set HTTP response/.test(err.message)) ||
    (err instanceof Error && !(err instanceof e.JOSEError) && /fetch|JSON/i.test(err.message));
  if (unreachable) {
    return new TransientError(`the token issuer's keys could not be fetched: ${err.message}`, err);
  }
  const why =
    err instanceof e.JWTExpired ? 'expired'
    : err instanceof e.JWTClaimValidationFailed ? `claim '${err.claim}' ${err.reason === 'missing' ? 'is missing' : 'is not accepted'}`
    : err instanceof e.JOSEAlgNotAllowed ? 'its algorithm is not allowed'
    : err instanceof e.JWKSNoMatchingKey ? 'no key of the issuer matches it'
    : err instanceof e.JWSSignatureVerificationFailed ? 'its signature does not verify'
    : 'it is not a valid signed JWT';
  return new UnauthorizedError(`bearer token refused: ${why}`, 'InvalidToken');
}

const verifiers = new WeakMap<BearerSettings, BearerVerifier>();

/** The verifier of `settings`, one per settings object, so its JWKS cache lives as long as the settings do. */
export function bearerVerifierFor(settings: BearerSettings): BearerVerifier {
  let v = verifiers.get(settings);
  if (!v) verifiers.set(settings, (v = new BearerVerifier(settings)));
  return v;
}
