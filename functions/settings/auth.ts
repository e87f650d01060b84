import { z } from 'zod';
import { MINUTE_MS, SECOND_MS } from '../../shared/time';
import { SETTINGS_DEFAULTS } from './defaults';
import { addProblem, durationMs, shownUrl, textOr, trimmedText } from './env';

/** The JWT signature algorithms a bearer token may use: asymmetric only (never `none`, never HMAC `HS*`). */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export type BearerAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** Largest clock skew a token's `exp`/`nbf`/`iat` are allowed (`KEEPWATCH_AUTH_CLOCK_SKEW`). */
export const AUTH_CLOCK_SKEW_MAX_MS = 5 * MINUTE_MS;
/** Longest wait between two JWKS fetches for an unknown `kid` (`KEEPWATCH_AUTH_JWKS_COOLDOWN`). */
export const AUTH_JWKS_COOLDOWN_MAX_MS = 10 * MINUTE_MS;

/** A public key configured in `KEEPWATCH_AUTH_PUBLIC_KEYS`: a PEM `PUBLIC KEY` (SPKI) text or a public JWK (RSA or EC). */
export type ConfiguredPublicKey = { pem: string } | { jwk: Record<string, unknown> };

/** How bearer tokens are verified; present only when `KEEPWATCH_AUTH_ISSUER` is set. */
export interface BearerSettings {
  /** The exact `iss` every token must carry (`KEEPWATCH_AUTH_ISSUER`). */
  issuer: string;
  /** Accepted `aud` values; a token must name one of them. */
  audiences: string[];
  /** Where the issuer's JWKS is; `undefined` with no `publicKeys` = discovered from `{issuer}/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** Fixed public keys instead of a JWKS (AVA access policies' RSA/ECC keys). */
  publicKeys?: ConfiguredPublicKey[];
  algorithms: BearerAlgorithm[];
  /** Claim → accepted values (a token's claim must equal one, or, for an array claim, contain one). */
  requiredClaims: Record<string, string[]>;
  /** Tolerance on `exp`, `nbf` and `iat`, ms. */
  clockSkewMs: number;
  /** After a JWKS fetch, how long an unknown `kid` is refused without fetching again, ms. */
  jwksCooldownMs: number;
  /** `groups` claim value (an Entra group object id) → the cameras its members may see (`*` = all); `undefined` = no mapping. */
  cameraGroups?: Record<string, '*' | string[]>;
}

/** The access settings of the HTTP API (docs/security.md "Who may call what"). */
export interface AuthSettings {
  /** The administrator's key (`x-functions-key` header or `code` query); `undefined` = no key accepted. */
  adminKey?: string;
  /** Bearer JWT verification; `undefined` = bearer tokens are refused. */
  bearer?: BearerSettings;
}

const ADMIN_KEY = /^[\x21-\x7e]{8,256}$/;
const CAMERA_ID = /^[a-z0-9-]{1,32}$/;

/** `https://…`, or `http://` to a loopback host (a development issuer such as local/dev-issuer.ts). */
function isIssuerUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function parseJson(text: string, name: string, ctx: z.RefinementCtx): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    addProblem(ctx, name, 'is not JSON', text);
    return undefined;
  }
}

/** `KEEPWATCH_AUTH_PUBLIC_KEYS`: a JSON array (or `{ "keys": [...] }`) of PEM `PUBLIC KEY` texts and public RSA/EC JWKs. */
function readPublicKeys(text: string, ctx: z.RefinementCtx): ConfiguredPublicKey[] | undefined {
  const name = 'KEEPWATCH_AUTH_PUBLIC_KEYS';
  const json = parseJson(text, name, ctx);
  if (json === undefined) return undefined;
  const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null && Array.isArray((json as { keys?: unknown }).keys) ? (json as { keys: unknown[] }).keys : undefined;
  if (!list || list.length === 0) {
    addProblem(ctx, name, 'expected a non-empty JSON array of PEM public keys or JWKs, or a JWKS {"keys":[...]}');
    return undefined;
  }
  const keys: ConfiguredPublicKey[] = [];
  list.forEach((k, i) => {
    if (typeof k === 'string') {
      if (/PRIVATE KEY/.test(k)) addProblem(ctx, name, `key ${i} is a private key: configure the public key only`);
      else if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/.test(k.trim())) addProblem(ctx, name, `key ${i} is not a PEM "PUBLIC KEY" (SPKI) text`);
      else keys.push({ pem: k.trim() });
    } else if (typeof k === 'object' && k !== null && !Array.isArray(k)) {
      const jwk = k as Record<string, unknown>;
      if ('d' in jwk) addProblem(ctx, name, `key ${i} is a private JWK (it has "d"): configure the public key only`);
      else if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') addProblem(ctx, name, `key ${i} has kty ${JSON.stringify(jwk.kty)}; expected "RSA" or "EC"`);
      else keys.push({ jwk });
    } else {
      addProblem(ctx, name, `key ${i} is neither a PEM text nor a JWK object`);
    }
  });
  return keys;
}

