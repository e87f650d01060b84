import { cameraEventsTopic } from '../../shared/contracts/topics';
import { SegmentCache } from '../cache/segment-cache';
import { EvrController, type EvrControllerOptions, type EvrSegments } from '../evr/evr-controller';
import type { Gap, GapTracker } from '../gaps/gap-tracker';
import type { EventOutbox } from '../journal/event-outbox';
import { syncSegmentFile, type SegmentJournal } from '../journal/segment-journal';
import type { Logger } from '../log';
import type { AgentMetrics } from '../metrics/agent-metrics';
import type { RecorderDiagnostic } from '../recorder/ffmpeg-diagnostics';
import { gapEvent, segmentRecordedEvent, segmentUploadedEvent } from '../segment-events';
import { SegmentUploader, type SegmentUploaderOptions } from '../uploader/segment-uploader';
import type { RecordedSegment, UploadedSegment } from './recorded-segment';

/** What {@link SegmentLifecycle} is given, and what it builds its cache, uploader and EVR controller from. */
export interface SegmentLifecycleOptions {
  deviceId: string;
  /** The crash-safe record of cached segments (opened at start by edge-agent/segments/recover.ts). */
  journal: SegmentJournal;
  /** The durable event outbox: segment.recorded, segment.uploaded and gap events go there. */
  outbox: EventOutbox;
  /** Finds the gap before each segment; evictions and expiries are gaps of their own. */
  gaps: GapTracker;
  metrics: Pick<AgentMetrics, 'segmentRecorded' | 'segmentUploaded' | 'segmentEvicted' | 'evrSegmentDropped'>;
  /** The cache: its cap (bytes, `localMediaCacheMaximumSizeMiB`) and logger. */
  cache: { maxBytes: number; logger: Logger };
  /** The uploader's destination and settings; the lifecycle supplies its callbacks and clock. */
  uploader: Omit<SegmentUploaderOptions, 'onUploaded' | 'onExpired' | 'onConflict' | 'now'>;
  /** The EVR controller's settings; the lifecycle is its route to the segments and supplies its clock. */
  evr: Omit<EvrControllerOptions, 'segments' | 'now'>;
  /**
   * Media time (epoch ms) before which the camera's signal sources will emit nothing more, or undefined for a camera
   * without signal sources (sent as a segment.recorded event's `signalsThrough`).
   * @param fallbackMs what a source that has seen nothing yet holds it at (the segment's start)
   */
  signalsThrough: (cameraId: string, fallbackMs: number) => number | undefined;
  /** Announces a camera's diagnostic (a `storage-error` when the cache cannot be written or the cloud holds other bytes). */
  diagnostic: (cameraId: string, d: RecorderDiagnostic) => void;
  logger: Logger;
  /** Wall clock, epoch ms: event times, the uploader's live lane, the EVR cache horizon. */
  now: () => number;
}

/**
 * Owns a segment's trip from the recorder to the cloud (docs/crash-safety.md): the journal, the cache, the uploader,
 * the EVR controller's view of the segments, and the events and journal lines each step writes.
 *
 * ```
 * recorder ─segment─▶ admitted ─▶ cached ─┬─(CVR, or EVR in a window)─▶ uploading ─┬─▶ uploaded
 *   (file fsynced,    (gap event?        │                                         ├─▶ (EVR file sink) held ─▶ released
 *    journal          EVR: segment.      ├─(EVR, past the cache horizon, cloud caught up)─▶ dropped
 *    `recorded`)      recorded event)    ├─(cache cap, disk full)─▶ evicted (gap `eviction`, or EVR dropped / uploaded)
 *                                        └─(cloud: before its offline horizon)─▶ expired (gap `expired-offline`)
 * restart: journaled, file intact ─▶ cached; file gone ─▶ lost (gap `agent-restart`); orphan file ─▶ adopted ─▶ cached
 * ```
 *
 * Each exit writes its journal `done` line (outcome in parentheses above, else the state's name) after the event it
 * owes (durable, in the outbox) and before the file goes: a crash in between repeats a step, never skips one.
 */
