import { closeSync, existsSync, fchmodSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import { PRIVATE_FILE_MODE, fsyncDirectory, writeFileAtomic } from './atomic-file';

/** Publishes one event and resolves on the broker's acknowledgement (MqttTransport.publishEvent). */
export type PublishEvent = (topic: string, event: object) => Promise<void>;

/** Options of {@link EventOutbox}. */
export interface EventOutboxOptions {
  /** Folder of the outbox, e.g. `{localMediaCachePath}/outbox`; created when missing. */
  dir: string;
  publish: PublishEvent;
  logger: Logger;
  /** Events handed to the transport at once, awaiting their acknowledgement (default 32). */
  window?: number;
  /** Delay before publishing again after a failed publish (ms, default 2000). */
  retryDelayMs?: number;
  /**
   * Size (bytes) past which the log is started afresh once every event in it is acknowledged (default 256 KiB), and
   * past which it is rewritten with only the pending events when those take less than half of it (8 × this).
   */
  compactAfterBytes?: number;
}

/** An event of the outbox, as stored in one line of its log. */
export interface OutboxEvent {
  /** Sequence number: order of {@link EventOutbox.add}, increasing, unique within the log. */
  seq: number;
  topic: string;
  event: object;
}

/** File name of the outbox's log inside its folder. */
export const OUTBOX_LOG_FILE = 'events.jsonl';

/** Event files of the outbox format before the log (one file per event): 16-digit sequence number, name order = publish order. */
const LEGACY_FILE_PATTERN = /^(\d{16})\.json$/;
/** The temp file of an old-format `add()` that did not return (the process died before its rename). */
const LEGACY_TMP_PATTERN = /^(\d{16})\.json\.tmp$/;

const DEFAULT_COMPACT_AFTER_BYTES = 256 * 1024;

/** A pending event and the length (bytes) of its line in the log. */
interface Entry extends OutboxEvent {
  bytes: number;
}

/** One line of the log: an event (`{seq,topic,event}`) or the broker's acknowledgement of one (`{ack:seq}`). */
type LogLine = OutboxEvent | { ack: number };

/** The log line of an event (JSON, newline-terminated). */
function eventLine(seq: number, topic: string, event: object): string {
  return `${JSON.stringify({ seq, topic, event })}\n`;
}

/**
 * Reads an outbox log's text: the events added and not acknowledged, in the order they were added. An unreadable line
 * is skipped (only the last can be torn by a crash: its `add` never returned); `onUnreadable` hears of the others.
 * Exported for tests that look into the outbox of a stopped agent.
 * @param text the log's content (UTF-8 JSON lines)
 */
export function pendingInLog(text: string, onUnreadable?: (lineNumber: number) => void): OutboxEvent[] {
  const pending = new Map<number, OutboxEvent>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let rec: LogLine;
    try {
      rec = JSON.parse(line) as LogLine;
    } catch {
      if (i < lines.length - 1) onUnreadable?.(i + 1);
      return;
    }
    if ('ack' in rec && typeof rec.ack === 'number') pending.delete(rec.ack);
    else if ('seq' in rec && typeof rec.seq === 'number' && typeof rec.topic === 'string' && typeof rec.event === 'object' && rec.event !== null) {
      pending.set(rec.seq, { seq: rec.seq, topic: rec.topic, event: rec.event });
    } else if (i < lines.length - 1) onUnreadable?.(i + 1);
  });
  return [...pending.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The events of a stopped agent's outbox folder not yet acknowledged, oldest first (the log's pending events; files
 * of the old per-event format are not read). For tests and diagnostics; the running agent owns the folder.
 * @param dir the outbox folder (`{localMediaCachePath}/outbox`)
 */
export function readOutbox(dir: string): OutboxEvent[] {
  const file = path.join(dir, OUTBOX_LOG_FILE);
  return existsSync(file) ? pendingInLog(readFileSync(file, 'utf8')) : [];
}

/**
 * The agent's on-disk outbox of device events: one append-only JSON-lines log, `{dir}/events.jsonl` (mode 0600).
 * {@link EventOutbox.add} appends a line `{seq,topic,event}` and fdatasyncs it before returning; the outbox then hands
 * the events to the transport in the order they were added (so per camera, and across cameras, in order; MQTT.js
 * keeps that order across reconnects), and appends `{ack:seq}` — without a sync — once the broker acknowledged one
 * (QoS 1 PUBACK). A lost acknowledgement line (power cut) only means that the event is published again after the
 * restart: at least once, the cloud's handlers are idempotent by event id. A publish refused on its own (an MQTT 5
 * PUBACK reason code, or the client closed) is retried after a delay, after events that were acknowledged meanwhile.
 * A broker outage or an agent restart delays events, never drops them.
 *
 * When every event is acknowledged and the log has grown past `compactAfterBytes`, it is truncated and starts afresh.
 * At start the log is replayed (a torn last line skipped) and rewritten with only the pending events (atomically:
 * docs/crash-safety.md); event files of the older one-file-per-event format found in the folder are taken into it
 * first, then deleted, so an upgraded agent loses nothing.
 */
