import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { GapTracker } from '../gaps/gap-tracker';
import { adoptableSegments, planOrphanFiles } from '../journal/orphan-segments';
import type { SegmentJournal } from '../journal/segment-journal';
import type { Logger } from '../log';
import { killOrphanFfmpeg } from '../recorder/orphan-ffmpeg';
import type { RecordedSegment } from './recorded-segment';
import type { SegmentLifecycle } from './segment-lifecycle';

/** What {@link recoverSegments} works on. */
export interface RecoverOptions {
  journal: SegmentJournal;
  gaps: GapTracker;
  segments: SegmentLifecycle;
  /** `localMediaCachePath`: each camera's folder is `{cacheDir}/{cameraId}`. */
  cacheDir: string;
  /** The cameras this run records (config cameras and the live pipelines resumed from the previous run). */
  cameraIds: readonly string[];
  /** The ffmpeg that reads orphan files to time them. */
  ffmpegPath: string;
  logger: Logger;
}

/**
 * Resumes what the previous run left, at start, before any camera records: opens the journal; the hole the previous
 * run's end left becomes each camera's next gap (`agent-stopped` after a clean stop, else `agent-restart`); journaled
 * segments whose files are intact go back into the cache and the upload queue, oldest first (a missing or changed one is
 * `lost`: an `agent-restart` gap). An ffmpeg the previous agent left running (it was SIGKILLed) is killed, so nothing
 * writes meanwhile; the complete segments it wrote that the journal does not list are adopted, and only the file each
 * session was writing is deleted, logged as lost ({@link adoptOrphanSegments}).
 * @throws when the journal cannot be opened or written (the agent must not record without its journal)
 */
export async function recoverSegments(o: RecoverOptions): Promise<void> {
  const { journal, gaps, segments, logger } = o;
  const pending = journal.open();
  gaps.restore(journal.lastEndByCamera(), journal.previousRun === 'stopped' ? 'agent-stopped' : 'agent-restart');
  const known = new Set<string>();
  for (const seg of pending) {
    let size = -1;
    try {
      size = statSync(seg.path).size;
    } catch {
      // missing: handled below
    }
    if (size !== seg.bytes) {
      logger.error({ cameraId: seg.cameraId, segmentStartMs: seg.startMs, file: seg.path, bytes: seg.bytes, found: size }, 'journaled segment missing or changed after restart: lost');
      segments.lost(seg);
      continue;
    }
    known.add(seg.path);
    segments.restore(seg);
  }
  if (pending.length) logger.info({ segments: known.size }, 'resuming uploads left by the previous run');
  // EVR: a crash between a segment's journal line and its segment.recorded event can only hit a camera's last
  // journaled segment; its event is stored again (same id: the cloud sees one event). Nothing for CVR cameras.
  const lastByCamera = new Map(pending.filter((seg) => known.has(seg.path)).map((seg) => [seg.cameraId, seg]));
  for (const seg of lastByCamera.values()) segments.announceRecorded(seg);
  const lastEnd = journal.lastEndByCamera();
  for (const cameraId of o.cameraIds) {
    const dir = path.join(o.cacheDir, cameraId);
    const orphans = await killOrphanFfmpeg(dir);
    if (orphans.length) logger.warn({ cameraId, pids: orphans }, 'killed the ffmpeg a previous agent left running');
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // first run
    }
    await adoptOrphanSegments(o, cameraId, dir, names, new Set(names.filter((n) => known.has(path.join(dir, n)))), lastEnd.get(cameraId));
  }
}

/**
 * The segment files of a camera folder the journal does not list: what the dead agent's ffmpeg completed and the
 * agent never journaled (it died first, and an orphaned ffmpeg goes on recording until this start kills it), and the
 * file each session was writing when it was killed. The complete ones are adopted as normal journal entries (timed
 * from their files: journal/orphan-segments.ts), uploaded like any other ({@link SegmentLifecycle.adopt}); only the
 * partial ones are deleted, logged as lost (docs/security.md).
 * @param names every file name in `dir`; `journaled` those the journal lists
 * @param notBeforeMs end of the camera's last journaled segment
 */
async function adoptOrphanSegments(o: RecoverOptions, cameraId: string, dir: string, names: string[], journaled: ReadonlySet<string>, notBeforeMs: number | undefined): Promise<void> {
  const plan = planOrphanFiles(names, journaled);
  const lost = (file: string, reason: string) => {
    o.logger.error({ cameraId, file: path.join(dir, file), reason }, 'incomplete segment of the previous run deleted: lost (agent restart)');
    rmSync(path.join(dir, file), { force: true });
  };
  for (const name of plan.partial) lost(name, 'the file its ffmpeg was writing when killed');
  if (!plan.complete.length) return;
  const verdicts = await adoptableSegments({ cameraId, dir, files: plan.complete, ffmpegPath: o.ffmpegPath, notBeforeMs });
  const adopted: RecordedSegment[] = [];
  const offsets = new Map<RecordedSegment, number>();
  for (const v of verdicts) {
    if ('reason' in v) lost(v.file, v.reason);
    else {
      adopted.push(v.segment);
      offsets.set(v.segment, v.estimateOffsetMs);
    }
  }
  adopted.sort((a, b) => a.startMs - b.startMs);
  for (const seg of adopted) o.segments.adopt(seg, offsets.get(seg));
  // The hole from the last adopted segment to this run's first is still the agent's outage, not the camera's.
  const last = adopted[adopted.length - 1];
  if (last) o.gaps.restore(new Map([[cameraId, last.startMs + last.durationMs]]), o.journal.previousRun === 'stopped' ? 'agent-stopped' : 'agent-restart');
}
