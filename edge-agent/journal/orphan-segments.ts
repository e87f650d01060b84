import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { RecordedSegment } from '../segments/recorded-segment';

/** A segment file name of a recording session: `{sessionId}-{index, 6 digits}.ts` (recorder/ffmpeg-args.ts). */
const SESSION_FILE = /^(.+)-(\d{6})\.ts$/;

/** MPEG-TS packet size (bytes): a file the segment muxer closed holds whole packets only. */
const TS_PACKET_BYTES = 188;

/**
 * The largest overlap with the camera's last journaled segment that an adopted session's estimated start is moved
 * past (ms); as recorder/segment-timeline.ts MAX_SESSION_OVERLAP_MS.
 */
const MAX_OVERLAP_MS = 5000;
/**
 * The largest hole after the camera's last journaled segment that is closed (ms): the estimate is late by the
 * delivery latency (see {@link adoptableSegments}), so an orphan that went on where the dead agent stopped shows as a
 * hole of about that size.
 */
const MAX_HOLE_MS = 1000;

/** What to do with the segment files of a camera folder the journal does not list. */
export interface OrphanFilePlan {
  /** Complete by position (not their session's newest file), oldest first per session: to check and adopt. */
  complete: string[];
  /** Their session's newest file (ffmpeg was writing it when killed), or not a session file: to delete. */
  partial: string[];
}

/**
 * Sorts the `.ts` files of a camera folder that the journal does not list. ffmpeg's segment muxer closes file n
 * (trailer written, file closed) before it opens file n+1, so in each session every file but the newest is complete;
 * the newest is the one it was writing when it was killed, unless the journal lists it (its session ended cleanly).
 * @param names file names in the folder
 * @param known names the journal lists (pending segments)
 */
export function planOrphanFiles(names: readonly string[], known: ReadonlySet<string>): OrphanFilePlan {
  const sessions = new Map<string, Array<{ name: string; index: number }>>();
  const partial: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.ts')) continue;
    const m = SESSION_FILE.exec(name);
    if (!m) {
      if (!known.has(name)) partial.push(name);
      continue;
    }
    const list = sessions.get(m[1]) ?? [];
    list.push({ name, index: Number(m[2]) });
    sessions.set(m[1], list);
  }
  const complete: string[] = [];
  for (const files of sessions.values()) {
    files.sort((a, b) => a.index - b.index);
    const newest = files[files.length - 1];
    for (const f of files) {
      if (known.has(f.name)) continue;
      (f === newest ? partial : complete).push(f.name);
    }
  }
  return { complete, partial };
}

/** Video packet times of one MPEG-TS file, in seconds of its own timeline (the muxer's, offset included). */
export interface SegmentPacketTimes {
  /** Earliest presentation time. */
  startS: number;
  /** Latest presentation time plus that packet's duration (or the median frame interval when it has none). */
  endS: number;
  packets: number;
}

/**
 * Reads every video packet of a segment file with ffmpeg (`-copyts`, codec copy, `framemd5` to stdout: one line per
 * packet with its pts and duration in the stream's time base), so a file that is cut or damaged fails here.
 * @throws Error when ffmpeg fails, reports an error, or finds no video packet
 */
export function readSegmentPacketTimes(ffmpegPath: string, file: string, timeoutMs = 30_000): Promise<SegmentPacketTimes> {
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-copyts', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'framemd5', '-'];
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`ffmpeg could not read ${path.basename(file)}: ${String(stderr).trim().split('\n').slice(-2).join(' | ') || err.message}`));
      if (String(stderr).trim()) return reject(new Error(`ffmpeg reports ${path.basename(file)} damaged: ${String(stderr).trim().split('\n').slice(-2).join(' | ')}`));
      const tb = /^#tb 0: (\d+)\/(\d+)$/m.exec(stdout);
      if (!tb) return reject(new Error(`ffmpeg gave no time base for ${path.basename(file)}`));
      const unitS = Number(tb[1]) / Number(tb[2]);
      const rows = stdout
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(',').map((c) => c.trim()))
        .map(([, , pts, duration]) => ({ pts: Number(pts), duration: Number(duration) }))
        .filter((r) => Number.isFinite(r.pts));
      if (!rows.length) return reject(new Error(`${path.basename(file)} holds no video packet`));
      const sorted = rows.map((r) => r.pts).sort((a, b) => a - b);
      const steps = sorted.slice(1).map((p, i) => p - sorted[i]).filter((d) => d > 0).sort((a, b) => a - b);
      const frame = steps.length ? steps[Math.floor(steps.length / 2)] : 0;
      const end = Math.max(...rows.map((r) => r.pts + (r.duration > 0 ? r.duration : frame)));
      resolve({ startS: sorted[0] * unitS, endS: end * unitS, packets: rows.length });
    });
  });
}

