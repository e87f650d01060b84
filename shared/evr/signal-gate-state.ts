import { z } from 'zod';
import type { SignalGateState } from './signal-gate';
import { RECENT_IDS_KEPT } from './signal-gate';
import { parseWith } from '../validation/format-issues';

const epochMs = z.number().int().refine(Number.isSafeInteger, 'expected an integer epoch ms');
const signalId = z.string().min(1).max(200);

/**
 * The stored form of one camera's signal gate state (shared/evr/signal-gate.ts `SignalGateState`),
 * e.g. the JSON of a Table row's `state` property. Unknown keys are rejected so that a row written by
 * a newer shape (`v` ≠ 1) is refused instead of half-read.
 */
export const signalGateStateSchema = z.strictObject({
  v: z.literal(1),
  watermarkMs: epochMs.nullable(),
  pending: z
    .array(z.tuple([epochMs, signalId]))
    .refine((p) => p.every((x, i) => i === 0 || p[i - 1][0] < x[0] || (p[i - 1][0] === x[0] && p[i - 1][1] < x[1])), 'expected [atMs, id] pairs sorted by atMs then id, without repeats'),
  open: z
    .strictObject({
      recordingId: signalId,
      firstMs: epochMs,
      lastMs: epochMs,
      startMs: epochMs,
      endMs: epochMs,
      sequence: z.number().int().min(0),
      announced: z.boolean(),
    })
    .refine((o) => o.firstMs <= o.lastMs && o.lastMs < o.endMs, 'expected firstMs ≤ lastMs < endMs')
    .nullable(),
  lastEndMs: epochMs.nullable(),
  recentIds: z.array(signalId).max(RECENT_IDS_KEPT),
});

/**
 * Validates a stored gate state before it is fed to applySignal/advanceGate.
 * @param doc the parsed JSON of the stored state
 * @param what names the row in messages, e.g. `gate state of camera 'door-1'`
 * @throws ValidationError naming every bad key, e.g. `gate state: v: Invalid input: expected 1`
 */
export function parseSignalGateState(doc: unknown, what = 'gate state'): SignalGateState {
  return parseWith(signalGateStateSchema, doc, what) as SignalGateState;
}
