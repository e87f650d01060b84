import type { InvocationContext } from '@azure/functions';
import { ValidationError } from '../../shared/errors';
import type { RecordedSegmentRecord, SegmentRecord } from '../../shared/contracts/device-events';
import type { SignalRecord } from '../../shared/contracts/signals';
import { runEvrCameraStep, type EvrCameraInput, type EvrStepDeps } from './evr-camera-step';
import { markRecordingsAvailable, type RecordingAvailableDeps } from './recording-available';

export type EvrBatchDeps = EvrStepDeps & RecordingAvailableDeps;

/** The EVR part of one ingest batch. */
export interface EvrBatchInput {
  signals: SignalRecord[];
  /** `segment.recorded` events: media-time progress. */
  recorded: RecordedSegmentRecord[];
  /** `segment.uploaded` segments: media-time progress and `recording.available`. */
  uploaded: SegmentRecord[];
}

/** What {@link evrBatch} did. */
export interface EvrBatchSummary {
  /** Cameras whose policy records by signals (EVR, or CVR with `cvr.signalRecordings`) and that had anything in the batch. */
  evrCameras: number;
  decisionsApplied: number;
  recordingsAvailable: number;
}

/**
 * Longest the gate's clock waits behind a reported segment's end for the agent's signals, ms. A `segment.recorded`
 * moves the clock to the segment's end, but not past its `signalsThrough` (the agent's promise that no signal before
 * it is still to come: an open motion aggregation window, an inference request in flight), so a motion signal
 * published after its aggregation window is never a late arrival. A signal source that stalls must not freeze the
 * gate, so the clock moves at least to end − 10 s (the longest aggregation window AVA allows). A `segment.uploaded`
 * carries no such promise and moves the clock to end − 10 s.
 */
export const SIGNAL_WAIT_MAX_MS = 10_000;

/**
 * The EVR policy's share of an ingest batch: groups signals and media-time progress per camera (the
 * largest segment end of `segment.recorded` and `segment.uploaded`), runs the camera steps one camera after the other
 * (functions/evr/evr-camera-step.ts), then marks recordings available for the uploaded segments. Cameras whose policy
 * is CVR without `cvr.signalRecordings` decide nothing and store nothing. Idempotent like the rest of ingest: a replayed batch changes nothing more.
 * A camera whose step throws ValidationError (corrupt gate row or policy) is logged at error and skipped.
 * @throws TransientError when storage or the broker fails (the caller's retry replays the batch)
 */
export async function evrBatch(input: EvrBatchInput, context: InvocationContext, deps: EvrBatchDeps): Promise<EvrBatchSummary> {
  const cameras = new Map<string, EvrCameraInput>();
  const of = (cameraId: string, deviceId: string | undefined) => {
    let c = cameras.get(cameraId);
    if (!c) cameras.set(cameraId, (c = { cameraId, signals: [] }));
    if (deviceId) c.deviceId = deviceId;
    return c;
  };
  const progress = (cameraId: string, deviceId: string, clockMs: number) => {
    const c = of(cameraId, deviceId);
    c.mediaTimeMs = Math.max(c.mediaTimeMs ?? clockMs, clockMs);
  };
  for (const s of input.signals) of(s.cameraId, s.deviceId).signals.push(s);
  for (const r of input.recorded) progress(r.cameraId, r.deviceId, recordedClockMs(r));
  for (const u of input.uploaded) progress(u.cameraId, u.deviceId, u.startMs + u.durationMs - SIGNAL_WAIT_MAX_MS);

  let evrCameras = 0;
  let decisionsApplied = 0;
  for (const c of [...cameras.values()].sort((a, b) => (a.cameraId < b.cameraId ? -1 : 1))) {
    try {
      const r = await runEvrCameraStep(c, context, deps);
      if (r.evr) evrCameras++;
      decisionsApplied += r.applied;
    } catch (err) {
      // A corrupt gate row or stored policy cannot be fixed by a replay: the other cameras go on, a person must look.
      if (!(err instanceof ValidationError)) throw err;
      context.error('evr step failed for a camera', { cameraId: c.cameraId, code: err.code, message: err.message });
    }
  }
  const recordingsAvailable = input.uploaded.length ? await markRecordingsAvailable(input.uploaded, context, deps) : 0;
  return { evrCameras, decisionsApplied, recordingsAvailable };
}

/** Where a `segment.recorded` moves the gate's clock: its end, held back to `signalsThrough`, but at least end − {@link SIGNAL_WAIT_MAX_MS}. */
export function recordedClockMs(r: Pick<RecordedSegmentRecord, 'startMs' | 'durationMs' | 'signalsThroughMs'>): number {
  const endMs = r.startMs + r.durationMs;
  if (r.signalsThroughMs === undefined) return endMs;
  return Math.max(endMs - SIGNAL_WAIT_MAX_MS, Math.min(endMs, r.signalsThroughMs));
}
