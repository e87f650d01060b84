import type { IntegrationEvent } from '../ports/integration-events';
import { MINUTE_MS, toIso } from '../time';
import { mergeRanges, type TimeRange } from '../time-ranges';
import { RECORDING_AVAILABLE, RECORDING_STARTED, RECORDING_STOPPED } from './recording-plan';

/** CloudEvents `source` of a CVR archive's lifecycle events. */
export const ARCHIVE_LIFECYCLE_SOURCE = '/keepwatch/ingest';
/** Stored media less than this apart is one session (segment starts and durations are rounded to ms by the agent). */
export const ARCHIVE_SESSION_JOIN_MS = 1000;
/** How far back of a new session, or of a reported gap, the session that stopped is looked for (the longest segment, 5 min). */
export const ARCHIVE_SESSION_LOOKBACK_MS = 5 * MINUTE_MS;

/** What {@link archiveSessionEvents} needs of one CVR camera's batch. Times epoch ms UTC. */
export interface ArchiveSessionInput {
  cameraId: string;
  deviceId: string;
  /** The batch's newly indexed segments of the camera. */
  segments: ReadonlyArray<{ startMs: number; durationMs: number }>;
  /** The gaps its device reported in the batch, [startMs, endMs). */
  gaps: readonly TimeRange[];
  /**
   * The camera's stored ranges (the availability rollup, after this batch's segments were merged) from at least
   * {@link ARCHIVE_SESSION_LOOKBACK_MS} before the earliest segment or gap to the latest segment's end.
   */
  ranges: readonly TimeRange[];
  /** The events' `time`, epoch ms. */
  nowMs: number;
}

/**
 * The lifecycle events of a CVR camera's continuous recording, as AVA's CVR video sink emitted them
 * (Microsoft.VideoAnalyzer.Operational.RecordingStarted / RecordingAvailable / RecordingStopped, docs/events.md
 * "Archive lifecycle"). A session is a run of stored media with no hole longer than {@link ARCHIVE_SESSION_JOIN_MS}:
 * - a segment that begins a session (nothing stored ends within the join tolerance before its start) →
 *   `recording.started` and `recording.available` (its media is indexed, so playable) of that session;
 * - the session before it, if one ended within {@link ARCHIVE_SESSION_LOOKBACK_MS} → its `recording.stopped`;
 * - a reported gap → `recording.stopped` of the session that ended at its start (within the join tolerance after
 *   it, or the lookback before it).
 * Ids are stable, `recording-{started|available|stopped}-archive-{cameraId}-{13-digit session start}`, so a replayed
 * batch, or a stop seen both from a gap and from the next session, is the same event (consumers dedupe by id).
 * Data has the EVR events' shape plus `kind: "archive"`: `{deviceId, cameraId, recordingId: "archive-{13-digit
 * start}", start, end, reason: "continuous", signals: [], kind}`; `end` is the segment's end for started/available,
 * the session's end for stopped.
 * @returns the events, each id once, in the order found
 */
export function archiveSessionEvents(input: ArchiveSessionInput): IntegrationEvent[] {
  const sessions = joinRanges(input.ranges);
  const out = new Map<string, IntegrationEvent>();
  const add = (type: string, session: TimeRange, endMs: number) => {
    const e = archiveEvent(type, input.cameraId, input.deviceId, session.startMs, endMs, input.nowMs);
    if (!out.has(e.id)) out.set(e.id, e);
  };
  const stoppedBefore = (atMs: number) => {
    const before = sessions.filter((r) => r.endMs <= atMs + ARCHIVE_SESSION_JOIN_MS && r.endMs >= atMs - ARCHIVE_SESSION_LOOKBACK_MS && r.startMs < atMs);
    const last = before[before.length - 1];
    if (last && !sessions.some((r) => r.startMs <= atMs && r.endMs > atMs + ARCHIVE_SESSION_JOIN_MS)) add(RECORDING_STOPPED, last, last.endMs);
  };
  for (const s of [...input.segments].sort((a, b) => a.startMs - b.startMs)) {
    const session = sessions.find((r) => r.startMs <= s.startMs && s.startMs < r.endMs);
    if (!session || session.startMs !== s.startMs) continue;
    add(RECORDING_STARTED, session, s.startMs + s.durationMs);
    add(RECORDING_AVAILABLE, session, s.startMs + s.durationMs);
    const previous = sessions.filter((r) => r.endMs <= s.startMs && r.endMs >= s.startMs - ARCHIVE_SESSION_LOOKBACK_MS);
    const last = previous[previous.length - 1];
    if (last) add(RECORDING_STOPPED, last, last.endMs);
  }
  for (const g of input.gaps) stoppedBefore(g.startMs);
  return [...out.values()];
}

/** Sorted sessions: ranges merged, and joined across holes of at most {@link ARCHIVE_SESSION_JOIN_MS}. */
function joinRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const out: TimeRange[] = [];
  for (const r of mergeRanges(ranges)) {
    const last = out[out.length - 1];
    if (last && r.startMs - last.endMs <= ARCHIVE_SESSION_JOIN_MS) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ ...r });
  }
  return out;
}

function archiveEvent(type: string, cameraId: string, deviceId: string, sessionStartMs: number, endMs: number, nowMs: number): IntegrationEvent {
  const start13 = String(sessionStartMs).padStart(13, '0');
  return {
    specversion: '1.0',
    id: `${type.replace('.', '-')}-archive-${cameraId}-${start13}`,
    source: ARCHIVE_LIFECYCLE_SOURCE,
    type,
    time: toIso(nowMs),
    subject: cameraId,
    datacontenttype: 'application/json',
    data: { deviceId, cameraId, recordingId: `archive-${start13}`, start: toIso(sessionStartMs), end: toIso(endMs), reason: 'continuous', signals: [], kind: 'archive' },
  };
}