/** `KEEPWATCH_AUTH_REQUIRED_CLAIMS`: a JSON object, claim name → a string or an array of accepted strings. */
function readRequiredClaims(text: string, ctx: z.RefinementCtx): Record<string, string[]> {
  const name = 'KEEPWATCH_AUTH_REQUIRED_CLAIMS';
  const json = parseJson(text, name, ctx);
  const out: Record<string, string[]> = {};
  if (json === undefined) return out;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    addProblem(ctx, name, 'expected a JSON object such as {"tid":"<tenant id>"} (claim name → accepted value or values)');
    return out;
  }
  for (const [claim, v] of Object.entries(json)) {
    const values = typeof v === 'string' ? [v] : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
    if (!values) addProblem(ctx, name, `claim ${JSON.stringify(claim)}: expected a string or a non-empty array of strings`);
    else out[claim] = values;
  }
  return out;
}

/** `KEEPWATCH_AUTH_CAMERA_GROUPS`: a JSON object, group id → `"*"` or an array of camera ids. */
function readCameraGroups(text: string, ctx: z.RefinementCtx): Record<string, '*' | string[]> | undefined {
  const name = 'KEEPWATCH_AUTH_CAMERA_GROUPS';
  const json = parseJson(text, name, ctx);
  if (json === undefined) return undefined;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    addProblem(ctx, name, 'expected a JSON object such as {"<group id>":["door","yard"]} (group → camera ids, or "*")');
    return undefined;
  }
  const out: Record<string, '*' | string[]> = {};
  for (const [group, v] of Object.entries(json)) {
    if (v === '*') out[group] = '*';
    else if (Array.isArray(v) && v.every((c) => typeof c === 'string' && CAMERA_ID.test(c))) out[group] = v as string[];
    else addProblem(ctx, name, `group ${JSON.stringify(group)}: expected "*" or an array of camera ids ([a-z0-9-]{1,32})`);
  }
  return out;
}

/**
 * Access to the HTTP API (functions/auth/, docs/security.md "Who may call what"):
 *
 * - `KEEPWATCH_ADMIN_KEY` (secret, 8..256 visible ASCII characters): the administrator's key, accepted on every route
 *   in the `x-functions-key` header or the `code` query parameter. Unset = no key works.
 * - `KEEPWATCH_AUTH_ISSUER` (`https://…`, or `http://` to a loopback host): turns bearer tokens on; a token's `iss`
 *   must equal it. Unset = bearer tokens are refused. The others below apply only with it, and
 *   `KEEPWATCH_AUTH_AUDIENCE` (comma-separated, required) lists the accepted `aud` values.
 * - `KEEPWATCH_AUTH_JWKS_URI` or `KEEPWATCH_AUTH_PUBLIC_KEYS` (JSON array of PEM public keys and RSA/EC JWKs), not
 *   both; neither = the JWKS named by `{issuer}/.well-known/openid-configuration`.
 * - `KEEPWATCH_AUTH_ALGORITHMS` (comma-separated, default every RS/PS/ES algorithm; `none` and `HS*` refused),
 *   `KEEPWATCH_AUTH_REQUIRED_CLAIMS` (JSON object claim → value(s)), `KEEPWATCH_AUTH_CLOCK_SKEW` (ISO 8601, default
 *   PT60S, PT0S..PT5M), `KEEPWATCH_AUTH_JWKS_COOLDOWN` (ISO 8601, default PT30S, PT0S..PT10M: the least time between two
 *   JWKS fetches caused by an unknown `kid`), `KEEPWATCH_AUTH_CAMERA_GROUPS` (JSON object group id → camera ids or `"*"`).
 */
