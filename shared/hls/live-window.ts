import type { LivePlaylistOptions } from './render-playlist';

/** Segments a live playlist lists: 6 × PT2S = 12 s, above the three target durations RFC 8216 §6.2.2 asks for. */
export const LIVE_WINDOW_SEGMENTS = 6;

/**
 * The numbers one segment of a camera was last given in a live playlist: the server's memory that keeps
 * `#EXT-X-MEDIA-SEQUENCE` and `#EXT-X-DISCONTINUITY-SEQUENCE` consistent across reloads (RFC 8216 §6.2.1: a segment
 * keeps its media sequence number; each reload's first segment is numbered from the same count).
 */
export interface LiveSequenceMark {
  /** Start of the marked segment, epoch ms UTC (its identity: one segment per start and camera). */
  startMs: number;
  mediaSequence: number;
  discontinuitySequence: number;
  /** The target duration given so far, s: it only grows (§6.2.1 forbids changing it; growing beats lying). */
  targetDurationS: number;
}

/** A segment as the live window needs it: start and duration, epoch ms UTC and ms. */
export interface LiveSegmentSpan {
  startMs: number;
  durationMs: number;
}

/** What {@link liveWindow} decided for one reload. */
export interface LiveWindow<T extends LiveSegmentSpan> {
  /** The last `size` segments, sorted by start. */
  segments: T[];
  /** The numbers to render them with (shared/hls/render-playlist.ts). */
  live: LivePlaylistOptions;
  /** The mark to remember: the newest segment's numbers; equal to the given mark when nothing changed. */
  mark: LiveSequenceMark | undefined;
  /** True when `mark` differs from the one given (the caller stores it). */
  markChanged: boolean;
}

/**
 * Numbers the newest segments of a camera for a live playlist, consistently with what earlier reloads said.
 *
 * Media sequence numbers must count segments (each one the previous plus one), and start times do not lie on a
 * lattice (segments are cut at keyframes, sessions restart after gaps), so no function of a segment's time can number
 * it: the numbers are counted from a remembered mark, the newest segment an earlier reload listed.
 * - The mark is among `recent`: every segment is numbered relative to it (segment i is the mark's number plus i minus
 *   the mark's index), and the discontinuity sequence counts the gaps between them.
 * - No mark, or the mark is not among `recent` (nobody watched for longer than the lookback): numbering starts afresh,
 *   above every number given before (mark + 1, discontinuity + 1), or at the first segment's start in whole seconds
 *   when there was no mark at all, so that even a lost mark never makes numbers go back.
 * A gap (a segment starting after the previous one ended) is a discontinuity, as in VOD playlists.
 * @param recent the camera's latest segments (a lookback longer than the window), sorted by start, not overlapping
 *   (shared/hls/playable-segments.ts)
 * @param mark the remembered mark, if any
 * @param size segments in the window (≥ 1), default {@link LIVE_WINDOW_SEGMENTS}
 */
export function liveWindow<T extends LiveSegmentSpan>(recent: readonly T[], mark: LiveSequenceMark | undefined, size: number = LIVE_WINDOW_SEGMENTS): LiveWindow<T> {
  if (!(size >= 1)) throw new RangeError(`live window size ${size} is below 1`);
  if (recent.length === 0) {
    const live = mark
      ? { mediaSequence: mark.mediaSequence + 1, discontinuitySequence: mark.discontinuitySequence + 1, targetDurationS: mark.targetDurationS }
      : { mediaSequence: 0, discontinuitySequence: 0, targetDurationS: 1 };
    return { segments: [], live, mark, markChanged: false };
  }
  // Discontinuities before each segment, counted from the first of `recent`.
  const gapsBefore: number[] = [0];
  for (let i = 1; i < recent.length; i++) {
    const prevEndMs = recent[i - 1].startMs + recent[i - 1].durationMs;
    gapsBefore.push(gapsBefore[i - 1] + (recent[i].startMs > prevEndMs ? 1 : 0));
  }
  const at = mark ? recent.findIndex((s) => s.startMs === mark.startMs) : -1;
  let firstSequence: number;
  let firstDiscontinuity: number;
  if (mark && at >= 0) {
    firstSequence = mark.mediaSequence - at;
    firstDiscontinuity = mark.discontinuitySequence - gapsBefore[at];
  } else if (mark) {
    firstSequence = mark.mediaSequence + 1;
    firstDiscontinuity = mark.discontinuitySequence + 1;
  } else {
    firstSequence = Math.floor(recent[0].startMs / 1000);
    firstDiscontinuity = 0;
  }
  const from = Math.max(0, recent.length - size);
  const segments = recent.slice(from);
  const longestS = Math.ceil(Math.max(...recent.map((s) => s.durationMs)) / 1000);
  const targetDurationS = Math.max(1, longestS, mark?.targetDurationS ?? 1);
  const last = recent.length - 1;
  const next: LiveSequenceMark = {
    startMs: recent[last].startMs,
    mediaSequence: firstSequence + last,
    discontinuitySequence: firstDiscontinuity + gapsBefore[last],
    targetDurationS,
  };
  const markChanged = !mark || (Object.keys(next) as (keyof LiveSequenceMark)[]).some((k) => next[k] !== mark[k]);
  return {
    segments,
    live: { mediaSequence: firstSequence + from, discontinuitySequence: firstDiscontinuity + gapsBefore[from], targetDurationS },
    mark: markChanged ? next : mark,
    markChanged,
  };
}
