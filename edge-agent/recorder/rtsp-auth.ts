/** RTSP authentication as a client (HTTP Basic and Digest, RFC 2617), for the agent's RTSP relay (rtsp-relay.ts). */

import { createHash, randomBytes } from 'node:crypto';

/** A parsed `WWW-Authenticate` challenge: the scheme and its parameters (names lower-case). */
export interface AuthChallenge {
  scheme: 'basic' | 'digest';
  params: Record<string, string>;
}

/**
 * The challenge to answer among a 401's `WWW-Authenticate` values: Digest (MD5 or unspecified algorithm) before
 * Basic; undefined when there is none the relay can answer.
 */
export function pickChallenge(values: string[]): AuthChallenge | undefined {
  const parsed = values.map(parseChallenge).filter((c): c is AuthChallenge => c !== undefined);
  return (
    parsed.find((c) => c.scheme === 'digest' && /^(md5)?$/i.test(c.params.algorithm ?? '') && c.params.nonce !== undefined) ??
    parsed.find((c) => c.scheme === 'basic')
  );
}

/** One `WWW-Authenticate` value → challenge (quoted and token parameters). */
function parseChallenge(value: string): AuthChallenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(value);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  if (scheme !== 'basic' && scheme !== 'digest') return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let p = re.exec(m[2]); p; p = re.exec(m[2])) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme, params };
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

/** Inputs of {@link digestResponse}. */
export interface DigestInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  /** The request URI, exactly as on the request line. */
  uri: string;
  /** `auth` (then `nc` and `cnonce` are required) or undefined (RFC 2069 compatibility). */
  qop?: 'auth';
  /** Nonce count, 8 hex digits, e.g. `00000001`. */
  nc?: string;
  cnonce?: string;
}

/**
 * The `response` of RFC 2617 §3.2.2.1 with algorithm MD5: `MD5(HA1:nonce:nc:cnonce:qop:HA2)` with qop `auth`, else
 * `MD5(HA1:nonce:HA2)`, where `HA1 = MD5(username:realm:password)` and `HA2 = MD5(method:uri)`. 32 lower-case hex.
 */
export function digestResponse(d: DigestInput): string {
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  return d.qop === 'auth' ? md5(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:auth:${ha2}`) : md5(`${ha1}:${d.nonce}:${ha2}`);
}

/** Answers one challenge for every request until a new one comes: the `Authorization` value of each request. */
export class Authenticator {
  private nc = 0;
  private readonly cnonce = randomBytes(8).toString('hex');
  constructor(
    private readonly challenge: AuthChallenge,
    private readonly username: string,
    private readonly password: string,
  ) {}

  authorization(method: string, uri: string): string {
    if (this.challenge.scheme === 'basic') return `Basic ${Buffer.from(`${this.username}:${this.password}`, 'utf8').toString('base64')}`;
    const p = this.challenge.params;
    const qop = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase()).includes('auth') ? ('auth' as const) : undefined;
    const nc = (++this.nc).toString(16).padStart(8, '0');
    const response = digestResponse({ username: this.username, password: this.password, realm: p.realm ?? '', nonce: p.nonce, method, uri, qop, nc, cnonce: this.cnonce });
    const q = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
    return [
      `Digest username=${q(this.username)}`,
      `realm=${q(p.realm ?? '')}`,
      `nonce=${q(p.nonce)}`,
      `uri=${q(uri)}`,
      `response=${q(response)}`,
      ...(p.algorithm ? [`algorithm=${p.algorithm}`] : []),
      ...(p.opaque !== undefined ? [`opaque=${q(p.opaque)}`] : []),
      ...(qop ? [`qop=auth`, `nc=${nc}`, `cnonce=${q(this.cnonce)}`] : []),
    ].join(', ');
  }
}
