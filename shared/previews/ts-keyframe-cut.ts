/**
 * Where to start decoding an MPEG-TS segment for the frame shown `offsetMs` after its first video frame: at the last
 * keyframe at or before that instant, so a preview decodes at most one GOP instead of the segment up to the instant
 * (docs/previews.md "Which frame"). Pure: reads the bytes, copies none of the media.
 *
 * What it reads (ISO/IEC 13818-1): 188-byte packets; the PAT (PID 0) names the PMT's PID, the PMT the first video
 * stream (H.264, H.265, MPEG-2 or MPEG-4 video); each PES that starts on that PID gives a PTS (90 kHz), and a keyframe
 * is a PES whose first packet sets the adaptation field's `random_access_indicator`, which ffmpeg's MPEG-TS muxer (the
 * agent's recorder) sets on every video keyframe.
 */

/** Where decoding starts. */
export interface KeyframeCut {
  /** The segment's first video PTS (the segment's start), 90 kHz units. */
  firstPts: number;
  /** PTS of the keyframe decoding starts at, 90 kHz units (≤ the instant's). */
  keyframePts: number;
  /** The instant's PTS, 90 kHz units: `firstPts + offsetMs × 90`. */
  targetPts: number;
  /** Byte offset of the keyframe's first TS packet (a multiple of 188). */
  keyframeByte: number;
  /** Byte offsets of the packets before it that carry the PAT and the PMT, which a decoder needs first. */
  tableBytes: number[];
}

const PACKET = 188;
const VIDEO_STREAM_TYPES = new Set([0x01, 0x02, 0x10, 0x1b, 0x24]);
const PTS_WRAP = 2 ** 33;

/**
 * Finds where to start decoding for the frame at `offsetMs` from the first video frame.
 * @param ts the segment's bytes, MPEG-TS as ffmpeg writes it (starting on a packet)
 * @returns `undefined` when the bytes are not such a stream (no sync bytes, no PAT/PMT or video stream, no PTS) or
 *   its timestamps wrap inside it: the caller then decodes the whole segment
 */
export function keyframeCut(ts: Uint8Array, offsetMs: number): KeyframeCut | undefined {
  if (ts.length < PACKET || ts.length % PACKET !== 0) return undefined;
  let pmtPid: number | undefined;
  let videoPid: number | undefined;
  const tableBytes: number[] = [];
  let firstPts: number | undefined;
  let targetPts = 0;
  let best: { pts: number; byte: number } | undefined;
  for (let at = 0; at < ts.length; at += PACKET) {
    if (ts[at] !== 0x47) return undefined;
    const pid = ((ts[at + 1] & 0x1f) << 8) | ts[at + 2];
    const unitStart = (ts[at + 1] & 0x40) !== 0;
    const control = (ts[at + 3] >> 4) & 3;
    let payload = at + 4;
    let randomAccess = false;
    if (control & 2) {
      const length = ts[at + 4];
      if (length > 0) randomAccess = (ts[at + 5] & 0x40) !== 0;
      payload += 1 + length;
    }
    if (!(control & 1) || payload >= at + PACKET) continue;
    if (pid === 0 && unitStart && pmtPid === undefined) {
      pmtPid = patPmtPid(ts, payload + 1 + ts[payload], at + PACKET);
      tableBytes.push(at);
    } else if (pid === pmtPid && unitStart && videoPid === undefined) {
      videoPid = pmtVideoPid(ts, payload + 1 + ts[payload], at + PACKET);
      tableBytes.push(at);
    } else if (pid === videoPid && unitStart) {
      const pts = pesPts(ts, payload, at + PACKET);
      if (pts === undefined) continue;
      if (firstPts === undefined) {
        firstPts = pts;
        targetPts = pts + Math.round(offsetMs * 90);
      }
      if (pts < firstPts - PTS_WRAP / 2 || pts > firstPts + PTS_WRAP / 2) return undefined; // wrapped: leave it to ffmpeg
      if (randomAccess && pts <= targetPts) best = { pts, byte: at };
    }
  }
  if (firstPts === undefined || !best) return undefined;
  return { firstPts, keyframePts: best.pts, targetPts, keyframeByte: best.byte, tableBytes: tableBytes.filter((b) => b < best!.byte) };
}

/** The bytes to decode: the PAT and PMT packets, then everything from the keyframe on. */
export function cutBytes(ts: Uint8Array, cut: KeyframeCut): Uint8Array {
  const out = new Uint8Array(cut.tableBytes.length * PACKET + ts.length - cut.keyframeByte);
  cut.tableBytes.forEach((b, i) => out.set(ts.subarray(b, b + PACKET), i * PACKET));
  out.set(ts.subarray(cut.keyframeByte), cut.tableBytes.length * PACKET);
  return out;
}

/** The PID of the first program's PMT in a PAT section starting at `at`. */
function patPmtPid(ts: Uint8Array, at: number, end: number): number | undefined {
  if (at + 8 > end || ts[at] !== 0x00) return undefined;
  const sectionEnd = Math.min(end, at + 3 + (((ts[at + 1] & 0x0f) << 8) | ts[at + 2]) - 4); // without the CRC
  for (let p = at + 8; p + 4 <= sectionEnd; p += 4) {
    const program = (ts[p] << 8) | ts[p + 1];
    if (program !== 0) return ((ts[p + 2] & 0x1f) << 8) | ts[p + 3];
  }
  return undefined;
}

/** The PID of the first video stream in a PMT section starting at `at`. */
function pmtVideoPid(ts: Uint8Array, at: number, end: number): number | undefined {
  if (at + 12 > end || ts[at] !== 0x02) return undefined;
  const sectionEnd = Math.min(end, at + 3 + (((ts[at + 1] & 0x0f) << 8) | ts[at + 2]) - 4);
  let p = at + 12 + (((ts[at + 10] & 0x0f) << 8) | ts[at + 11]);
  while (p + 5 <= sectionEnd) {
    const type = ts[p];
    const pid = ((ts[p + 1] & 0x1f) << 8) | ts[p + 2];
    if (VIDEO_STREAM_TYPES.has(type)) return pid;
    p += 5 + (((ts[p + 3] & 0x0f) << 8) | ts[p + 4]);
  }
  return undefined;
}

/** The PTS of a PES header starting at `at` (90 kHz), if it has one. */
function pesPts(ts: Uint8Array, at: number, end: number): number | undefined {
  if (at + 14 > end || ts[at] !== 0 || ts[at + 1] !== 0 || ts[at + 2] !== 1) return undefined;
  if (!(ts[at + 7] & 0x80)) return undefined;
  const p = at + 9;
  return ((ts[p] >> 1) & 0x07) * 2 ** 30 + ts[p + 1] * 2 ** 22 + (ts[p + 2] >> 1) * 2 ** 15 + ts[p + 3] * 2 ** 7 + (ts[p + 4] >> 1);
}
