import { toIso } from '../time';

/** One media segment of a VOD playlist. */
export interface PlaylistSegment {
  /** Segment start, epoch ms UTC. */
  startMs: number;
  /** Segment duration in ms (> 0). */
  durationMs: number;
  /** Absolute URL the player fetches (a read-only SAS URL in production). */
  url: string;
}

/**
 * Renders an HLS VOD media playlist (RFC 8216) for segments of one camera.
 *
 * - `#EXT-X-PROGRAM-DATE-TIME` on every segment maps it to wall-clock UTC (RFC 8216 §4.3.2.6), so
 *   players and VMSs can seek by time and show the real recording time.
 * - `#EXT-X-DISCONTINUITY` before a segment that does not start exactly where the previous one
 *   ended: a gap (camera down, cache evicted, agent restarted) or a new ffmpeg session whose
 *   timestamps restart (RFC 8216 §4.3.2.3).
 * - `#EXT-X-TARGETDURATION` is the longest EXTINF rounded up, as §4.3.3.1 requires.
 * - `#EXT-X-ENDLIST`: the list is complete (VOD).
 *
 * @param segments sorted by startMs, none overlapping; may be empty (then a valid empty VOD list)
 * @returns the playlist text, lines ending in `\n`
 * @throws RangeError when segments are unsorted or overlap (a bug upstream, not user input)
 */
export function renderPlaylist(segments: readonly PlaylistSegment[]): string {
  const longestS = segments.reduce((m, s) => Math.max(m, s.durationMs / 1000), 0);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(longestS))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
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
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