export class EventOutbox {
  private readonly entries: Entry[] = [];
  /** Σ bytes of the pending events' lines. */
  private liveBytes = 0;
  private readonly inFlight = new Set<number>();
  private nextSeq = 1;
  private started = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private drainWaiters: Array<() => void> = [];
  /** The log, open for appending; undefined once {@link close}d. */
  private fd: number | undefined;
  /** Bytes in the log as this process wrote it (what a failed append is cut back to). */
  private size = 0;
  /** A write failed part-way and could not be cut back: the next line starts on a new line. */
  private torn = false;
  private readonly logFile: string;

  /**
   * Opens (creates) the outbox folder and its log, replays it and rewrites it compactly.
   * @throws when the folder cannot be created or written (the agent must not run without its outbox)
   */
  constructor(private readonly opts: EventOutboxOptions) {
    this.logFile = path.join(opts.dir, OUTBOX_LOG_FILE);
    if (!existsSync(opts.dir)) {
      mkdirSync(opts.dir, { recursive: true });
      fsyncDirectory(path.dirname(opts.dir)); // the folder's own entry, before any event relies on it
    }
    const legacy = this.readLegacyFiles();
    const logged = existsSync(this.logFile)
      ? pendingInLog(readFileSync(this.logFile, 'utf8'), (line) => opts.logger.warn({ line, file: this.logFile }, 'outbox: unreadable line skipped'))
      : [];
    // Old files first: an agent of the old format wrote them before this log existed. Numbered afresh, in that order.
    for (const e of [...legacy.map((l) => l.event), ...logged]) {
      const seq = this.nextSeq++;
      this.entries.push({ seq, topic: e.topic, event: e.event, bytes: Buffer.byteLength(eventLine(seq, e.topic, e.event)) });
    }
    this.fd = this.rewrite();
    if (legacy.length) {
      for (const l of legacy) rmSync(l.file, { force: true });
      fsyncDirectory(opts.dir);
      opts.logger.info({ events: legacy.length }, 'outbox: event files of the older format moved into the log');
    }
  }

