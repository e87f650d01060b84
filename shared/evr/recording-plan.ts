import type { IntegrationEvent } from '../ports/integration-events';
import { RECORDING_SIGNALS_KEPT, type RecordingRecord, type RecordingSignal } from '../ports/recording-store';
import type { SignalGateParams } from '../schemas/signal-gate';
import type { SignalRecord } from '../contracts/signals';
import { EVR_POLICY_SOURCE, uploadWindowCommandId, type UploadWindow } from '../contracts/upload-window';
import { toIso } from '../time';
import { recordingApiId } from './recording-id';
import { advanceGate, applySignal, type GateDecision, type SignalGateState } from './signal-gate';

/**
 * The cloud EVR policy's pure step for one camera: counting signals and media-time progress in, the new
 * signal gate state and an outbox of effects out. Each effect ({@link OutboxEntry}) is one gate decision turned into
 * a recordings row, an upload-window command (shared/contracts/upload-window.ts) and the recording lifecycle integration
 * events (`recording.started` / `recording.stopped`, ids `recording-started-{apiId}` / `recording-stopped-{apiId}`,
 * source `/keepwatch/evr-policy`; AVA's Microsoft.VideoAnalyzer.Operational.RecordingStarted / RecordingStopped,
 * docs/reference/ava-behaviour.md "Events"). The caller stores state and outbox together (one Table row, If-Match),
 * then applies the outbox: every effect is idempotent (upsert by sequence, command id, event id), so a crash in between
 * only means a replay.
 */

/** Lifecycle integration event types of EVR recordings. */
export const RECORDING_STARTED = 'recording.started';
export const RECORDING_AVAILABLE = 'recording.available';
export const RECORDING_STOPPED = 'recording.stopped';

/** What the gate row remembers of a signal it holds (pending) or of the open recording's signals. */
export interface GateSignalInfo extends RecordingSignal {}

/** The recording the gate has open, as far as the rows need it (its signals, the last sequence). */
export interface OpenRecordingMeta {
  apiId: string;
  gateRecordingId: string;
  startMs: number;
  endMs: number;
  /** Last window sequence sent (0 opened, +1 per extension). */
  sequence: number;
  signals: RecordingSignal[];
  signalCount: number;
  createdAtMs: number;
}

/** One decision's effects, not yet (or not yet surely) applied. `id` = the command id `window-{apiId}-{sequence}`. */
export interface OutboxEntry {
  id: string;
  recording: RecordingRecord;
  /** The window to send to the device (always present; kept optional for rows written by later shapes). */
  command?: UploadWindow;
  events: IntegrationEvent[];
}

/** A camera's EVR memory besides the gate state: infos of pending signals and the open recording. */
export interface EvrMemory {
  state: SignalGateState;
  /** Type/label of each signal the gate still holds (pending), by id order of arrival. */
  pendingSignals: GateSignalInfo[];
  open: OpenRecordingMeta | null;
}

/** Input of {@link planEvrStep}. */
export interface EvrStepInput {
  cameraId: string;
  deviceId: string;
  memory: EvrMemory;
  /** Signals that count under the policy's filters, any order (sorted here by media time, then id). */
  signals: readonly SignalRecord[];
  /** Latest media time seen (largest segment end), epoch ms; undefined = no progress. */
  mediaTimeMs?: number;
  params: SignalGateParams;
  /** Wall clock for `createdAtMs`/`updatedAtMs` and event/command times, epoch ms. */
  nowMs: number;
}

/** Output of {@link planEvrStep}. */
export interface EvrStepPlan {
  memory: EvrMemory;
  entries: OutboxEntry[];
  /** `late` and `duplicate` decisions, for the log; they change nothing. */
  dropped: Array<Extract<GateDecision, { kind: 'late' | 'duplicate' }>>;
  /** True when the memory differs from the input's (something to store). */
  changed: boolean;
}

/**
 * Feeds one camera's signals (media-time order) then its media-time progress to the signal gate, and turns each
 * `opened` / `extended` / `closed` decision into an {@link OutboxEntry}.
 * @returns the new memory (input not mutated), the entries in decision order, the dropped decisions
 * @throws ValidationError when a signal has a bad id or time (shared/evr/signal-gate.ts)
 * Source: AVA signal gate (docs/reference/ava-behaviour.md "Nodes") via shared/evr/signal-gate.ts; command sequence
 * rule in shared/contracts/upload-window.ts (the final command's sequence is the last one + 1).
 */
