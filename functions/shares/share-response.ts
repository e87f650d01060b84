import { toIso } from '../../shared/time';
import type { Share } from '../adapters/table/table-share-store';
import type { FunctionsSettings } from '../settings';
import { shareLink } from './share-link';

/** One share link in the shares API; times ISO 8601 UTC with milliseconds. */
export interface ShareResponse {
  id: string;
  cameraId: string;
  /** The link that opens the shared range without an account; absent once the share is expired or revoked. */
  url?: string;
  start: string;
  end: string;
  expiresAt: string;
  createdAt: string;
  /** Who made it: a token's `sub`, or `admin key`. */
  createdBy: string;
  label?: string;
  /** `active` until `expiresAt` or a revocation. */
  status: 'active' | 'expired' | 'revoked';
  revokedAt?: string;
}

/**
 * The API form of a stored share at `nowMs`, with its link (re-signed with the current playback key, so the same
 * URL as at creation until a key rotation) while it is active.
 * @param base the public base URL (functions/http/public-base-url.ts)
 */
export function shareResponse(share: Share, nowMs: number, settings: Pick<FunctionsSettings, 'playbackTokenSecret'>, base: string): ShareResponse {
  const status = share.revokedAtMs !== undefined ? 'revoked' : nowMs >= share.expiresMs ? 'expired' : 'active';
  const out: ShareResponse = {
    id: share.id,
    cameraId: share.cameraId,
    start: toIso(share.startMs),
    end: toIso(share.endMs),
    expiresAt: toIso(share.expiresMs),
    createdAt: toIso(share.createdAtMs),
    createdBy: share.createdBy,
    status,
  };
  if (status === 'active') out.url = shareLink(share, settings.playbackTokenSecret, base);
  if (share.label !== undefined) out.label = share.label;
  if (share.revokedAtMs !== undefined) out.revokedAt = toIso(share.revokedAtMs);
  return out;
}