  /**
   * Event files of the older per-event format (`NNNN.json`, and `NNNN.json.tmp` an `add` left): a complete temp file is
   * an event (it may be its only copy: an older agent renamed without fsyncing the folder), a torn one is deleted;
   * an unreadable event file is renamed `.unreadable` and kept aside.
   * @returns the events, in their old order, with the files to delete once the log holds them
   */
  private readLegacyFiles(): Array<{ file: string; event: OutboxEvent }> {
    const found = new Map<number, { file: string; event: OutboxEvent }>();
    const names = readdirSync(this.opts.dir).sort();
    for (const name of names) {
      const m = LEGACY_FILE_PATTERN.exec(name) ?? LEGACY_TMP_PATTERN.exec(name);
      if (!m) continue;
      const file = path.join(this.opts.dir, name);
      const seq = Number(m[1]);
      const isTmp = name.endsWith('.tmp');
      let doc: { topic?: unknown; event?: unknown } | undefined;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8')) as { topic?: unknown; event?: unknown };
      } catch {
        doc = undefined;
      }
      const complete = doc !== undefined && typeof doc.topic === 'string' && typeof doc.event === 'object' && doc.event !== null;
      if (!complete) {
        if (isTmp) {
          rmSync(file, { force: true });
          this.opts.logger.info({ file }, 'outbox: torn temp file of an event never stored deleted');
        } else {
          this.opts.logger.error({ file }, 'outbox: unreadable event file kept aside');
          renameSync(file, `${file}.unreadable`);
        }
        continue;
      }
      if (isTmp && found.has(seq)) {
        rmSync(file, { force: true }); // the renamed copy of the same event is there
        continue;
      }
      if (isTmp) this.opts.logger.warn({ file }, 'outbox: complete event left in a temp file by a crash; published');
      // `.json` sorts before `.json.tmp`: a complete event file wins over its temp file.
      const event = { seq, topic: doc!.topic as string, event: doc!.event as object };
      found.set(seq, { file, event });
    }
    return [...found.values()].sort((a, b) => a.event.seq - b.event.seq);
  }

  /** Events not yet acknowledged by the broker. */
  get pending(): number {
    return this.entries.length;
  }

  /**
   * Stores an event durably and queues it for publishing. Returns only once its line is in the log for good (written
   * and fdatasync'ed: a power cut after the return, and after the journal line the caller writes next, still finds
   * it). A write that fails part-way is cut back off, so the log never holds a broken line in its middle.
   * @throws when the log cannot be written (disk full): the caller keeps the segment
   */
  add(topic: string, event: object): void {
    const seq = this.nextSeq;
    const bytes = this.append(eventLine(seq, topic, event), true);
    this.nextSeq++;
    this.entries.push({ seq, topic, event, bytes });
    this.liveBytes += bytes;
    this.pump();
  }

  /** Starts publishing (call once the transport exists); events added before wait until then. */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Resolves when every event was acknowledged, or after `timeoutMs`. @returns true when empty */
  async drain(timeoutMs: number): Promise<boolean> {
    if (!this.entries.length) return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /**
   * Stops publishing and closes the log; what is not acknowledged stays on disk for the next run. An event added
   * later is still stored (the log opened, appended to, fdatasync'ed and closed again); an acknowledgement arriving
   * later is not written (the event is published again at the next start: at least once).
   */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  /**
   * Appends one line at the end of the log; with `sync`, returns after fdatasync. On an error the log is cut back to
   * its size before the write.
   * @returns the bytes appended
   * @throws the write error (ENOSPC, EIO…)
   */
  private append(line: string, sync: boolean): number {
    const fd = this.fd ?? this.openLog();
    const bytes = Buffer.from(this.torn ? `\n${line}` : line);
    const before = this.size;
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      if (sync) fdatasyncSync(fd);
    } catch (err) {
      try {
        ftruncateSync(fd, before);
        this.torn = false;
      } catch {
        this.torn = written > 0 || this.torn; // the replay skips the broken line; the next one must not join it
      }
      throw err;
    } finally {
      if (this.fd === undefined) closeSync(fd); // closed outbox: opened for this line only
    }
    this.size += bytes.length;
    this.torn = false;
    return bytes.length;
  }

  /** Opens the log for appending (mode 0600 whatever the umask). @returns its file descriptor */
  private openLog(): number {
    const fd = openSync(this.logFile, 'a', PRIVATE_FILE_MODE);
    fchmodSync(fd, PRIVATE_FILE_MODE);
    return fd;
  }

  /**
   * Replaces the log with the pending events only (writeFileAtomic: temp file 0600, fsync, rename, fsync of the
   * folder) and opens it for appending.
   * @returns the new file descriptor
   */
  private rewrite(): number {
    const text = this.entries.map((e) => eventLine(e.seq, e.topic, e.event)).join('');
    writeFileAtomic(this.logFile, text);
    const fd = this.openLog();
    this.size = Buffer.byteLength(text);
    this.liveBytes = this.size;
    this.torn = false;
    return fd;
  }

  /**
   * Keeps the log short: empty (every event acknowledged) and past `compactAfterBytes`, it is truncated (not synced:
   * a truncation a power cut loses leaves acknowledged events, which stay acknowledged); past eight times that with
   * the pending events taking less than half of it, it is rewritten with only them.
   */
  private compact(): void {
    const limit = this.opts.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    if (this.size <= limit || this.fd === undefined) return;
    try {
      if (!this.entries.length) {
        ftruncateSync(this.fd, 0);
        this.size = 0;
        this.torn = false;
      } else if (this.size > 8 * limit && this.liveBytes * 2 < this.size) {
        const old = this.fd;
        this.fd = this.rewrite(); // the old descriptor still names the replaced file until closed
        closeSync(old);
      }
    } catch (err) {
      this.opts.logger.warn({ err, file: this.logFile }, 'outbox: log not compacted; tried again later');
    }
  }

  private pump(): void {
    if (!this.started || this.closed || this.retryTimer) return;
    const window = this.opts.window ?? 32;
    for (const entry of this.entries) {
      if (this.inFlight.size >= window) break;
      if (this.inFlight.has(entry.seq)) continue;
      this.inFlight.add(entry.seq);
      this.opts.publish(entry.topic, entry.event).then(
        () => this.acknowledged(entry),
        (err: unknown) => this.failed(entry, err),
      );
    }
  }

  private acknowledged(entry: Entry): void {
    this.inFlight.delete(entry.seq);
    const i = this.entries.indexOf(entry);
    if (i >= 0) {
      this.entries.splice(i, 1);
      this.liveBytes -= entry.bytes;
      if (this.fd !== undefined) {
        try {
          this.append(`{"ack":${entry.seq}}\n`, false);
        } catch (err) {
          // Not fatal: without its acknowledgement line the event is published again after a restart (at least once).
          this.opts.logger.warn({ err, seq: entry.seq }, 'outbox: acknowledgement not written; the event may be published again after a restart');
        }
        this.compact();
      }
    }
    if (!this.entries.length) for (const w of this.drainWaiters.splice(0)) w();
    this.pump();
  }

  private failed(entry: Entry, err: unknown): void {
    this.inFlight.delete(entry.seq);
    if (this.closed) return;
    this.opts.logger.warn({ err, topic: entry.topic, pending: this.entries.length }, 'outbox: publish failed; will retry');
    if (!this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, this.opts.retryDelayMs ?? 2000);
    }
  }
}
