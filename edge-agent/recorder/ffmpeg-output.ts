/** One completed segment as the muxer's CSV segment list reports it. */
export interface SegmentListEntry {
  /** File name as ffmpeg wrote it (base name). */
  fileName: string;
  /** Muxer time of the segment start and end, seconds. */
  startS: number;
  endS: number;
}

/**
 * Parses one line of ffmpeg's CSV segment list (`-segment_list_type csv`): `file,start,end`,
 * the file name quoted when it holds a comma or quote (libavformat/segment.c).
 * @returns `undefined` for a line that is not such an entry
 */
export function parseSegmentListLine(line: string): SegmentListEntry | undefined {
  const m = /^("(?:[^"]|"")*"|[^,]*),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)\s*$/.exec(line);
  if (!m) return undefined;
  const raw = m[1];
  const fileName = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw;
  return { fileName, startS: Number(m[2]), endS: Number(m[3]) };
}

/** The start of a segment as the segment muxer logs it at verbose level. */
export interface SegmentStartLog {
  /** Base name of the segment file. */
  fileName: string;
  /** Muxer time of the first packet, seconds. */
  ptsTimeS: number;
}

/**
 * Parses ffmpeg's verbose line `[segment @ 0x…] segment:'dir/file.ts' starts with packet
 * stream:0 pts:9000 pts_time:0.1 frame:0` (libavformat/segment.c).
 * @returns `undefined` for any other line
 */
export function parseSegmentStartLine(line: string): SegmentStartLog | undefined {
  const m = /segment:'(.*)' starts with packet stream:\d+ pts:-?\d+ pts_time:(-?\d+(?:\.\d+)?)/.exec(line);
  if (!m) return undefined;
  const parts = m[1].split(/[\\/]/);
  return { fileName: parts[parts.length - 1], ptsTimeS: Number(m[2]) };
}

/**
 * The picture size of output `outputIndex` from ffmpeg's output dump, e.g. (output #1)
 * `    Stream #1:0(eng): Video: rawvideo, 1 reference frame (Y800 / 0x30303859), gray(left), 320x180, q=2-31, …`.
 * @returns `{ width, height }` in px, or `undefined` for any other line
 */
export function parseOutputVideoSize(line: string, outputIndex: number): { width: number; height: number } | undefined {
  if (!line.includes(`Stream #${outputIndex}:`) || !/: Video: /.test(line)) return undefined;
  const m = new RegExp(`^\\s*Stream #${outputIndex}:\\d+.*?: Video: .*?, (\\d+)x(\\d+)(?:[ ,\\[]|$)`).exec(line);
  if (!m) return undefined;
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * The muxer time of the first VIDEO packet of a session's segments: the start line of stream 0 (the recorder maps
 * `0:v:0` first). Audio packets before the first keyframe print start lines of stream 1 and are skipped.
 * @returns seconds, or `undefined` for any other line
 */
export function parseVideoStartPts(line: string): number | undefined {
  const m = /segment:'.*' starts with packet stream:0 pts:-?\d+ pts_time:(-?\d+(?:\.\d+)?)/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/**
 * One decoded output frame as ffmpeg-args.ts `DECODED_FRAME_INFO_FILTER` logs it:
 * `[Parsed_showinfo_3 @ 0x…] n:  12 pts:     13 pts_time:2.6     pos: …` (libavfilter/vf_showinfo.c).
 * @returns the frame's index in its output and its time on the muxer's timeline (seconds), or `undefined` for any
 *   other line
 */
export function parseDecodedFrameInfo(line: string): { index: number; ptsTimeS: number } | undefined {
  const m = /\[Parsed_showinfo_\d+ @ [^\]]+\] n:\s*(\d+) pts:\s*-?\d+\s+pts_time:(-?\d+(?:\.\d+)?)/.exec(line);
  return m ? { index: Number(m[1]), ptsTimeS: Number(m[2]) } : undefined;
}
