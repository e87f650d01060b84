import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../shared/errors';
import { toIso } from '../../shared/time';
import { playbackKeyId, type PlaybackKeys, type PlaybackQuery } from './playback-token';

/** What a live playlist URL grants: the live window of one camera until `expiresMs` (epoch ms UTC); never the archive. */
export interface LiveGrant {
  cameraId: string;
  expiresMs: number;
}

const VERSION = 'keepwatch-live-v1';
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding
const KID_PATTERN = /^[A-Za-z0-9_-]{11}$/;

/**
 * HMAC-SHA256 over `keepwatch-live-v1\n{kid}\n{cameraId}\n{expiresMs}` with `secret` (the playback key), base64url;
 * `kid` is {@link playbackKeyId} of `secret`. Its own version prefix, so a live token can never pass as a VOD token
 * (functions/playback/playback-token.ts, which signs a range) nor the other way round.
 */
export function signLiveGrant(grant: LiveGrant, secret: string): string {
  return createHmac('sha256', secret).update(`${VERSION}\n${playbackKeyId(secret)}\n${grant.cameraId}\n${grant.expiresMs}`).digest('base64url');
}

/** The query string of a live playlist URL for `grant`: `expires=…&kid=…&sig=…` (no leading `?`). */
export function liveGrantQuery(grant: LiveGrant, secret: string): string {
  return new URLSearchParams({ expires: String(grant.expiresMs), kid: playbackKeyId(secret), sig: signLiveGrant(grant, secret) }).toString();
}

/**
 * Checks the token of a live playlist request for `cameraId`: the key named by `kid` (the current playback key or,
 * during a rotation, the previous one), the signature (constant-time), then the expiry.
 * @param nowMs current time, epoch ms UTC; valid while `nowMs < expires`
 * @returns the verified grant
 * @throws UnauthorizedError `InvalidPlaybackToken` when a part is missing or malformed, `kid` names no accepted key, or
 *   the signature does not match (altered URL, other camera, a VOD token); `PlaybackTokenExpired` when it has expired
 */
export function verifyLiveGrant(cameraId: string, query: PlaybackQuery, keys: PlaybackKeys, nowMs: number): LiveGrant {
  const expires = query.get('expires');
  const kid = query.get('kid');
  const sig = query.get('sig');
  if (!expires || !kid || !sig) {
    throw new UnauthorizedError(`live playlist URL lacks its token (expires, kid and sig); get one from GET /api/cameras/${cameraId}/live`, 'InvalidPlaybackToken');
  }
  if (!/^\d{1,16}$/.test(expires) || !KID_PATTERN.test(kid) || !SIG_PATTERN.test(sig)) {
    throw new UnauthorizedError('live token is malformed (expires, kid or sig is not what a live playlist URL carries)', 'InvalidPlaybackToken');
  }
  const secret = [keys.current, keys.previous].find((s): s is string => s !== undefined && playbackKeyId(s) === kid);
  if (secret === undefined) {
    throw new UnauthorizedError('live token was signed with a key this service no longer accepts (rotated out); request a new live URL', 'InvalidPlaybackToken');
  }
  const grant: LiveGrant = { cameraId, expiresMs: Number(expires) };
  const expected = Buffer.from(signLiveGrant(grant, secret), 'base64url');
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError('live token signature does not match: the URL was altered, is for another camera, or is not a live URL', 'InvalidPlaybackToken');
  }
  if (nowMs >= grant.expiresMs) {
    throw new UnauthorizedError(`live token expired at ${toIso(grant.expiresMs)}; request a new live URL`, 'PlaybackTokenExpired');
  }
  return grant;
}
