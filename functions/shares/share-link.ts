import { playbackGrantQuery } from '../playback/playback-token';
import type { Share } from '../adapters/table/table-share-store';

/** A share id: 22 base64url characters, 128 random bits (shared/random-secret.ts). */
export const SHARE_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * The link of a share: `{base}/api/share/{cameraId}/{shareId}?start&end&expires&kid&sig`, a read-only page
 * (functions/shares/share-page.ts) whose query is the share's token (format `keepwatch-share-v1`,
 * functions/playback/playback-token.ts): an HMAC-SHA256 (256 bits) of the share id, camera, range and expiry with the
 * playback key. It carries no administrator's key and no bearer token; the share's row is checked on every use
 * (functions/shares/share-playlist.ts).
 * @param base the public base URL, without `/api`
 */
export function shareLink(share: Pick<Share, 'id' | 'cameraId' | 'startMs' | 'endMs' | 'expiresMs'>, secret: string, base: string): string {
  const query = playbackGrantQuery({ cameraId: share.cameraId, startMs: share.startMs, endMs: share.endMs, expiresMs: share.expiresMs, shareId: share.id }, secret);
  return `${base}/api/share/${share.cameraId}/${share.id}?${query}`;
}