export const authSettingsSchema = z
  .object({
    KEEPWATCH_ADMIN_KEY: z.string().optional(),
    KEEPWATCH_AUTH_ISSUER: trimmedText,
    KEEPWATCH_AUTH_AUDIENCE: trimmedText,
    KEEPWATCH_AUTH_JWKS_URI: trimmedText,
    KEEPWATCH_AUTH_PUBLIC_KEYS: trimmedText,
    KEEPWATCH_AUTH_ALGORITHMS: trimmedText,
    KEEPWATCH_AUTH_REQUIRED_CLAIMS: trimmedText,
    KEEPWATCH_AUTH_CLOCK_SKEW: textOr(SETTINGS_DEFAULTS.authClockSkew),
    KEEPWATCH_AUTH_JWKS_COOLDOWN: textOr(SETTINGS_DEFAULTS.authJwksCooldown),
    KEEPWATCH_AUTH_CAMERA_GROUPS: trimmedText,
  })
  .transform((s, ctx): AuthSettings => {
    const key = s.KEEPWATCH_ADMIN_KEY || undefined;
    if (key !== undefined && !ADMIN_KEY.test(key)) {
      addProblem(ctx, 'KEEPWATCH_ADMIN_KEY', `has ${key.length} characters; expected 8 to 256 visible ASCII characters (no spaces)`);
    }
    const auth: AuthSettings = key === undefined ? {} : { adminKey: key };
    const issuer = s.KEEPWATCH_AUTH_ISSUER;
    const dependent = ['KEEPWATCH_AUTH_AUDIENCE', 'KEEPWATCH_AUTH_JWKS_URI', 'KEEPWATCH_AUTH_PUBLIC_KEYS', 'KEEPWATCH_AUTH_ALGORITHMS', 'KEEPWATCH_AUTH_REQUIRED_CLAIMS', 'KEEPWATCH_AUTH_CAMERA_GROUPS'] as const;
    if (issuer === undefined) {
      for (const name of dependent) if (s[name] !== undefined) addProblem(ctx, name, 'only applies with KEEPWATCH_AUTH_ISSUER (bearer tokens are off without it)');
      return auth;
    }
    if (!isIssuerUrl(issuer)) addProblem(ctx, 'KEEPWATCH_AUTH_ISSUER', `${shownUrl(issuer)} is not an https URL (http only to 127.0.0.1 or localhost)`);
    const audiences = (s.KEEPWATCH_AUTH_AUDIENCE ?? '').split(',').map((a) => a.trim()).filter(Boolean);
    if (audiences.length === 0) addProblem(ctx, 'KEEPWATCH_AUTH_AUDIENCE', 'required with KEEPWATCH_AUTH_ISSUER: the application ID URI or client id tokens are issued for (e.g. api://keepwatch)');
    const jwksUri = s.KEEPWATCH_AUTH_JWKS_URI;
    if (jwksUri !== undefined && !isIssuerUrl(jwksUri)) addProblem(ctx, 'KEEPWATCH_AUTH_JWKS_URI', `${shownUrl(jwksUri)} is not an https URL (http only to 127.0.0.1 or localhost)`);
    const publicKeys = s.KEEPWATCH_AUTH_PUBLIC_KEYS === undefined ? undefined : readPublicKeys(s.KEEPWATCH_AUTH_PUBLIC_KEYS, ctx);
    if (jwksUri !== undefined && s.KEEPWATCH_AUTH_PUBLIC_KEYS !== undefined) addProblem(ctx, 'KEEPWATCH_AUTH_PUBLIC_KEYS', 'set either KEEPWATCH_AUTH_JWKS_URI or KEEPWATCH_AUTH_PUBLIC_KEYS, not both');
    let algorithms: BearerAlgorithm[] = [...ASYMMETRIC_ALGORITHMS];
    if (s.KEEPWATCH_AUTH_ALGORITHMS !== undefined) {
      const given = s.KEEPWATCH_AUTH_ALGORITHMS.split(',').map((a) => a.trim()).filter(Boolean);
      const bad = given.filter((a) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a));
      if (bad.length || given.length === 0) addProblem(ctx, 'KEEPWATCH_AUTH_ALGORITHMS', `${bad.map((a) => JSON.stringify(a)).join(', ') || 'nothing'} not allowed; expected some of ${ASYMMETRIC_ALGORITHMS.join(', ')} (never none or HS*)`);
      else algorithms = given as BearerAlgorithm[];
    }
    const requiredClaims = s.KEEPWATCH_AUTH_REQUIRED_CLAIMS === undefined ? {} : readRequiredClaims(s.KEEPWATCH_AUTH_REQUIRED_CLAIMS, ctx);
    const clockSkewMs = durationMs(s.KEEPWATCH_AUTH_CLOCK_SKEW, 0, AUTH_CLOCK_SKEW_MAX_MS, ctx, 'KEEPWATCH_AUTH_CLOCK_SKEW');
    const jwksCooldownMs = durationMs(s.KEEPWATCH_AUTH_JWKS_COOLDOWN, 0, AUTH_JWKS_COOLDOWN_MAX_MS, ctx, 'KEEPWATCH_AUTH_JWKS_COOLDOWN');
    const cameraGroups = s.KEEPWATCH_AUTH_CAMERA_GROUPS === undefined ? undefined : readCameraGroups(s.KEEPWATCH_AUTH_CAMERA_GROUPS, ctx);
    return {
      ...auth,
      bearer: {
        issuer,
        audiences,
        ...(jwksUri === undefined ? {} : { jwksUri }),
        ...(publicKeys === undefined ? {} : { publicKeys }),
        algorithms,
        requiredClaims,
        clockSkewMs: Number.isNaN(clockSkewMs) ? 60 * SECOND_MS : clockSkewMs,
        jwksCooldownMs: Number.isNaN(jwksCooldownMs) ? 30 * SECOND_MS : jwksCooldownMs,
        ...(cameraGroups === undefined ? {} : { cameraGroups }),
      },
    };
  });