export class SegmentLifecycle implements EvrSegments {
  /** Decides which cached segments of EVR cameras are uploaded, kept or dropped; its route here is {@link EvrSegments}. */
  readonly evr: EvrController;
  private readonly cache: SegmentCache;
  private readonly uploader: SegmentUploader;
  private readonly journal: SegmentJournal;
  private readonly logger: Logger;

  constructor(private readonly opts: SegmentLifecycleOptions) {
    this.journal = opts.journal;
    this.logger = opts.logger;
    this.uploader = new SegmentUploader({
      ...opts.uploader,
      onConflict: (seg, message) => opts.diagnostic(seg.cameraId, { kind: 'storage-error', message }),
      onExpired: (seg) => this.expired(seg),
      onUploaded: async (seg) => this.uploaded(seg),
      now: opts.now,
    });
    this.cache = new SegmentCache(
      opts.cache.maxBytes,
      opts.cache.logger,
      (seg) => this.evicted(seg),
      (seg) => this.evr.keepRank(seg),
    );
    this.evr = new EvrController({ ...opts.evr, segments: this, now: opts.now });
  }

  /** Bytes of complete segments cached. */
  get cacheBytes(): number {
    return this.cache.totalBytes;
  }

  /** Number of segments cached. */
  get cacheSegments(): number {
    return this.cache.size;
  }

  /** Segments waiting for upload, uploading, or awaiting their event's acknowledgement. */
  get pendingUploads(): number {
    return this.uploader.pending;
  }

  /**
   * End (epoch ms) of the oldest cached segment that is due for upload, or undefined when none is. EVR segments count
   * only once a window sends them to upload (kept ones are not late).
   */
  oldestPendingEndMs(): number | undefined {
    const s = this.evr.active ? this.cache.list().find((x) => !this.evr.isEvr(x.cameraId) || this.evr.pendingUpload(x)) : this.cache.oldest();
    return s && s.startMs + s.durationMs;
  }

  /**
   * True when no cached segment of these cameras still has to go to the cloud (a deactivated live pipeline's cameras):
   * CVR segments all gone; EVR ones not queued for a window, nor uploading.
   */
  drained(cameraIds: ReadonlySet<string>): boolean {
    return !this.cache.list().some((s) => cameraIds.has(s.cameraId) && (!this.evr.isEvr(s.cameraId) || this.evr.pendingUpload(s) || this.uploader.isActive(s)));
  }

  /**
   * A complete segment from a recorder: admitted (file fsynced, then its journal line), its gap reported, counted,
   * announced (EVR: segment.recorded), cached (evicting the oldest beyond the cap) and queued for upload (EVR: when a
   * window covers it). A disk that cannot be written gets a `storage-error` diagnostic and space freed, and one more
   * try; a segment still not journaled is uploaded anyway (not resumed if the agent dies first).
   */
  admit(seg: RecordedSegment): void {
    try {
      syncSegmentFile(seg.path); // the file reaches the disk before the line that names it
      this.journal.recorded(seg);
    } catch (err) {
      // Disk full or unwritable: say so, free space oldest first, try once more, record on.
      this.storageError(seg.cameraId, err);
      try {
        syncSegmentFile(seg.path);
        this.journal.recorded(seg);
      } catch (again) {
        this.logger.error({ err: again, cameraId: seg.cameraId, segmentStartMs: seg.startMs }, 'segment not journaled: it is uploaded, but not resumed if the agent dies first');
      }
    }
    this.recorded(seg);
    this.cacheAndQueue(seg, (s) => this.uploader.isActive(s));
  }

  /**
   * A complete segment the previous run's ffmpeg wrote after the agent died (edge-agent/segments/recover.ts), timed
   * from its file: journaled (once: a failure is logged, the segment goes on), then as {@link admit}, except that
   * nothing counts as uploading when the cache makes room.
   * @param estimateOffsetMs how far its session's estimated start was moved (logged)
   */
  adopt(seg: RecordedSegment, estimateOffsetMs: number | undefined): void {
    const cameraId = seg.cameraId;
    try {
      syncSegmentFile(seg.path);
      this.journal.recorded(seg);
    } catch (err) {
      this.logger.error({ err, cameraId, file: seg.path }, 'segment of the previous run could not be journaled: it is uploaded, but not resumed if the agent dies first');
    }
    this.logger.info({ cameraId, segmentStartMs: seg.startMs, durationMs: seg.durationMs, bytes: seg.bytes, file: seg.path, estimateOffsetMs }, 'segment completed by the previous run\'s ffmpeg after the agent died: adopted');
    this.recorded(seg);
    this.cacheAndQueue(seg, () => false);
  }

