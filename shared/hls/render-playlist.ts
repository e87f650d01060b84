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
  return writePlaylist(segments, (s) => s.url, live).toString('utf8');
}

/** A segment's place on the timeline, without its URL ({@link writePlaylist} asks for the URL when it writes it). */
export type PlaylistTiming = Pick<PlaylistSegment, 'startMs' | 'durationMs'>;

/**
 * {@link renderPlaylist} as UTF-8 bytes, asking `urlOf` for each segment's URL as it writes the segment. For long
 * playlists (24 h: 8,640 segments, 2.5 MB): the text goes straight into buffers outside the JavaScript heap and each
 * URL is dropped once written, so the garbage collector does not copy megabytes of strings that live until the
 * response is complete (measured in docs/benchmarks.md "Playlists from manifests").
 * @param urlOf the segment's absolute URL (e.g. signed on the spot: `SasSigner.blobReadUrlSigner`)
 * @throws RangeError as {@link renderPlaylist}; whatever `urlOf` throws
 */
export function writePlaylist<T extends PlaylistTiming>(segments: readonly T[], urlOf: (segment: T) => string, live?: LivePlaylistOptions): Buffer {
  const longestS = segments.reduce((m, s) => Math.max(m, s.durationMs / 1000), 0);
  const targetS = Math.max(1, Math.ceil(longestS), live?.targetDurationS ?? 1);
  const out = new ByteWriter();
  out.write(`#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${targetS}\n`);
  out.write(
    live
      ? `#EXT-X-MEDIA-SEQUENCE:${live.mediaSequence}\n#EXT-X-DISCONTINUITY-SEQUENCE:${live.discontinuitySequence}\n`
      : '#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n',
  );
  out.write('#EXT-X-INDEPENDENT-SEGMENTS\n');
  let prevEndMs: number | undefined;
  // The EXTINF text is formatted again only when the duration changes (most segments of a camera share it).
  let extinfMs = Number.NaN;
  let extinf = '';
  for (const s of segments) {
    if (!(s.durationMs > 0)) throw new RangeError(`segment at ${toIso(s.startMs)} has duration ${s.durationMs} ms`);
    if (prevEndMs !== undefined) {
      if (s.startMs < prevEndMs) throw new RangeError(`segment at ${toIso(s.startMs)} overlaps the previous one`);
      if (s.startMs > prevEndMs) out.write('#EXT-X-DISCONTINUITY\n');
    }
    if (s.durationMs !== extinfMs) {
      extinfMs = s.durationMs;
      extinf = `#EXTINF:${(s.durationMs / 1000).toFixed(3)},\n`;
    }
    const text = `#EXT-X-PROGRAM-DATE-TIME:${toIso(s.startMs)}\n${extinf}${urlOf(s)}\n`;
    if (prevEndMs === undefined) out.reserve(segments.length * (text.length + 32)); // the first segment sizes the rest
    out.write(text);
    prevEndMs = s.startMs + s.durationMs;
  }
  if (!live) out.write('#EXT-X-ENDLIST\n');
  return out.bytes();
}

/**
 * Bytes of a growing text in one buffer outside the JavaScript heap, sized ahead ({@link ByteWriter.reserve}) so that
 * a long playlist is neither copied on growth nor concatenated at the end (each fresh megabyte costs page faults).
 */
class ByteWriter {
  private buffer = Buffer.allocUnsafe(4096);
  private used = 0;

  /** Makes room for `bytes` more bytes (a hint: {@link write} grows the buffer anyway). */
  reserve(bytes: number): void {
    if (this.used + bytes > this.buffer.length) this.grow(this.used + bytes);
  }

  /** Appends `text` as UTF-8. */
  write(text: string): void {
    const most = text.length * 3; // UTF-8 bytes of a UTF-16 string, at most
    if (this.used + most > this.buffer.length) this.grow(Math.max(2 * this.buffer.length, this.used + most));
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Everything written (a view of the buffer, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  private grow(size: number): void {
    const bigger = Buffer.allocUnsafe(size);
    this.buffer.copy(bigger, 0, 0, this.used);
    this.buffer = bigger;
  }
}
