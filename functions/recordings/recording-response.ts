import type { RecordingRecord } from '../../shared/ports/recording-store';
import { toIso } from '../../shared/time';

/** One signal of a recording in the recordings API; `time` ISO 8601 UTC with ms (media time). */
export interface RecordingSignalResponse {
  id: string;
  type: string;
  time: string;
  label?: string;
}

/**
 * One EVR recording in the recordings API. Times ISO 8601 UTC with ms; the window is half-open
 * [start, end) and grows while `state` is `recording`.
 */
export interface RecordingResponse {
  /** `{13-digit startMs}-{12 hex}` (RECORDING_ID_PATTERN). */
  id: string;
  start: string;
  end: string;
  state: 'recording' | 'complete';
  /** The first 16 signals that opened or extended it, in media-time order. */
  signals: RecordingSignalResponse[];
  /** All signals that opened or extended it (may exceed `signals.length`). */
  signalCount: number;
  /** Stored bytes of the indexed segments overlapping the window (segments count whole). */
  bytes: number;
  /** True once a segment overlapping it was indexed (`recording.available` published). */
  available: boolean;
  /** When it became available; absent before. */
  availableAt?: string;
  /** True while the recording hold `rec-{id}` exists (retention keeps its segments). */
  held: boolean;
}

/**
 * The API form of a stored recording.
 * @param extra.bytes stored bytes of its segments; extra.held whether its hold exists
 */
export function recordingResponse(r: RecordingRecord, extra: { bytes: number; held: boolean }): RecordingResponse {
  const body: RecordingResponse = {
    id: r.id,
    start: toIso(r.startMs),
    end: toIso(r.endMs),
    state: r.state,
    signals: r.signals.map((s) => (s.label === undefined ? { id: s.id, type: s.type, time: toIso(s.atMs) } : { id: s.id, type: s.type, time: toIso(s.atMs), label: s.label })),
    signalCount: r.signalCount,
    bytes: extra.bytes,
    available: r.availableAtMs !== undefined,
    held: extra.held,
  };
  if (r.availableAtMs !== undefined) body.availableAt = toIso(r.availableAtMs);
  return body;
}