  /** A segment the journal still lists from the previous run, its file intact: cached and queued again (restart). */
  restore(seg: RecordedSegment): void {
    this.cacheAndQueue(seg, () => false);
  }

  /**
   * A segment the journal lists whose file is missing or changed after a restart: journal `lost`, an `agent-restart`
   * gap over its span.
   * @throws when the journal cannot be written
   */
  lost(seg: RecordedSegment): void {
    this.journal.done(seg, 'lost');
    this.reportGap({ cameraId: seg.cameraId, startMs: seg.startMs, endMs: seg.startMs + seg.durationMs, cause: 'agent-restart' });
  }

  /**
   * Stores the segment.recorded event of an EVR camera's segment (it moves the cloud's signal gate clock; same id on a
   * repeat: the cloud sees one event); nothing for a CVR camera. A failure to store it is logged.
   */
  announceRecorded(seg: RecordedSegment): void {
    if (!this.evr.isEvr(seg.cameraId)) return;
    try {
      const through = this.opts.signalsThrough(seg.cameraId, seg.startMs);
      this.opts.outbox.add(cameraEventsTopic(this.opts.deviceId, seg.cameraId), segmentRecordedEvent(this.opts.deviceId, seg, this.opts.now(), through));
    } catch (err) {
      this.logger.error({ err, cameraId: seg.cameraId }, 'segment.recorded event could not be stored');
    }
  }

  /** Evicts the two oldest cached segments (not those uploading) to make room on a full disk; each becomes an eviction gap. */
  freeSpace(): void {
    this.cache.evictOldest(2, (s) => this.uploader.isActive(s));
  }

  /** Resolves when nothing is queued, uploading or awaiting its event's acknowledgement, or after `timeoutMs`. @returns true when idle */
  uploadsIdle(timeoutMs: number): Promise<boolean> {
    return this.uploader.idle(timeoutMs);
  }

  /** Stops taking new uploads; those in progress finish. */
  stopUploads(): void {
    this.uploader.stop();
  }

  // EvrSegments: the EVR controller's route.

  /** Every cached segment (any camera), oldest first. */
  cached(): RecordedSegment[] {
    return this.cache.list();
  }

  /** Queues a segment for upload (EVR: a window covers it). */
  upload(seg: RecordedSegment): void {
    this.uploader.enqueue(seg);
  }

  /** True while the segment is being uploaded. */
  uploading(seg: RecordedSegment): boolean {
    return this.uploader.isActive(seg);
  }

  /** EVR: a segment outside every window, past the cache horizon, leaves: upload queue, journal `dropped`, file; counted. */
  drop(seg: RecordedSegment): void {
    this.uploader.drop(seg);
    this.journal.done(seg, 'dropped');
    this.cache.remove(seg);
    this.opts.metrics.evrSegmentDropped(seg.cameraId);
  }

  /** EVR: an uploaded segment the file sink no longer needs leaves: journal `uploaded`, file. */
  release(seg: RecordedSegment): void {
    this.journal.done(seg, 'uploaded');
    this.cache.remove(seg);
  }

  /** What follows a segment's journal line: the gap before it, its count, its segment.recorded event (EVR). */
  private recorded(seg: RecordedSegment): void {
    const gap = this.opts.gaps.segment(seg.cameraId, seg.startMs, seg.startMs + seg.durationMs);
    if (gap) this.reportGap(gap);
    this.opts.metrics.segmentRecorded(seg.cameraId, seg.bytes);
    this.announceRecorded(seg);
  }

  /** Caches a segment and, unless the cache evicted it at once, queues it (EVR: hands it to the controller). */
  private cacheAndQueue(seg: RecordedSegment, inUse: (s: RecordedSegment) => boolean): void {
    const evicted = this.cache.add(seg, inUse);
    if (evicted.includes(seg)) return;
    if (this.evr.isEvr(seg.cameraId)) this.evr.segmentAdded(seg);
    else this.uploader.enqueue(seg);
  }

