import { ValidationError } from '../errors';
import type { SignalGateParams } from '../schemas/signal-gate';

/**
 * AVA's signal gate as a pure state machine: signals in, recording windows out.
 * Source: docs/reference/ava-behaviour.md "Nodes", signal gate processor, and Microsoft's "Configuring a signal gate"
 * how-to (AVA docs), whose formulas the unit tests reproduce:
 *   one signal E1          → window [E1 + offset, E1 + minimumActivationTime]
 *   retrigger E2 while open → length −offset + (E2 − E1) + minimumActivationTime
 *   continuous signals      → length −offset + maximumActivationTime, then the activation accepts no more
 *
 * The gate's clock. AVA ran the gate on the arrival time of events; Keepwatch decides in the cloud,
 * long after the fact when an agent was offline, so the gate runs on *media time*: its clock
 * (`watermarkMs`) is the latest media time it has seen, from signals and from `advanceGate` (which a
 * caller feeds with e.g. the end of each recorded segment). Never feed it the wall clock: after an
 * outage every queued signal would be a late arrival.
 *
 * Evaluation window. A signal is held (`pending`) until the clock has passed its media time by
 * `activationEvaluationWindow`, then it is settled, in media-time order: so signals that arrive out
 * of order within the window give exactly the decisions of the in-order stream (AVA: "the period of
 * time over which the gate gathers input events before evaluating them"). A signal whose media time is
 * already more than the window behind the clock when it arrives is a late arrival: dropped and
 * reported (`late`), nothing changes. As a result a recording is opened once the clock passes
 * E1 + activationEvaluationWindow, and closed once it passes the recording's end.
 *
 * Idempotence. A signal id seen before (pending, settled recently, or the recording's own id) is
 * reported `duplicate` and changes nothing; an older redelivery falls behind the clock and is reported
 * `late`, which changes nothing either. Redelivery can therefore never alter the state.
 *
 * Keepwatch rules beyond AVA (AVA is silent): windows are half-open [startMs, endMs) in epoch ms UTC;
 * a signal at or after the current end opens a new activation; a new recording's pre-roll never reaches
 * back into the previous recording (start clamped to the previous end) so no media belongs to two
 * recordings; with a positive offset not smaller than the activation the window is empty and nothing is
 * announced unless a retrigger makes it non-empty.
 */

/** One signal: anything that may open a recording (motion, external event, inference). */
export interface GateSignal {
  /** Unique id (the CloudEvent id): redeliveries carry the same id. 1..200 characters. */
  id: string;
  /** Media time of the event, epoch ms UTC (integer). */
  atMs: number;
}

/**
 * What the gate decided. Recording decisions carry the recording's id (= the id of its initial
 * signal, AVA's correlation id) and `sequence` (0 for `opened`, then 1, 2, … for each following signal
 * that extended it, after AVA's sequential correlation ids; a signal absorbed by the maximum gets none).
 * Windows are [startMs, endMs) in epoch ms UTC.
 * - `opened`: a new recording; upload the segments of the window.
 * - `extended`: the recording's end moved later (a retrigger); upload the extra segments.
 * - `closed`: final window; no later signal can change it.
 * - `late`: the signal arrived after the evaluation window (`horizonMs` = clock − window); dropped.
 * - `duplicate`: the signal id was seen before; ignored.
 */
export type GateDecision =
  | { kind: 'opened'; recordingId: string; sequence: 0; signalId: string; startMs: number; endMs: number }
  | { kind: 'extended'; recordingId: string; sequence: number; signalId: string; startMs: number; endMs: number }
  | { kind: 'closed'; recordingId: string; startMs: number; endMs: number }
  | { kind: 'late'; signalId: string; atMs: number; horizonMs: number }
  | { kind: 'duplicate'; signalId: string };

/** The activation in progress (at most one: activations are settled in media-time order). */
export interface OpenActivation {
  /** Id of the initial signal; the recording id. */
  recordingId: string;
  /** Media time of the initial signal (E1), epoch ms. */
  firstMs: number;
  /** Media time of the last settled signal, epoch ms. */
  lastMs: number;
  /** Window start, epoch ms: E1 + offset, never before the previous recording's end. */
  startMs: number;
  /** Window end, epoch ms: min(last + minimum, E1 + maximum). */
  endMs: number;
  /** Last correlation sequence number handed out. */
  sequence: number;
  /** Whether `opened` was emitted (false while the window is empty, positive offsets only). */
  announced: boolean;
}