/**
 * One complete orphan segment, timed, or why it is not adoptable. `estimateOffsetMs`: how far the session's estimated
 * start was from the end of the camera's last journaled segment before it was moved there (0 when not moved).
 */
export type OrphanVerdict = { file: string; segment: RecordedSegment; estimateOffsetMs: number } | { file: string; reason: string };

/**
 * Checks and times the complete segments a killed agent's orphaned ffmpeg wrote after the agent died (docs/security.md
 * finding 7), so they become normal journal entries instead of being deleted.
 *
 * Complete: not its session's newest file ({@link planOrphanFiles}), a whole number of 188-byte TS packets, and every
 * video packet readable by ffmpeg to its end ({@link readSegmentPacketTimes}).
 *
 * Timing (UTC): the file's mtime is when ffmpeg closed it, i.e. when the packet that starts the next segment arrived,
 * so `mtimeMs - endS * 1000` estimates the session's anchor (`utcMs = anchorMs + ptsS * 1000`), late by the delivery
 * latency, as the recorder's own start-line estimate is (recorder/segment-timeline.ts). The smallest estimate over the
 * session's adopted files is used; each segment starts where the previous one ended (their packet times follow each
 * other) and lasts until the next one's first packet (the last one: its last packet plus a frame). The session is moved
 * to start at `notBeforeMs` (the end of the camera's last journaled segment) when its estimate overlaps it by up to 5 s
 * or leaves a hole of up to 1 s there: the orphan went on recording where the agent stopped. Accuracy: the delivery
 * latency (well under 1 s on a LAN camera; a stepped wall clock while the agent was dead is not seen).
 * @param files complete-by-position file names in `dir`, in session and index order
 * @param notBeforeMs end of the camera's last journaled segment (epoch ms), if any
 * @returns one verdict per file, in order
 */
export async function adoptableSegments(o: { cameraId: string; dir: string; files: readonly string[]; ffmpegPath: string; notBeforeMs?: number }): Promise<OrphanVerdict[]> {
  const verdicts: OrphanVerdict[] = [];
  const bySession = new Map<string, Array<{ file: string; bytes: number; mtimeMs: number; t: SegmentPacketTimes }>>();
  for (const file of o.files) {
    const full = path.join(o.dir, file);
    let st;
    try {
      st = statSync(full);
    } catch (err) {
      verdicts.push({ file, reason: `not readable: ${(err as Error).message}` });
      continue;
    }
    if (st.size === 0 || st.size % TS_PACKET_BYTES !== 0) {
      verdicts.push({ file, reason: `${st.size} bytes is not a whole number of MPEG-TS packets` });
      continue;
    }
    try {
      const t = await readSegmentPacketTimes(o.ffmpegPath, full);
      const session = SESSION_FILE.exec(file)?.[1] ?? file;
      const list = bySession.get(session) ?? [];
      list.push({ file, bytes: st.size, mtimeMs: st.mtimeMs, t });
      bySession.set(session, list);
    } catch (err) {
      verdicts.push({ file, reason: (err as Error).message });
    }
  }
  for (const files of bySession.values()) {
    const anchorMs = Math.min(...files.map((f) => f.mtimeMs - f.t.endS * 1000));
    const timed = files.map((f, i) => {
      const startS = f.t.startS;
      const nextStartS = files[i + 1]?.t.startS;
      const endS = nextStartS !== undefined && nextStartS > startS ? nextStartS : f.t.endS;
      return { f, startMs: Math.round(anchorMs + startS * 1000), endMs: Math.round(anchorMs + endS * 1000) };
    });
    let shiftMs = 0;
    if (o.notBeforeMs !== undefined && timed.length) {
      const d = timed[0].startMs - o.notBeforeMs;
      if ((d < 0 && d >= -MAX_OVERLAP_MS) || (d > 0 && d <= MAX_HOLE_MS)) shiftMs = -d;
    }
    for (const { f, startMs, endMs } of timed) {
      if (endMs <= startMs) {
        verdicts.push({ file: f.file, reason: 'no duration' });
        continue;
      }
      verdicts.push({ file: f.file, segment: { cameraId: o.cameraId, path: path.join(o.dir, f.file), startMs: startMs + shiftMs, durationMs: endMs - startMs, bytes: f.bytes }, estimateOffsetMs: -shiftMs });
    }
  }
  return verdicts;
}
