import type { InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { playableSegments } from '../../shared/hls/playable-segments';
import { renderPlaylist } from '../../shared/hls/render-playlist';
import { toIso } from '../../shared/time';
import type { FunctionsDeps } from '../deps';
import { playlistSpans, type PlaylistSpansDeps } from './playlist-spans';

/**
 * The HLS VOD playlist of one camera's `[startMs, endMs)` (shared/hls/render-playlist.ts): every stored segment
 * overlapping the range (closed hours from their asset manifests, functions/playback/playlist-spans.ts), sorted, `#EXT-X-DISCONTINUITY` at gaps, each URL an absolute read-only SAS URL of its blob
 * expiring at `sasExpiresMs` (epoch ms UTC). Used by the camera's playlist (functions/playback/playlist.ts) and a
 * share link's (functions/shares/share-playlist.ts), after each has checked its token.
 * @throws NotFoundError `NoMediaInRange` when no segment overlaps the range; TransientError when storage fails
 */
export async function signedPlaylistBody(
  deps: Pick<FunctionsDeps, 'sasSigner'> & PlaylistSpansDeps,
  context: InvocationContext,
  at: { cameraId: string; startMs: number; endMs: number; sasExpiresMs: number },
): Promise<string> {
  const { cameraId, sasExpiresMs } = at;
  // Closed hours come from their asset manifests, the open hour from the index (functions/playback/playlist-spans.ts).
  // Sign each manifest and index page as it arrives: the signing (≈ 30 ms for the 8,640 URLs of 24 h) then
  // overlaps the storage reads instead of following them (bench/playlist-latency.ts).
  const signing: Array<Promise<Array<[string, string]>>> = [];
  const spans = await playlistSpans(cameraId, at.startMs, at.endMs, deps, (page) => {
    const names = page.map((s) => s.blobName);
    const signed = deps.sasSigner.blobReadUrls(names, sasExpiresMs).then((urls) => names.map((n, i): [string, string] => [n, urls[i]]));
    signed.catch(() => {}); // observed here, rethrown where it is awaited below
    signing.push(signed);
  });
  const { segments, dropped } = playableSegments(spans);
  if (dropped > 0) context.warn('overlapping segments left out of playlist', { cameraId, dropped });
  if (segments.length === 0) {
    throw new NotFoundError(`camera '${cameraId}' has no recorded media between ${toIso(at.startMs)} and ${toIso(at.endMs)}`, 'NoMediaInRange');
  }
  const urlByBlob = new Map((await Promise.all(signing)).flat());
  const unsigned = segments.filter((s) => !urlByBlob.has(s.blobName)).map((s) => s.blobName); // an index that gave no pages
  if (unsigned.length) (await deps.sasSigner.blobReadUrls(unsigned, sasExpiresMs)).forEach((url, i) => urlByBlob.set(unsigned[i], url));
  return renderPlaylist(segments.map((s) => ({ startMs: s.startMs, durationMs: s.durationMs, url: urlByBlob.get(s.blobName)! })));
}