/**
 * Per-camera gate state: plain JSON, small (pending signals are bounded by the signal rate times the
 * evaluation window, remembered ids by RECENT_IDS_KEPT), meant for one Table row per camera updated
 * with ETag concurrency. Treat as opaque; `v` versions the shape.
 */
export interface SignalGateState {
  v: 1;
  /** The gate's clock: latest media time seen, epoch ms; null before the first signal or advance. */
  watermarkMs: number | null;
  /** Accepted, not yet settled signals as [atMs, id], sorted by atMs then id. */
  pending: Array<[number, string]>;
  /** The activation in progress, or null. */
  open: OpenActivation | null;
  /** End of the last announced recording, epoch ms (clamps the next pre-roll); null if none. */
  lastEndMs: number | null;
  /** Ids of the most recently settled signals, oldest first, for duplicate detection. */
  recentIds: string[];
}

/** How many settled signal ids the state remembers; older redeliveries are caught as `late`. */
export const RECENT_IDS_KEPT = 64;

/** Result of a gate step: the new state (the input is never mutated) and the decisions, in order. */
export interface GateStep {
  state: SignalGateState;
  decisions: GateDecision[];
}

/** The state of a camera whose gate has seen nothing. */
export function initialGateState(): SignalGateState {
  return { v: 1, watermarkMs: null, pending: [], open: null, lastEndMs: null, recentIds: [] };
}

function checkSignal(signal: GateSignal): void {
  if (typeof signal?.id !== 'string' || signal.id.length < 1 || signal.id.length > 200) {
    throw new ValidationError(`signal gate: signal.id ${JSON.stringify(signal?.id)} must be a string of 1 to 200 characters`);
  }
  if (!Number.isSafeInteger(signal.atMs)) {
    throw new ValidationError(`signal gate: signal.atMs ${JSON.stringify(signal.atMs)} of signal '${signal.id}' must be an integer epoch ms`);
  }
}

function copyState(s: SignalGateState): SignalGateState {
  return {
    v: 1,
    watermarkMs: s.watermarkMs,
    pending: s.pending.map(([t, id]) => [t, id] as [number, string]),
    open: s.open ? { ...s.open } : null,
    lastEndMs: s.lastEndMs,
    recentIds: [...s.recentIds],
  };
}

function seen(s: SignalGateState, id: string): boolean {
  return s.open?.recordingId === id || s.recentIds.includes(id) || s.pending.some(([, p]) => p === id);
}

function horizonOf(s: SignalGateState, p: SignalGateParams): number | null {
  return s.watermarkMs === null ? null : s.watermarkMs - p.activationEvaluationWindowMs;
}

function close(s: SignalGateState, out: GateDecision[]): void {
  const o = s.open!;
  if (o.announced) {
    out.push({ kind: 'closed', recordingId: o.recordingId, startMs: o.startMs, endMs: o.endMs });
    s.lastEndMs = o.endMs;
  }
  s.open = null;
}

/** Settles one signal, in media-time order (AVA's retrigger and cap rules). */
function settleOne(s: SignalGateState, atMs: number, id: string, p: SignalGateParams, out: GateDecision[]): void {
  if (s.open && atMs >= s.open.endMs) close(s, out);
  const o = s.open;
  if (!o) {
    const startMs = Math.max(atMs + p.activationSignalOffsetMs, s.lastEndMs ?? Number.NEGATIVE_INFINITY);
    const endMs = atMs + Math.min(p.minimumActivationTimeMs, p.maximumActivationTimeMs);
    const announced = endMs > startMs;
    s.open = { recordingId: id, firstMs: atMs, lastMs: atMs, startMs, endMs, sequence: 0, announced };
    if (announced) out.push({ kind: 'opened', recordingId: id, sequence: 0, signalId: id, startMs, endMs });
    return;
  }
  o.lastMs = atMs;
  const endMs = Math.min(atMs + p.minimumActivationTimeMs, o.firstMs + p.maximumActivationTimeMs);
  if (endMs <= o.endMs) return; // capped by maximumActivationTime: the signal is absorbed
  o.endMs = endMs;
  if (o.announced) {
    o.sequence += 1;
    out.push({ kind: 'extended', recordingId: o.recordingId, sequence: o.sequence, signalId: id, startMs: o.startMs, endMs });
  } else if (o.endMs > o.startMs) {
    o.announced = true;
    out.push({ kind: 'opened', recordingId: o.recordingId, sequence: 0, signalId: id, startMs: o.startMs, endMs });
  }
}

