/** One media segment of a live playlist as a player sees it. */
export interface LiveSegment {
  /** Its media sequence number: `#EXT-X-MEDIA-SEQUENCE` plus its position (RFC 8216 §4.3.3.2). */
  mediaSequence: number;
  /** `#EXT-X-PROGRAM-DATE-TIME`, as written. */
  programDateTime: string;
  durationS: number;
  /** True when `#EXT-X-DISCONTINUITY` precedes it. */
  discontinuity: boolean;
  url: string;
}

/** What a player reads from a live media playlist. */
export interface LivePlaylist {
  targetDurationS: number;
  mediaSequence: number;
  discontinuitySequence: number;
  playlistType?: string;
  endList: boolean;
  segments: LiveSegment[];
}

/**
 * Parses an HLS media playlist the way a player numbers it (RFC 8216 §4.3.3.2: the first segment has
 * `#EXT-X-MEDIA-SEQUENCE`, each next one the previous plus one).
 * @throws Error when it does not start with `#EXTM3U` or lacks `#EXT-X-TARGETDURATION`, or a segment has no EXTINF
 */
export function parseLivePlaylist(text: string): LivePlaylist {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines[0] !== '#EXTM3U') throw new Error(`not a playlist: ${text.slice(0, 80)}`);
  const tag = (name: string) => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
  const target = tag('#EXT-X-TARGETDURATION');
  if (target === undefined) throw new Error('playlist without #EXT-X-TARGETDURATION');
  const mediaSequence = Number(tag('#EXT-X-MEDIA-SEQUENCE') ?? 0);
  const segments: LiveSegment[] = [];
  let pending: Partial<LiveSegment> = {};
  for (const l of lines) {
    if (l === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
    else if (l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pending.programDateTime = l.slice(25);
    else if (l.startsWith('#EXTINF:')) pending.durationS = Number(l.slice(8).split(',')[0]);
    else if (!l.startsWith('#')) {
      if (pending.durationS === undefined) throw new Error(`segment ${l} without #EXTINF`);
      segments.push({ mediaSequence: mediaSequence + segments.length, programDateTime: pending.programDateTime ?? '', durationS: pending.durationS, discontinuity: pending.discontinuity ?? false, url: l });
      pending = {};
    }
  }
  return {
    targetDurationS: Number(target),
    mediaSequence,
    discontinuitySequence: Number(tag('#EXT-X-DISCONTINUITY-SEQUENCE') ?? 0),
    playlistType: tag('#EXT-X-PLAYLIST-TYPE'),
    endList: lines.includes('#EXT-X-ENDLIST'),
    segments,
  };
}
