import type { SegmentListEntry, SegmentStartLog } from './ffmpeg-output';

/** A completed segment placed on the UTC timeline. */
export interface TimedSegment {
  fileName: string;
  /** UTC start, epoch ms. */
  startMs: number;
  /** Duration in ms (> 0). */
  durationMs: number;
  /** True when this segment starts a new chain (first of a session, or after a re-anchor). */
  chainStart: boolean;
}

/** Options of {@link SegmentTimeline}. */
export interface SegmentTimelineOptions {
  /** Re-anchor when the chain's UTC mapping and the observed wall clock differ by more (ms). Default 1000. */
  maxDriftMs?: number;
  /** How many recent wall-clock observations the anchor estimate uses. Default 8. */
  window?: number;
  /**
   * UTC end (epoch ms) of the camera's previous session's last segment. A new session's anchor is an estimate (late or
   * early by up to its delivery jitter), so a session that follows at once (a restart to change the audio, a camera
   * that reboots fast) could start before the previous one ended: its chain is moved to start there instead, when the
   * overlap is at most {@link MAX_SESSION_OVERLAP_MS}. A larger one is a wall clock stepped back between the
   * sessions: the new session follows the corrected clock (ADR 0002).
   */
  notBeforeMs?: number;
}

/** The largest overlap with the previous session that {@link SegmentTimelineOptions.notBeforeMs} absorbs (ms). */
export const MAX_SESSION_OVERLAP_MS = 5000;

/**
 * The largest hole between two segments of one session that is closed (ms): the segment muxer lists a segment's end
 * as its last packet's time plus that packet's duration, which RTP packets do not always carry; the next segment then
 * starts one frame after the listed end although no media is missing.
 */
export const MAX_FRAME_HOLE_MS = 250;

/**
 * Places one ffmpeg session's segments on the UTC timeline.
 *
 * Times come from the muxer, not from file mtimes: each segment's start and end are the muxer's
 * packet times (CSV segment list, start-of-segment log line). Muxer time is mapped to UTC by an
 * anchor `utcMs = anchorMs + muxerS * 1000`. Each start-of-segment log line is printed when the
 * segment's first packet is written, so `wallMs - ptsTime` over-estimates the anchor by the
 * delivery latency; the smallest recent value is the best estimate. The first packets of a live
 * input come in a burst after ffmpeg has probed the stream, so the first observation is late and
 * the first segment is placed only once the next segment's start has been seen (or the session ended).
 *
 * Within a chain the anchor is fixed, so segment n+1 starts exactly where segment n ended
 * (same muxer time, same rounding; a hole of up to {@link MAX_FRAME_HOLE_MS} is closed): no overlap and no false gap.
 * A session does not start before the previous one ended ({@link SegmentTimelineOptions.notBeforeMs}). If the camera clock drifts from
 * the wall clock by more than `maxDriftMs`, a new chain starts at the better anchor, never
 * overlapping the previous segment.
 */
export class SegmentTimeline {
  private readonly maxDriftMs: number;
  private readonly window: number;
  private readonly observations: number[] = [];
  private readonly startPts = new Map<string, number>();
  private chainAnchorMs: number | undefined;
  private lastEndMs: number | undefined;
  private readonly notBeforeMs: number | undefined;

  constructor(opts: SegmentTimelineOptions = {}) {
    this.maxDriftMs = opts.maxDriftMs ?? 1000;
    this.window = opts.window ?? 8;
    this.notBeforeMs = opts.notBeforeMs;
  }

  /**
   * Records a start-of-segment log line seen at wall-clock `wallMs` (epoch ms). ffmpeg repeats the
   * line for every audio packet that precedes the segment's first video frame; the first line of a
   * file carries its first packet's time, so later ones only add wall-clock observations.
   * @param wallMs when ffmpeg wrote the line, as closely as known; undefined when only late (a log read in batches
   *   and no timely source: camera-recorder.ts): the segment's start time is kept, no observation is added
   */
  observeStart(log: SegmentStartLog, wallMs: number | undefined): void {
    if (!this.startPts.has(log.fileName)) this.startPts.set(log.fileName, log.ptsTimeS);
    if (wallMs === undefined) return;
    this.observations.push(wallMs - log.ptsTimeS * 1000);
    if (this.observations.length > this.window) this.observations.shift();
  }

  /**
   * The UTC anchor (`utcMs = anchorMs + muxerS * 1000`) of the current chain, fixed once a segment was placed;
   * before that, the best estimate from the start lines seen (late by the first burst), or undefined when none.
   * `final` tells which. Used to place the recorder's decoded frames (motion, HTTP extension) on the same timeline.
   */
  get anchor(): { anchorMs: number; final: boolean } | undefined {
    if (this.chainAnchorMs !== undefined) return { anchorMs: this.chainAnchorMs, final: true };
    return this.observations.length ? { anchorMs: Math.min(...this.observations), final: false } : undefined;
  }

  /** True once a start line for `fileName` has been seen. */
  hasStart(fileName: string): boolean {
    return this.startPts.has(fileName);
  }

  /**
   * Places a completed segment.
   * @param fallbackWallMs wall clock to anchor with when no start line was ever seen (ffmpeg
   *   printed none): the entry's end is taken as "now"
   * @returns the segment's UTC start and duration, or `undefined` for an empty segment
   */
  complete(entry: SegmentListEntry, fallbackWallMs: number): TimedSegment | undefined {
    // The CSV start of a session's first segment is 0 while its first packet may be later;
    // the start line carries the real packet time.
    const startS = this.startPts.get(entry.fileName) ?? entry.startS;
    this.startPts.delete(entry.fileName);
    if (!(entry.endS > startS)) return undefined;
    const estimate = this.observations.length ? Math.min(...this.observations) : fallbackWallMs - entry.endS * 1000;
    let chainStart = false;
    // A wall clock stepped back (NTP correcting a fast clock) by more than this segment ends before the chain's last
    // end: re-anchored, the segment would be dropped as empty. The session keeps its timeline instead (contiguous, off
    // by the step until the next session, which starts on the corrected clock): nothing recorded is lost.
    const steppedBack = this.lastEndMs !== undefined && Math.round(estimate + entry.endS * 1000) <= this.lastEndMs;
    if (this.chainAnchorMs === undefined) {
      const overlapMs = this.notBeforeMs === undefined ? 0 : this.notBeforeMs - (estimate + startS * 1000);
      this.chainAnchorMs = overlapMs > 0 && overlapMs <= MAX_SESSION_OVERLAP_MS ? estimate + overlapMs : estimate;
      chainStart = true;
    } else if (Math.abs(estimate - this.chainAnchorMs) > this.maxDriftMs && !steppedBack) {
      this.chainAnchorMs = estimate;
      chainStart = true;
    }
    let startMs = Math.round(this.chainAnchorMs + startS * 1000);
    const endMs = Math.round(this.chainAnchorMs + entry.endS * 1000);
    if (this.lastEndMs !== undefined && startMs - this.lastEndMs <= MAX_FRAME_HOLE_MS) startMs = this.lastEndMs;
    if (endMs <= startMs) return undefined;
    this.lastEndMs = endMs;
    return { fileName: entry.fileName, startMs, durationMs: endMs - startMs, chainStart };
  }
}
