import { closeSync, existsSync, fchmodSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import type { RecordedSegment, SegmentOutcome } from '../segments/recorded-segment';
import { PRIVATE_FILE_MODE, fsyncDirectory, fsyncFile, writeFileAtomic } from './atomic-file';

/** Camera folders whose own entry (in the cache folder) was fsynced by this process. */
const syncedFolders = new Set<string>();

/**
 * Makes a segment file ffmpeg wrote and closed durable before its journal line (docs/security.md): fsync of the
 * file (data and size), of its camera folder (its entry), and once per process of the cache folder (the camera
 * folder's entry). Order asserted from a syscall trace in test/integration/edge-agent/crash-fsync-order.test.ts.
 * @throws the file system's error (ENOENT when the file is gone)
 */
export function syncSegmentFile(file: string): void {
  fsyncFile(file);
  const dir = path.dirname(file);
  fsyncDirectory(dir);
  if (!syncedFolders.has(dir)) {
    fsyncDirectory(path.dirname(dir));
    syncedFolders.add(dir);
  }
}

/** File name of the journal inside `localMediaCachePath`. */
export const JOURNAL_FILE = 'journal.jsonl';

/** Records appended after which the journal is rewritten with only the pending segments. */
const COMPACT_AFTER_RECORDS = 10_000;

type JournalRecord =
  | ({ op: 'recorded' } & Omit<RecordedSegment, 'path'> & { file: string })
  | { op: 'done'; file: string; outcome: SegmentOutcome }
  /** End of a camera's last recorded segment, kept across compactions (gap detection). */
  | { op: 'last'; cameraId: string; endMs: number }
  /** The agent stopped cleanly; anything after it means it did not. */
  | { op: 'stopped'; atMs: number };

/** How the previous run ended, as the journal tells it. */
export type PreviousRun = 'none' | 'stopped' | 'crashed';

/**
 * The agent's crash-safe record of its cached segments: an append-only JSON-lines file
 * `{localMediaCachePath}/journal.jsonl` with one `recorded` line per complete segment (written and
 * fdatasync'ed before the segment is queued for upload) and one `done` line when it left the cache
 * (uploaded and its event safely in the outbox, evicted, or lost). After a restart, even after
 * SIGKILL or power loss, {@link SegmentJournal.open} returns the segments recorded and not done:
 * the agent uploads them again, oldest first, under the same idempotent blob names.
 *
 * A torn last line (the process died while appending) is ignored: its segment was not yet queued.
 * File paths are stored relative to the cache folder, so the cache can move. The journal also keeps
 * the end of each camera's last segment and whether the agent stopped cleanly, so the next run can
 * report the hole its absence left (edge-agent/gaps/gap-tracker.ts).
 */
export class SegmentJournal {
  private fd: number | undefined;
  private readonly pending = new Map<string, RecordedSegment>();
  private readonly lastEnd = new Map<string, number>();
  private appended = 0;
  /** Bytes in the journal file as this process wrote it (what a failed append is cut back to). */
  private size = 0;
  private previous: PreviousRun = 'none';

  constructor(
    private readonly cacheDir: string,
    private readonly logger: Logger,
  ) {}

  /** Absolute path of the journal file. */
  get file(): string {
    return path.join(this.cacheDir, JOURNAL_FILE);
  }

  /**
   * Reads the journal left by the previous run, rewrites it with only the pending segments
   * (atomically: temp file, fsync, rename) and opens it for appending.
   * @returns the segments recorded and not done, oldest first (their files are not checked here)
   * @throws when the cache folder cannot be written (the agent must not record without its journal)
   */
  open(): RecordedSegment[] {
    mkdirSync(this.cacheDir, { recursive: true });
    this.pending.clear();
    this.lastEnd.clear();
    this.previous = 'none';
    if (existsSync(this.file)) {
      this.previous = 'crashed';
      const lines = readFileSync(this.file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        let rec: JournalRecord;
        try {
          rec = JSON.parse(line) as JournalRecord;
        } catch {
          // Only the last line can be torn by a crash; anything else is damage worth a warning.
          if (i < lines.length - 1) this.logger.warn({ line: i + 1, file: this.file }, 'journal: unreadable line skipped');
          return;
        }
        if (rec.op === 'stopped') {
          this.previous = 'stopped';
          return;
        }
        this.previous = 'crashed';
        if (rec.op === 'recorded') {
          const { op: _op, file, ...seg } = rec;
          this.pending.set(file, { ...seg, path: path.join(this.cacheDir, file) });
          this.noteEnd(seg.cameraId, seg.startMs + seg.durationMs);
        } else if (rec.op === 'done') {
          this.pending.delete(rec.file);
        } else if (rec.op === 'last') {
          this.noteEnd(rec.cameraId, rec.endMs);
        }
      });
    }
    this.rewrite();
    return this.list();
  }

  /** How the previous run ended (read by {@link open}): no journal, a clean stop, or anything else. */
  get previousRun(): PreviousRun {
    return this.previous;
  }

  /** End (epoch ms) of each camera's last recorded segment, over every run the journal remembers. */
  lastEndByCamera(): ReadonlyMap<string, number> {
    return new Map(this.lastEnd);
  }

  /** Segments recorded and not done, oldest first. */
  list(): RecordedSegment[] {
    return [...this.pending.values()].sort((a, b) => a.startMs - b.startMs);
  }

  /** True while `seg` is recorded and not done. */
  has(seg: RecordedSegment): boolean {
    return this.pending.has(this.key(seg));
  }

  /**
   * Journals a complete segment (durably: returns after fdatasync). The caller first makes the segment file itself
   * durable ({@link syncSegmentFile}), so that a line found after a power cut names a file that is on disk whole.
   */
  recorded(seg: RecordedSegment): void {
    const file = this.key(seg);
    this.pending.set(file, seg);
    this.noteEnd(seg.cameraId, seg.startMs + seg.durationMs);
    this.append({ op: 'recorded', file, cameraId: seg.cameraId, startMs: seg.startMs, durationMs: seg.durationMs, bytes: seg.bytes });
  }

  /** Journals that a segment left the cache; unknown segments are ignored. */
  done(seg: RecordedSegment, outcome: SegmentOutcome): void {
    const file = this.key(seg);
    if (!this.pending.delete(file)) return;
    this.append({ op: 'done', file, outcome });
    if (this.appended >= COMPACT_AFTER_RECORDS) this.rewrite();
  }

  /** Marks a clean stop (the next run reports `agent-stopped`, not `agent-restart`, for the hole) and closes. */
  markStopped(atMs: number): void {
    if (this.fd === undefined) return;
    this.append({ op: 'stopped', atMs });
    this.close();
  }

  /** Closes the file (the journal stays on disk for the next run). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private noteEnd(cameraId: string, endMs: number): void {
    this.lastEnd.set(cameraId, Math.max(this.lastEnd.get(cameraId) ?? endMs, endMs));
  }

  private key(seg: RecordedSegment): string {
    return path.relative(this.cacheDir, seg.path);
  }

  /**
   * Appends one record durably. A write that fails part-way (disk full) is cut back off, so the
   * journal never holds a broken line in its middle.
   * @throws the write error (ENOSPC, EIO…) after restoring the file
   */
  private append(rec: JournalRecord): void {
    if (this.fd === undefined) throw new Error('segment journal is not open');
    const line = Buffer.from(`${JSON.stringify(rec)}\n`);
    const before = this.size;
    try {
      let written = 0;
      while (written < line.length) written += writeSync(this.fd, line, written);
      fdatasyncSync(this.fd);
    } catch (err) {
      try {
        ftruncateSync(this.fd, before);
      } catch {
        // the next open() skips a torn last line anyway
      }
      throw err;
    }
    this.size += line.length;
    this.appended++;
  }

  /** Replaces the journal with the pending segments only: temp file, fsync, rename, fsync of the folder. */
  private rewrite(): void {
    this.close();
    const text = [
      ...[...this.lastEnd].map(([cameraId, endMs]) => JSON.stringify({ op: 'last', cameraId, endMs })),
      ...this.list().map((seg) => JSON.stringify({ op: 'recorded', file: this.key(seg), cameraId: seg.cameraId, startMs: seg.startMs, durationMs: seg.durationMs, bytes: seg.bytes })),
    ].join('\n');
    const content = text ? `${text}\n` : '';
    writeFileAtomic(this.file, content);
    this.fd = openSync(this.file, 'a', PRIVATE_FILE_MODE);
    fchmodSync(this.fd, PRIVATE_FILE_MODE);
    this.size = Buffer.byteLength(content);
    this.appended = 0;
  }
}