/** Settles every pending signal behind the horizon, then closes the activation if the horizon passed its end. */
function settle(s: SignalGateState, p: SignalGateParams, out: GateDecision[]): void {
  const horizon = horizonOf(s, p);
  if (horizon === null) return;
  while (s.pending.length > 0 && s.pending[0][0] < horizon) {
    const [atMs, id] = s.pending.shift()!;
    settleOne(s, atMs, id, p, out);
    s.recentIds.push(id);
    if (s.recentIds.length > RECENT_IDS_KEPT) s.recentIds.shift();
  }
  if (s.open && horizon >= s.open.endMs) close(s, out);
}

/**
 * Feeds one signal to a camera's gate.
 * @param state the camera's current state (not mutated); `initialGateState()` for a new camera
 * @param signal `{ id, atMs }`, atMs = media time, epoch ms UTC
 * @param params validated settings in ms (parseSignalGateSettings)
 * @returns the new state and the decisions, in order: `late`/`duplicate` for a dropped signal
 *   (state unchanged), else any `opened`/`extended`/`closed` that the signal's arrival settled
 * @throws ValidationError when the signal has no id or a non-integer atMs (nothing changes)
 * Source: AVA signal gate, docs/reference/ava-behaviour.md "Nodes"
 */
export function applySignal(state: SignalGateState, signal: GateSignal, params: SignalGateParams): GateStep {
  checkSignal(signal);
  if (seen(state, signal.id)) return { state, decisions: [{ kind: 'duplicate', signalId: signal.id }] };
  const horizon = horizonOf(state, params);
  if (horizon !== null && signal.atMs < horizon) {
    return { state, decisions: [{ kind: 'late', signalId: signal.id, atMs: signal.atMs, horizonMs: horizon }] };
  }
  const s = copyState(state);
  const i = s.pending.findIndex(([t, id]) => t > signal.atMs || (t === signal.atMs && id > signal.id));
  s.pending.splice(i < 0 ? s.pending.length : i, 0, [signal.atMs, signal.id]);
  s.watermarkMs = Math.max(s.watermarkMs ?? signal.atMs, signal.atMs);
  const decisions: GateDecision[] = [];
  settle(s, params, decisions);
  return { state: s, decisions };
}

/**
 * Moves the gate's clock to `mediaTimeMs` (if later than it is), settling held signals and closing a
 * recording whose end the horizon passed. Call it with media-time progress of the camera, never with
 * the wall clock, and with a time that no signal still on its way can precede by more than the
 * evaluation window: a motion signal is published only when its `eventAggregationWindow` ends, so a
 * caller feeding segment ends should pass `segmentEndMs - eventAggregationWindowMs` (minus any
 * transport slack); else such signals become late arrivals. Idempotent: the same or an earlier time
 * changes nothing.
 * @param mediaTimeMs epoch ms UTC
 * @throws ValidationError when mediaTimeMs is not an integer
 */
export function advanceGate(state: SignalGateState, mediaTimeMs: number, params: SignalGateParams): GateStep {
  if (!Number.isSafeInteger(mediaTimeMs)) {
    throw new ValidationError(`signal gate: mediaTimeMs ${JSON.stringify(mediaTimeMs)} must be an integer epoch ms`);
  }
  if (state.watermarkMs !== null && mediaTimeMs <= state.watermarkMs) return { state, decisions: [] };
  const s = copyState(state);
  s.watermarkMs = mediaTimeMs;
  const decisions: GateDecision[] = [];
  settle(s, params, decisions);
  return { state: s, decisions };
}