  /** The cache's disk could not be written: a `storage-error` diagnostic, then space freed. */
  private storageError(cameraId: string, err: unknown): void {
    const message = `cache not writable: ${(err as Error).message}`.slice(0, 300);
    this.freeSpace(); // first, so that the diagnostic itself fits in the outbox
    this.opts.diagnostic(cameraId, { kind: 'storage-error', message });
  }

  /**
   * The segment's blob exists: segment.uploaded event first (durable), then the journal, then the file. An EVR segment a
   * file sink still needs stays cached (the controller releases it once the MP4 is written).
   */
  private uploaded(seg: UploadedSegment): void {
    // Event first (durable), then the journal, then the file: a crash in between repeats a step, never skips one.
    this.opts.outbox.add(cameraEventsTopic(this.opts.deviceId, seg.cameraId), segmentUploadedEvent(this.opts.deviceId, seg, this.opts.now()));
    if (this.evr.isEvr(seg.cameraId) && this.evr.uploaded(seg)) {
      // Kept for the camera's file sink; the EVR controller releases it once the MP4 is written.
      this.opts.metrics.segmentUploaded(seg.cameraId, seg.bytes);
      return;
    }
    this.journal.done(seg, 'uploaded');
    this.cache.remove(seg);
    this.opts.metrics.segmentUploaded(seg.cameraId, seg.bytes);
  }

  /** The cache evicted a segment (its file is gone): out of the upload queue, journal line, then the gap (EVR: unless no loss). */
  private evicted(seg: RecordedSegment): void {
    this.uploader.drop(seg);
    // EVR: a segment the cache horizon had let go, or one already uploaded, is no loss (evr-controller.ts).
    const evr = this.evr.isEvr(seg.cameraId) ? this.evr.evicted(seg) : 'gap';
    try {
      this.journal.done(seg, evr === 'gap' ? 'evicted' : evr);
    } catch (err) {
      this.logger.error({ err, cameraId: seg.cameraId }, 'journal write failed (the eviction is re-checked at the next start)');
    }
    if (evr === 'dropped') this.opts.metrics.evrSegmentDropped(seg.cameraId);
    if (evr !== 'gap') return;
    this.opts.metrics.segmentEvicted(seg.cameraId);
    this.reportGap(this.opts.gaps.evicted(seg.cameraId, seg.startMs, seg.startMs + seg.durationMs));
  }

  /**
   * The cloud refused a cached segment for good: it started before the cloud's offline horizon (upload-urls 400
   * `TimeOutOfRange`; the uploader logged the cloud's words). It leaves the cache as an eviction does, as a gap of cause
   * `expired-offline` (EVR: unless it was droppable anyway). The gap event is stored (durable, in the outbox) before the
   * journal line and the file go, so a crash cannot lose the report: before the journal line, the next start uploads
   * the segment again, refused again, the same gap (same event id); after it, the file is an orphan of the next start.
   */
  private expired(seg: RecordedSegment): void {
    const evr = this.evr.isEvr(seg.cameraId) ? this.evr.evicted(seg) : 'gap';
    if (evr === 'gap') this.reportGap(this.opts.gaps.expired(seg.cameraId, seg.startMs, seg.startMs + seg.durationMs));
    else if (evr === 'dropped') this.opts.metrics.evrSegmentDropped(seg.cameraId);
    try {
      this.journal.done(seg, evr === 'gap' ? 'expired' : evr);
    } catch (err) {
      this.logger.error({ err, cameraId: seg.cameraId }, 'journal write failed (the expired segment is re-checked at the next start)');
    }
    this.cache.remove(seg);
  }

  /** Announces a gap (durably, through the outbox) and logs it: nothing is lost silently. */
  private reportGap(gap: Gap): void {
    this.logger.warn({ cameraId: gap.cameraId, gapStart: new Date(gap.startMs).toISOString(), gapEnd: new Date(gap.endMs).toISOString(), cause: gap.cause }, 'gap in the recording');
    try {
      this.opts.outbox.add(cameraEventsTopic(this.opts.deviceId, gap.cameraId), gapEvent(this.opts.deviceId, gap, this.opts.now()));
    } catch (err) {
      this.logger.error({ err, cameraId: gap.cameraId }, 'gap event could not be stored');
    }
  }
}
