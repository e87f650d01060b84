import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError, ValidationError } from '../../shared/errors';
import { parseIsoDateTime, toIso } from '../../shared/time';

/**
 * What a playlist URL grants: one camera, one half-open range, until `expiresMs` (all epoch ms UTC). With `shareId`,
 * the grant of a share link (functions/shares/): signed in its own format, so it opens the share's playlist only, never
 * the camera's, and the share's row is checked on every use.
 */
export interface PlaybackGrant {
  cameraId: string;
  startMs: number;
  endMs: number;
  expiresMs: number;
  shareId?: string;
}

/**
 * The keys playlist URLs are checked with: `current` (`KEEPWATCH_PLAYBACK_TOKEN_SECRET`) signs and verifies;
 * `previous` (`KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS`, during a rotation) only verifies, so URLs handed out before
 * the rotation keep playing until they expire (at most `KEEPWATCH_PLAYBACK_TTL`) or the previous key is removed.
 */
export interface PlaybackKeys {
  current: string;
  previous?: string;
}

/** The query a playlist URL carries: `start`, `end` (ISO), `expires` (epoch ms), `kid`, `sig` (base64url HMAC-SHA256). */
export type PlaybackQuery = { get(name: string): string | null };

const VERSION_1 = 'keepwatch-playback-v1';
const VERSION_2 = 'keepwatch-playback-v2';
const VERSION_SHARE = 'keepwatch-share-v1';
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding
const KID_PATTERN = /^[A-Za-z0-9_-]{11}$/;

/**
 * The key id of a playback secret: 8 bytes of HMAC-SHA256(secret, `keepwatch-playback-kid`), base64url (11
 * characters). Public in every URL; it names the key without revealing it (HMAC is a pseudo-random function), so the
 * verifier picks the key without trying each.
 */
export function playbackKeyId(secret: string): string {
  return createHmac('sha256', secret).update('keepwatch-playback-kid').digest().subarray(0, 8).toString('base64url');
}

/**
 * HMAC-SHA256 over `keepwatch-playback-v2\n{kid}\n{cameraId}\n{startMs}\n{endMs}\n{expiresMs}` with `secret`,
 * base64url; `kid` is {@link playbackKeyId} of `secret`. The version prefix lets formats coexist (v1, without `kid`,
 * is still verified: URLs issued before key ids existed); newlines cannot occur in any field. A share link's grant is
 * `keepwatch-share-v1\n{kid}\n{shareId}\n{cameraId}\n…`: no camera playlist accepts it, nor a share playlist a
 * camera's token.
 */
export function signPlaybackGrant(grant: PlaybackGrant, secret: string): string {
  const kid = playbackKeyId(secret);
  const head = grant.shareId === undefined ? `${VERSION_2}\n${kid}` : `${VERSION_SHARE}\n${kid}\n${grant.shareId}`;
  return mac(`${head}\n${fields(grant)}`, secret);
}

/** The query string of a playlist URL for `grant`: `start=…&end=…&expires=…&kid=…&sig=…` (no leading `?`). */
export function playbackGrantQuery(grant: PlaybackGrant, secret: string): string {
  return new URLSearchParams({
    start: toIso(grant.startMs),
    end: toIso(grant.endMs),
    expires: String(grant.expiresMs),
    kid: playbackKeyId(secret),
    sig: signPlaybackGrant(grant, secret),
  }).toString();
}

/**
 * Checks the token of a playlist request for `cameraId`: the key named by `kid` (current or previous), the signature
 * (constant-time), then the expiry. A token without `kid` (format v1, issued before key ids) is checked against both
 * keys.
 * @param keys the accepted keys; a string is the current key alone
 * @param nowMs current time, epoch ms UTC; the token is valid while `nowMs < expires`
 * @param shareId for a share link's playlist: the share the token must have been signed for (format
 *   `keepwatch-share-v1`, `kid` required); absent for a camera's playlist
 * @returns the verified grant
 * @throws UnauthorizedError `InvalidPlaybackToken` when a part is missing or malformed, `kid` names no accepted key
 *   (a key removed after a rotation), or the signature does not match (altered URL, other camera, other secret);
 *   `PlaybackTokenExpired` when it has expired
 */
export function verifyPlaybackGrant(cameraId: string, query: PlaybackQuery, keys: string | PlaybackKeys, nowMs: number, shareId?: string): PlaybackGrant {
  const { current, previous } = typeof keys === 'string' ? { current: keys, previous: undefined } : keys;
  const start = query.get('start');
  const end = query.get('end');
  const expires = query.get('expires');
  const sig = query.get('sig');
  const kid = query.get('kid');
  if (!start || !end || !expires || !sig) {
    throw new UnauthorizedError(
      `playlist URL lacks its playback token (start, end, expires and sig); get a playlist URL from GET /api/cameras/${cameraId}/playback`,
      'InvalidPlaybackToken',
    );
  }
  let grant: PlaybackGrant;
  try {
    if (!/^\d{1,16}$/.test(expires)) throw new ValidationError('expires is not epoch ms');
    if (kid !== null && !KID_PATTERN.test(kid)) throw new ValidationError('kid is not a key id');
    grant = {
      cameraId,
      startMs: parseIsoDateTime(start, 'start'),
      endMs: parseIsoDateTime(end, 'end'),
      expiresMs: Number(expires),
    };
    if (shareId !== undefined) {
      if (kid === null) throw new ValidationError('a share link always names its key');
      grant.shareId = shareId;
    }
  } catch {
    throw new UnauthorizedError('playback token is malformed (start, end, expires or kid is not what a playlist URL carries)', 'InvalidPlaybackToken');
  }
  const secrets = previous === undefined ? [current] : [current, previous];
  let candidates: string[];
  if (kid === null) candidates = secrets.map((s) => mac(`${VERSION_1}\n${fields(grant)}`, s));
  else {
    const secret = secrets.find((s) => playbackKeyId(s) === kid);
    if (secret === undefined) {
      throw new UnauthorizedError('playback token was signed with a key this service no longer accepts (rotated out); request a new playback URL', 'InvalidPlaybackToken');
    }
    candidates = [signPlaybackGrant(grant, secret)];
  }
  const given = SIG_PATTERN.test(sig) ? Buffer.from(sig, 'base64url') : Buffer.alloc(0);
  // Every candidate is compared, so the time taken does not tell which key matched.
  let matched = false;
  for (const c of candidates) {
    const expected = Buffer.from(c, 'base64url');
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) {
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

function fields(grant: PlaybackGrant): string {
  return `${grant.cameraId}\n${grant.startMs}\n${grant.endMs}\n${grant.expiresMs}`;
}

function mac(text: string, secret: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}
