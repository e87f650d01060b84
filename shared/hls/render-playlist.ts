import { toIso } from '../time';

/** One media segment of a playlist. */
export interface PlaylistSegment {
  /** Segment start, epoch ms UTC. */
  startMs: number;
  /** Segment duration in ms (> 0). */
  durationMs: number;
  /** Absolute URL the player fetches (a read-only SAS URL in production). */
  url: string;
}

/**
 * What makes a playlist a live one (RFC 8216 §6.2.2): the numbers of its first segment, which the server keeps
 * consistent from one reload to the next (shared/hls/live-window.ts), and a target duration that never shrinks.
 */
export interface LivePlaylistOptions {
  /** `#EXT-X-MEDIA-SEQUENCE`: the media sequence number of the first segment (≥ 0). */
  mediaSequence: number;
  /** `#EXT-X-DISCONTINUITY-SEQUENCE`: the discontinuity sequence number of the first segment (≥ 0). */
  discontinuitySequence: number;
  /** Lower bound of `#EXT-X-TARGETDURATION`, s: a live playlist's target duration must not change between reloads (§6.2.1). */
  targetDurationS: number;
}

/**
 * Renders an HLS media playlist (RFC 8216) for segments of one camera: VOD by default, live with `live`.
 *
 * - `#EXT-X-PROGRAM-DATE-TIME` on every segment maps it to wall-clock UTC (RFC 8216 §4.3.2.6), so
 *   players and VMSs can seek by time and show the real recording time.
 * - `#EXT-X-DISCONTINUITY` before a segment that does not start exactly where the previous one
 *   ended: a gap (camera down, cache evicted, agent restarted) or a new ffmpeg session whose
 *   timestamps restart (RFC 8216 §4.3.2.3).
 * - `#EXT-X-TARGETDURATION` is the longest EXTINF rounded up, as §4.3.3.1 requires.
 * - VOD: `#EXT-X-MEDIA-SEQUENCE:0`, `#EXT-X-PLAYLIST-TYPE:VOD` and `#EXT-X-ENDLIST` (the list is complete).
 * - live (`live` given): a sliding window, so no `#EXT-X-PLAYLIST-TYPE` (EVENT forbids removing segments, §4.3.3.5)
 *   and no `#EXT-X-ENDLIST` (players reload it, §6.3.4); `#EXT-X-MEDIA-SEQUENCE` and `#EXT-X-DISCONTINUITY-SEQUENCE`
 *   number its first segment (§4.3.3.2, §4.3.3.3).
 *
 * @param segments sorted by startMs, none overlapping; may be empty (then a valid empty list)
 * @param live the live numbers; absent = VOD
 * @returns the playlist text, lines ending in `\n`
 * @throws RangeError when segments are unsorted or overlap (a bug upstream, not user input)
 */
export function renderPlaylist(segments: readonly PlaylistSegment[], live?: LivePlaylistOptions): string {
  const longestS = segments.reduce((m, s) => Math.max(m, s.durationMs / 1000), 0);
  const targetS = Math.max(1, Math.ceil(longestS), live?.targetDurationS ?? 1);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetS}`];
  if (live) lines.push(`#EXT-X-MEDIA-SEQUENCE:${live.mediaSequence}`, `#EXT-X-DISCONTINUITY-SEQUENCE:${live.discontinuitySequence}`);
  else lines.push('#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD');
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  let prevEndMs: number | undefined;
  for (const s of segments) {
    if (!(s.durationMs > 0)) throw new RangeError(`segment at ${toIso(s.startMs)} has duration ${s.durationMs} ms`);
    if (prevEndMs !== undefined) {
      if (s.startMs < prevEndMs) throw new RangeError(`segment at ${toIso(s.startMs)} overlaps the previous one`);
      if (s.startMs > prevEndMs) lines.push('#EXT-X-DISCONTINUITY');
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${toIso(s.startMs)}`, `#EXTINF:${(s.durationMs / 1000).toFixed(3)},`, s.url);
    prevEndMs = s.startMs + s.durationMs;
  }
  if (!live) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
