import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import { PRIVATE_FILE_MODE, fsyncDirectory } from './atomic-file';

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
}

interface OutboxEntry {
  seq: number;
  file: string;
  topic: string;
  event: object;
}

/** Outbox file names: 16-digit sequence number, so that name order is publish order. */
const FILE_PATTERN = /^(\d{16})\.json$/;
/** The temp file of an {@link EventOutbox.add} that did not return (the process died before its rename). */
const TMP_PATTERN = /^(\d{16})\.json\.tmp$/;

/**
 * The agent's on-disk outbox of device events: {@link EventOutbox.add} writes the event
 * to its own file (temp file, fsync, rename) and returns; the outbox then hands the files to the
 * transport in the order they were added (so per camera, and across cameras, in order; MQTT.js keeps
 * that order across reconnects) and deletes each file only once the broker acknowledged it (QoS 1
 * PUBACK). A publish refused on its own (an MQTT 5 PUBACK reason code, or the client closed) is
 * retried after a delay, after events that were acknowledged meanwhile. A broker outage or an agent restart delays
 * events, never drops them; an event whose acknowledgement was lost in a crash is published again
 * after the restart (at least once; the cloud's handlers are idempotent by event id).
 */
export class EventOutbox {
  private readonly entries: OutboxEntry[] = [];
  private readonly inFlight = new Set<number>();
  private nextSeq = 1;
  private started = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly opts: EventOutboxOptions) {
    if (!existsSync(opts.dir)) {
      mkdirSync(opts.dir, { recursive: true });
      fsyncDirectory(path.dirname(opts.dir)); // the folder's own entry, before any event relies on it
    }
    let adopted = false;
    for (const name of readdirSync(opts.dir).sort()) {
      const tmp = TMP_PATTERN.exec(name);
      if (tmp) adopted = this.adoptTemp(name) || adopted;
    }
    if (adopted) fsyncDirectory(opts.dir);
    for (const name of readdirSync(opts.dir).sort()) {
      const m = FILE_PATTERN.exec(name);
      const file = path.join(opts.dir, name);
      if (!m) continue;
      try {
        const { topic, event } = JSON.parse(readFileSync(file, 'utf8')) as { topic: string; event: object };
        this.entries.push({ seq: Number(m[1]), file, topic, event });
      } catch (err) {
        opts.logger.error({ err, file }, 'outbox: unreadable event file kept aside');
        renameSync(file, `${file}.unreadable`);
      }
    }
    if (this.entries.length) this.nextSeq = this.entries[this.entries.length - 1].seq + 1;
  }

  /**
   * A temp file left by a crash: {@link add} had not returned, so the journal never relied on it — unless a file system
   * lost the rename of an earlier version (no folder fsync, docs/crash-safety.md). Never deleted while it may be an
   * event's only copy: a complete one (it parses) becomes its event file (published, at least once: handlers are
   * idempotent by event id); only a torn one (its write never reached the disk whole) is deleted.
   * @returns true when it was renamed into place
   */
  private adoptTemp(name: string): boolean {
    const tmp = path.join(this.opts.dir, name);
    const file = tmp.slice(0, -'.tmp'.length);
    let complete = false;
    try {
      const doc = JSON.parse(readFileSync(tmp, 'utf8')) as { topic?: unknown; event?: unknown };
      complete = typeof doc.topic === 'string' && typeof doc.event === 'object' && doc.event !== null;
    } catch {
      complete = false;
    }
    if (complete && !existsSync(file)) {
      renameSync(tmp, file);
      this.opts.logger.warn({ file }, 'outbox: complete event left in a temp file by a crash; published');
      return true;
    }
    rmSync(tmp, { force: true });
    this.opts.logger.info({ file: tmp, complete }, 'outbox: temp file of an event never stored deleted');
    return false;
  }

  /** Events not yet acknowledged by the broker. */
  get pending(): number {
    return this.entries.length;
  }

  /**
   * Stores an event durably and queues it for publishing. Returns only once the event is on disk for good: temp file
   * written and fsynced, renamed to its name, the folder fsynced (so a power cut after the return, and after the
   * journal line the caller writes next, still finds it). Files are 0600.
   * @throws when the outbox folder cannot be written (disk full): the caller keeps the segment
   */
  add(topic: string, event: object): void {
    const seq = this.nextSeq++;
    const file = path.join(this.opts.dir, `${String(seq).padStart(16, '0')}.json`);
    const tmp = `${file}.tmp`;
    try {
      const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
      try {
        fchmodSync(fd, PRIVATE_FILE_MODE);
        const bytes = Buffer.from(JSON.stringify({ topic, event }));
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true }); // nobody relies on it: add() throws
      throw err;
    }
    fsyncDirectory(this.opts.dir);
    this.entries.push({ seq, file, topic, event });
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

  /** Stops publishing; what is not acknowledged stays on disk for the next run. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const w of this.drainWaiters.splice(0)) w();
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

  private acknowledged(entry: OutboxEntry): void {
    this.inFlight.delete(entry.seq);
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
    rmSync(entry.file, { force: true });
    if (!this.entries.length) for (const w of this.drainWaiters.splice(0)) w();
    this.pump();
  }

  private failed(entry: OutboxEntry, err: unknown): void {
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
