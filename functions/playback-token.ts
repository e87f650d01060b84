import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError, ValidationError } from '../shared/errors';
import { parseIsoDateTime, toIso } from '../shared/time';

/** What a playlist URL grants: one camera, one half-open range, until `expiresMs` (all epoch ms UTC). */
export interface PlaybackGrant {
  cameraId: string;
  startMs: number;
  endMs: number;
  expiresMs: number;
}

/** The query a playlist URL carries: `start`, `end` (ISO), `expires` (epoch ms), `sig` (base64url HMAC-SHA256). */
export type PlaybackQuery = { get(name: string): string | null };

const VERSION = 'keepwatch-playback-v1';
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding

/**
 * HMAC-SHA256 over `keepwatch-playback-v1\n{cameraId}\n{startMs}\n{endMs}\n{expiresMs}` with the playback token
 * secret, base64url. The version prefix lets a later format coexist; newlines cannot occur in any field.
 */
export function signPlaybackGrant(grant: PlaybackGrant, secret: string): string {
  return createHmac('sha256', secret)
    .update(`${VERSION}\n${grant.cameraId}\n${grant.startMs}\n${grant.endMs}\n${grant.expiresMs}`)
    .digest('base64url');
}

/** The query string of a playlist URL for `grant`: `start=…&end=…&expires=…&sig=…` (no leading `?`). */
export function playbackGrantQuery(grant: PlaybackGrant, secret: string): string {
  return new URLSearchParams({
    start: toIso(grant.startMs),
    end: toIso(grant.endMs),
    expires: String(grant.expiresMs),
    sig: signPlaybackGrant(grant, secret),
  }).toString();
}

/**
 * Checks the token of a playlist request for `cameraId`: the signature first (constant-time), then the expiry.
 * @param nowMs current time, epoch ms UTC; the token is valid while `nowMs < expires`
 * @returns the verified grant
 * @throws UnauthorizedError `InvalidPlaybackToken` when a part is missing or malformed or the signature does not
 *   match (altered URL, other camera, other secret); `PlaybackTokenExpired` when it has expired
 */
export function verifyPlaybackGrant(cameraId: string, query: PlaybackQuery, secret: string, nowMs: number): PlaybackGrant {
  const start = query.get('start');
  const end = query.get('end');
  const expires = query.get('expires');
  const sig = query.get('sig');
  if (!start || !end || !expires || !sig) {
    throw new UnauthorizedError(
      `playlist URL lacks its playback token (start, end, expires and sig); get a playlist URL from GET /api/cameras/${cameraId}/playback`,
      'InvalidPlaybackToken',
    );
  }
  let grant: PlaybackGrant;
  try {
    if (!/^\d{1,16}$/.test(expires)) throw new ValidationError('expires is not epoch ms');
    grant = {
      cameraId,
      startMs: parseIsoDateTime(start, 'start'),
      endMs: parseIsoDateTime(end, 'end'),
      expiresMs: Number(expires),
    };
  } catch {
    throw new UnauthorizedError('playback token is malformed (start, end or expires is not what a playlist URL carries)', 'InvalidPlaybackToken');
  }
  const expected = Buffer.from(signPlaybackGrant(grant, secret), 'base64url');
  const given = SIG_PATTERN.test(sig) ? Buffer.from(sig, 'base64url') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError(
      'playback token signature does not match: the URL was altered, is for another camera, or was signed with another secret',
      'InvalidPlaybackToken',
    );
  }
  if (nowMs >= grant.expiresMs) {
    throw new UnauthorizedError(`playback token expired at ${toIso(grant.expiresMs)}; request a new playback URL`, 'PlaybackTokenExpired');
  }
  return grant;
}
