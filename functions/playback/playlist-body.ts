import type { InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { playableSegments } from '../../shared/hls/playable-segments';
import { writePlaylist } from '../../shared/hls/render-playlist';
import { toIso } from '../../shared/time';
import type { FunctionsDeps } from '../deps';
import { playlistSpans, type PlaylistSpansDeps } from './playlist-spans';

/**
 * The HLS VOD playlist of one camera's `[startMs, endMs)` (shared/hls/render-playlist.ts): every stored segment
 * overlapping the range (closed hours from their asset manifests, functions/playback/playlist-spans.ts), sorted,
 * `#EXT-X-DISCONTINUITY` at gaps, each URL an absolute read-only SAS URL of its blob expiring at `sasExpiresMs` (epoch ms
 * UTC). Used by the camera's playlist (functions/playback/playlist.ts) and a share link's
 * (functions/shares/share-playlist.ts), after each has checked its token.
 *
 * Each URL is signed as the playlist is written and dropped once written, into bytes outside the JavaScript heap: a
 * 24 h playlist signs 8,640 URLs (2.5 MB), and keeping them as strings until the end made the garbage collector copy
 * them again and again (about a third of the request's CPU; docs/benchmarks.md "Playlists from manifests").
 * @returns the playlist as UTF-8 bytes
 * @throws NotFoundError `NoMediaInRange` when no segment overlaps the range; TransientError when storage fails
 */
export async function signedPlaylistBody(
  deps: Pick<FunctionsDeps, 'sasSigner'> & PlaylistSpansDeps,
  context: InvocationContext,
  at: { cameraId: string; startMs: number; endMs: number; sasExpiresMs: number },
): Promise<Buffer> {
  const { cameraId } = at;
  // A user-delegation signer may fetch its key: in parallel with the reads.
  const signer = deps.sasSigner.blobReadUrlSigner(at.sasExpiresMs);
  signer.catch(() => {}); // observed here, rethrown where it is awaited below
  const spans = await playlistSpans(cameraId, at.startMs, at.endMs, deps);
  const { segments, dropped } = playableSegments(spans);
  if (dropped > 0) context.warn('overlapping segments left out of playlist', { cameraId, dropped });
  if (segments.length === 0) {
    throw new NotFoundError(`camera '${cameraId}' has no recorded media between ${toIso(at.startMs)} and ${toIso(at.endMs)}`, 'NoMediaInRange');
  }
  const urlOf = await signer;
  return writePlaylist(segments, (s) => urlOf(s.blobName));
}