export function planEvrStep(input: EvrStepInput): EvrStepPlan {
  const { cameraId, deviceId, params, nowMs } = input;
  let state = input.memory.state;
  const infos = new Map(input.memory.pendingSignals.map((s) => [s.id, s] as const));
  let open = input.memory.open ? { ...input.memory.open, signals: [...input.memory.open.signals] } : null;
  const entries: OutboxEntry[] = [];
  const dropped: EvrStepPlan['dropped'] = [];

  const handle = (decisions: GateDecision[]) => {
    for (const d of decisions) {
      if (d.kind === 'late' || d.kind === 'duplicate') {
        dropped.push(d);
        continue;
      }
      if (d.kind === 'opened') {
        const apiId = recordingApiId(cameraId, d.recordingId, d.startMs);
        const sig = infos.get(d.signalId);
        open = { apiId, gateRecordingId: d.recordingId, startMs: d.startMs, endMs: d.endMs, sequence: 0, signals: sig ? [sig] : [], signalCount: 1, createdAtMs: nowMs };
        entries.push(entryOf(open, 'recording', false, deviceId, cameraId, nowMs, RECORDING_STARTED));
      } else if (d.kind === 'extended') {
        open ??= lostMeta(cameraId, d.recordingId, d.startMs, nowMs);
        const sig = infos.get(d.signalId);
        open.endMs = d.endMs;
        open.sequence = d.sequence;
        open.signalCount += 1;
        if (sig && open.signals.length < RECORDING_SIGNALS_KEPT) open.signals.push(sig);
        entries.push(entryOf(open, 'recording', false, deviceId, cameraId, nowMs));
      } else {
        const meta = open && open.gateRecordingId === d.recordingId ? open : lostMeta(cameraId, d.recordingId, d.startMs, nowMs);
        const closed = { ...meta, endMs: d.endMs, sequence: meta.sequence + 1 };
        entries.push(entryOf(closed, 'complete', true, deviceId, cameraId, nowMs, RECORDING_STOPPED));
        open = null;
      }
    }
  };

  const sorted = [...input.signals].sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const s of sorted) {
    const step = applySignal(state, { id: s.id, atMs: s.atMs }, params);
    if (step.state !== state && !infos.has(s.id)) infos.set(s.id, signalInfo(s));
    state = step.state;
    handle(step.decisions);
  }
  if (input.mediaTimeMs !== undefined) {
    const step = advanceGate(state, input.mediaTimeMs, params);
    state = step.state;
    handle(step.decisions);
  }
  const stillPending = new Set(state.pending.map(([, id]) => id));
  const pendingSignals = [...infos.values()].filter((s) => stillPending.has(s.id));
  const memory: EvrMemory = { state, pendingSignals, open };
  const changed = JSON.stringify(memory) !== JSON.stringify(input.memory);
  return { memory, entries, dropped, changed };
}

function signalInfo(s: SignalRecord): GateSignalInfo {
  const info: GateSignalInfo = { id: s.id, type: s.type, atMs: s.atMs };
  if (s.label !== undefined) info.label = s.label;
  return info;
}

/** A recording whose meta is missing (should not happen; a row from an older shape): rebuilt from the decision. */
function lostMeta(cameraId: string, gateRecordingId: string, startMs: number, nowMs: number): OpenRecordingMeta {
  return { apiId: recordingApiId(cameraId, gateRecordingId, startMs), gateRecordingId, startMs, endMs: startMs, sequence: 0, signals: [], signalCount: 0, createdAtMs: nowMs };
}

function entryOf(meta: OpenRecordingMeta, state: 'recording' | 'complete', final: boolean, deviceId: string, cameraId: string, nowMs: number, eventType?: string): OutboxEntry {
  const recording: RecordingRecord = {
    id: meta.apiId,
    cameraId,
    deviceId,
    gateRecordingId: meta.gateRecordingId,
    startMs: meta.startMs,
    endMs: meta.endMs,
    state,
    sequence: meta.sequence,
    signals: [...meta.signals],
    signalCount: meta.signalCount,
    createdAtMs: meta.createdAtMs,
    updatedAtMs: nowMs,
  };
  const command: UploadWindow = { cameraId, recordingId: meta.apiId, startMs: meta.startMs, endMs: meta.endMs, final, sequence: meta.sequence };
  return { id: uploadWindowCommandId(command), recording, command, events: eventType ? [recordingEvent(eventType, recording, nowMs)] : [] };
}

/**
 * A recording lifecycle integration event (docs/events.md; docs/contracts.md "EVR in the
 * cloud"): id `{type with '.' → '-'}-{apiId}` (e.g. `recording-started-{apiId}`), subject the camera, data
 * `{deviceId, cameraId, recordingId, start, end (ISO), reason: 'signal-gate', signals: [{id, type, time, label?}]}`.
 * @param timeMs the event's `time`, epoch ms
 */
export function recordingEvent(type: string, r: RecordingRecord, timeMs: number): IntegrationEvent {
  return {
    specversion: '1.0',
    id: `${type.replace('.', '-')}-${r.id}`,
    source: EVR_POLICY_SOURCE,
    type,
    time: toIso(timeMs),
    subject: r.cameraId,
    datacontenttype: 'application/json',
    data: {
      deviceId: r.deviceId,
      cameraId: r.cameraId,
      recordingId: r.id,
      start: toIso(r.startMs),
      end: toIso(r.endMs),
      reason: 'signal-gate',
      signals: r.signals.map((s) => ({ id: s.id, type: s.type, time: toIso(s.atMs), ...(s.label !== undefined ? { label: s.label } : {}) })),
    },
  };
}
