import { NotFoundError } from '../../shared/errors';
import { snapToAvailable } from '../../shared/snap-range';
import { toIso } from '../../shared/time';
import type { TimeRange } from '../../shared/time-ranges';
import type { FunctionsDeps } from '../deps';
import { playbackGrantQuery } from './playback-token';
import { playbackRanges } from './playback-ranges';
import { publicBaseUrl } from '../http/public-base-url';

/** Body of a successful playback answer (the CVR route and a recording's). Times are ISO 8601 UTC with milliseconds. */
export interface PlaybackResponse {
  /** Absolute, signed playlist URL; opens without headers until `expiresAt`. */
  hlsUrl: string;
  expiresAt: string;
  /** The effective window the playlist was signed for: the requested (or implied) window snapped to stored media. */
  start: string;
  end: string;
  /** Merged stored ranges of the segments the playlist contains (segment-aligned, so they may reach past start/end). */
  ranges: Array<{ start: string; end: string }>;
}

/**
 * The signed HLS answer for one window of one camera's archive, shared by `GET .../playback` (functions/playback/playback.ts)
 * and `GET .../recordings/{recordingId}/playback` (functions/recordings/recording-playback.ts): the window is snapped to the stored
 * media (shared/snap-range.ts), and the playlist URL `{base}/api/cameras/{cameraId}/playlist.m3u8?start&end&expires&kid&sig`
 * (functions/playback/playback-token.ts) is signed for the snapped window and expires `settings.playbackTtlMs` from now;
 * `base` is `KEEPWATCH_PUBLIC_BASE_URL` (functions/http/public-base-url.ts), never the request's `Host`.
 * @param at.window the half-open window to play, epoch ms UTC, already validated (≤ 24 h, the playlist's limit)
 * @param at.origin the request's origin (`http://host:port`), used only for a loopback request when
 *   `KEEPWATCH_PUBLIC_BASE_URL` is not set
 * @throws NotFoundError `NoMediaInRange` when nothing is stored in the window; TransientError when storage fails
 */
export async function signedPlayback(
  deps: Pick<FunctionsDeps, 'settings' | 'availability' | 'segmentIndex' | 'now'>,
  at: { cameraId: string; window: TimeRange; origin: string },
): Promise<PlaybackResponse> {
  const { cameraId, window } = at;
  const ranges = await playbackRanges(deps, cameraId, window.startMs, window.endMs);
  const snapped = snapToAvailable(window, ranges);
  if (!snapped) {
    throw new NotFoundError(`camera '${cameraId}' has no recorded media between ${toIso(window.startMs)} and ${toIso(window.endMs)}`, 'NoMediaInRange');
  }
  const { startMs, endMs } = snapped;
  const expiresMs = deps.now() + deps.settings.playbackTtlMs;
  const base = publicBaseUrl(deps.settings.publicBaseUrl, at.origin);
  const query = playbackGrantQuery({ cameraId, startMs, endMs, expiresMs }, deps.settings.playbackTokenSecret);
  return {
    hlsUrl: `${base}/api/cameras/${cameraId}/playlist.m3u8?${query}`,
    expiresAt: toIso(expiresMs),
    start: toIso(startMs),
    end: toIso(endMs),
    ranges: ranges.map((r) => ({ start: toIso(r.startMs), end: toIso(r.endMs) })),
  };
}
