import type { InvocationContext } from '@azure/functions';
import { PreconditionFailedError, TransientError } from '../../shared/errors';
import { planEvrStep, type EvrMemory, type EvrStepPlan, type OutboxEntry } from '../../shared/evr/recording-plan';
import { signalCounts } from '../../shared/evr/signal-filter';
import { initialGateState } from '../../shared/evr/signal-gate';
import type { GateRow } from '../adapters/table/table-gate-store';
import { defaultRecordingPolicy, evrRule, type EvrRule } from '../../shared/schemas/recording-policy';
import type { SignalRecord } from '../../shared/contracts/signals';
import type { FunctionsDeps } from '../deps';
import { applyOutbox } from './apply-outbox';

export type EvrStepDeps = Pick<FunctionsDeps, 'settings' | 'policies' | 'gates' | 'recordings' | 'deviceCommands' | 'integrationEvents' | 'signals' | 'now'>;

/** Attempts of the read → decide → write cycle when other invocations keep changing the gate row. */
export const GATE_WRITE_ATTEMPTS = 8;

/** One camera's input to the EVR step. */
export interface EvrCameraInput {
  cameraId: string;
  /** The device of the camera's device events in the batch (trusted topic or source); undefined for HTTP signals. */
  deviceId?: string;
  /** Every signal for the camera (they are filtered here by the policy). */
  signals: SignalRecord[];
  /** Largest media time seen (segment end of `segment.recorded` / `segment.uploaded`), epoch ms. */
  mediaTimeMs?: number;
}

/** What {@link runEvrCameraStep} did. */
export interface EvrCameraResult {
  /** false when the camera's policy records no signals: neither EVR nor CVR with signal recordings (nothing was stored). */
  evr: boolean;
  /** Decisions applied in this call (including a flushed earlier outbox). */
  applied: number;
  /** Signals that count under the policy's filters (0 when not EVR). */
  counted: number;
}

/**
 * The EVR policy for one camera (docs/contracts.md "EVR in the cloud"): reads the policy (CVR without
 * `cvr.signalRecordings` → nothing, debug log), stores the camera's signals (`GET /cameras/{id}/signals`),
 * reads the gate row and first flushes an outbox an earlier invocation left (crash recovery), feeds the counting
 * signals and media-time progress to the signal gate (shared/evr/recording-plan.ts), writes the new gate state with the
 * new decisions in its outbox (If-Match; on 412 it re-reads and re-applies, which is safe because the gate is
 * idempotent on signal ids), applies the outbox (functions/evr/apply-outbox.ts) and clears it (If-Match). A crash
 * anywhere leaves either the old row (the replayed batch decides again, identically) or the outbox (the next invocation
 * flushes it first). `late` decisions are logged at warn with how late, `duplicate` at debug; nothing else happens for
 * them.
 * @param fallbackDeviceId the device when neither the input nor the gate row knows it (HTTP: the kwCameras row)
 * @throws TransientError when storage or the broker fails (the batch is replayed), ValidationError on a corrupt row
 */
export async function runEvrCameraStep(input: EvrCameraInput, context: InvocationContext, deps: EvrStepDeps, fallbackDeviceId?: string): Promise<EvrCameraResult> {
  const { cameraId } = input;
  const rule = await policyRule(cameraId, deps);
  if (!rule.signalRecordings) {
    context.debug('evr step skipped: camera policy records no signals', { cameraId, mode: rule.mode, signals: input.signals.length });
    return { evr: false, applied: 0, counted: 0 };
  }
  // Every signal is kept for `GET /cameras/{id}/signals`, counted or not (idempotent on its id: a replay rewrites it).
  await deps.signals.upsert(input.signals);
  const counting = input.signals.filter((s) => signalCounts(s, rule.signals));
  let applied = 0;
  for (let attempt = 0; attempt < GATE_WRITE_ATTEMPTS; attempt++) {
    let row = await deps.gates.get(cameraId);
    if (row && row.outbox.length) {
      applied += row.outbox.length;
      row = await flush(row, context, deps);
      if (!row) continue; // changed meanwhile: read again
    }
    const deviceId = input.deviceId ?? row?.deviceId ?? fallbackDeviceId;
    if (!deviceId) throw new TransientError(`camera '${cameraId}': no device known for its EVR commands`);
    const memory: EvrMemory = row?.memory ?? { state: initialGateState(), pendingSignals: [], open: null };
    const nowMs = deps.now();
    const plan = withoutCommandsForCvr(planEvrStep({ cameraId, deviceId, memory, signals: counting, mediaTimeMs: input.mediaTimeMs, params: rule.gate, nowMs }), rule.mode);
    for (const d of plan.dropped) {
      if (d.kind === 'late') context.warn('late signal dropped', { cameraId, signalId: d.signalId, lateByMs: d.horizonMs - d.atMs, atMs: d.atMs, horizonMs: d.horizonMs });
      else context.debug('duplicate signal ignored', { cameraId, signalId: d.signalId });
    }
    if (!plan.changed && row && row.deviceId === deviceId) return { evr: true, applied, counted: counting.length };
    let etag: string;
    try {
      etag = await deps.gates.put({ cameraId, deviceId, memory: plan.memory, outbox: plan.entries, updatedAtMs: nowMs }, row?.etag);
    } catch (err) {
      if (err instanceof PreconditionFailedError) continue;
      throw err;
    }
    if (plan.entries.length) {
      await flush({ cameraId, deviceId, memory: plan.memory, outbox: plan.entries, updatedAtMs: nowMs, etag }, context, deps);
      applied += plan.entries.length;
    }
    return { evr: true, applied, counted: counting.length };
  }
  throw new TransientError(`gate row of camera '${cameraId}' kept changing under concurrent invocations; gave up after ${GATE_WRITE_ATTEMPTS} attempts`);
}

/**
 * Applies the row's outbox and clears it, removing only the entries applied (by id) if the row changed meanwhile.
 * @returns the row with an empty outbox and its new ETag, or undefined when it changed and must be read again
 */
async function flush(row: GateRow, context: InvocationContext, deps: EvrStepDeps): Promise<GateRow | undefined> {
  await applyOutbox(row.outbox, row.deviceId, context, deps);
  const done = new Set(row.outbox.map((e: OutboxEntry) => e.id));
  let current: GateRow | undefined = row;
  for (let attempt = 0; attempt < GATE_WRITE_ATTEMPTS && current; attempt++) {
    const outbox = current.outbox.filter((e) => !done.has(e.id));
    if (outbox.length && outbox.length === current.outbox.length) return undefined; // someone else's outbox: re-read
    try {
      const next = { ...current, outbox, updatedAtMs: deps.now() };
      const etag = await deps.gates.put(next, current.etag);
      return outbox.length ? undefined : { ...next, etag };
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      current = await deps.gates.get(row.cameraId);
    }
  }
  return undefined;
}

/**
 * A CVR camera uploads every segment: its signal recordings are windows over the archive, so no upload-window command
 * goes to its agent (the outbox keeps the rows and the lifecycle events).
 */
function withoutCommandsForCvr(plan: EvrStepPlan, mode: EvrRule['mode']): EvrStepPlan {
  if (mode === 'evr') return plan;
  return { ...plan, entries: plan.entries.map(({ command: _command, ...entry }) => entry) };
}

async function policyRule(cameraId: string, deps: EvrStepDeps): Promise<EvrRule> {
  const stored = await deps.policies.get(cameraId);
  return evrRule(stored?.document ?? defaultRecordingPolicy(deps.settings.retentionDefault));
}
