import { z } from 'zod';
import { ValidationError } from '../errors';
import { HOUR_MS, MINUTE_MS, SECOND_MS, parseIsoDuration, toIsoDuration } from '../time';
import { parseWith } from '../validation/format-issues';

/**
 * Defaults of the signal gate, as written in Microsoft's EVR topologies: every one of them sets
 * `activationEvaluationWindow` PT1S and nearly all `activationSignalOffset` PT0S with
 * `minimumActivationTime` = `maximumActivationTime` = PT30S (test/fixtures/azure-topologies/
 * ava-evr-motion-video-sink, ava-evr-hubMessage-video-sink uses -PT5S). AVA's swagger states no defaults.
 */
export const SIGNAL_GATE_DEFAULTS = {
  activationEvaluationWindow: 'PT1S',
  activationSignalOffset: 'PT0S',
  minimumActivationTime: 'PT30S',
  maximumActivationTime: 'PT30S',
} as const;

/**
 * Bounds of each gate setting in ms, inclusive (docs/reference/ava-behaviour.md "Nodes", signal gate processor).
 * The activation times take LVA's lower bound of 1 s (AVA raised it to 10 s) so that LVA
 * topologies with PT5S, as Microsoft's lva-*-evr-*-files samples, still load.
 */
export const SIGNAL_GATE_BOUNDS = {
  activationEvaluationWindow: { minMs: 0, maxMs: 10 * SECOND_MS },
  activationSignalOffset: { minMs: -MINUTE_MS, maxMs: MINUTE_MS },
  minimumActivationTime: { minMs: SECOND_MS, maxMs: HOUR_MS },
  maximumActivationTime: { minMs: SECOND_MS, maxMs: HOUR_MS },
} as const;

type GateKey = keyof typeof SIGNAL_GATE_BOUNDS;

/** An ISO 8601 duration string within the bounds of `key`; the message names the value and the limits. */
function boundedDuration(key: GateKey) {
  const { minMs, maxMs } = SIGNAL_GATE_BOUNDS[key];
  return z
    .string({ error: 'expected an ISO 8601 duration string such as PT5S' })
    .default(SIGNAL_GATE_DEFAULTS[key])
    .superRefine((text, ctx) => {
      let ms: number;
      try {
        ms = parseIsoDuration(text, key);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(`${key} `, '') });
        return;
      }
      if (ms < minMs || ms > maxMs) {
        ctx.addIssue({ code: 'custom', message: `${text} is outside ${toIsoDuration(minMs)}..${toIsoDuration(maxMs)}` });
      }
    });
}

/**
 * The signal gate settings as written in configuration or in an AVA `SignalGateProcessor` node
 * (same key names, ISO 8601 duration strings; `-PT5S` = 5 s of pre-roll). Unknown keys are rejected.
 * Source: docs/reference/ava-behaviour.md "Nodes"; Microsoft's "Configuring a signal gate" how-to.
 */
export const signalGateSettingsSchema = z.strictObject({
  /** 0..PT10S, default PT1S: how long, from a signal, an earlier (in media time) signal may still arrive before it is a late arrival. */
  activationEvaluationWindow: boundedDuration('activationEvaluationWindow').meta({ format: 'duration', description: 'PT0S..PT10S, default PT1S' }),
  /** -PT1M..PT1M, default PT0S: from the initial signal to the first media let through; negative = pre-roll from the cache. */
  activationSignalOffset: boundedDuration('activationSignalOffset').meta({ description: '-PT1M..PT1M, default PT0S; negative = pre-roll' }),
  /** PT1S..PT1H, default PT30S: the gate stays open this long after the last signal (each signal restarts it). */
  minimumActivationTime: boundedDuration('minimumActivationTime').meta({ format: 'duration', description: 'PT1S..PT1H, default PT30S' }),
  /** PT1S..PT1H, default PT30S: hard cap from the initial signal, whatever follows. */
  maximumActivationTime: boundedDuration('maximumActivationTime').meta({ format: 'duration', description: 'PT1S..PT1H, ≥ minimum, default PT30S' }),
});

/** The settings as written (strings). */
export type SignalGateSettings = z.input<typeof signalGateSettingsSchema>;

/** Validated gate parameters in ms, as `applySignal` takes them. */
export interface SignalGateParams {
  /** 0..10 000 ms. */
  activationEvaluationWindowMs: number;
  /** -60 000..60 000 ms; negative = pre-roll. */
  activationSignalOffsetMs: number;
  /** 1 000..3 600 000 ms. */
  minimumActivationTimeMs: number;
  /** 1 000..3 600 000 ms, ≥ minimumActivationTimeMs. */
  maximumActivationTimeMs: number;
}

/**
 * A maximum below the minimum would make `minimumActivationTime` a lie (the cap would always cut
 * the recording shorter); AVA does not say what it did with such a node, Keepwatch refuses it.
 */
function verifyActivationTimes(p: SignalGateParams, what: string): void {
  if (p.maximumActivationTimeMs < p.minimumActivationTimeMs) {
    throw new ValidationError(
      `${what}: maximumActivationTime ${toIsoDuration(p.maximumActivationTimeMs)} is below minimumActivationTime ${toIsoDuration(p.minimumActivationTimeMs)}`,
      [{ path: 'maximumActivationTime', message: 'below minimumActivationTime' }],
    );
  }
}

/**
 * Validates signal gate settings and converts them to ms.
 * @param doc an object with AVA's keys (any may be missing: defaults in SIGNAL_GATE_DEFAULTS)
 * @param what names the document in messages, e.g. `camera 'door-1' signal gate`
 * @returns the parameters in ms
 * @throws ValidationError naming every bad or unknown key, e.g.
 *   `signal gate: activationEvaluationWindow: PT11S is outside PT0S..PT10S`
 */
export function parseSignalGateSettings(doc: unknown, what = 'signal gate'): SignalGateParams {
  const s = parseWith(signalGateSettingsSchema, doc ?? {}, what);
  const params: SignalGateParams = {
    activationEvaluationWindowMs: parseIsoDuration(s.activationEvaluationWindow, 'activationEvaluationWindow'),
    activationSignalOffsetMs: parseIsoDuration(s.activationSignalOffset, 'activationSignalOffset'),
    minimumActivationTimeMs: parseIsoDuration(s.minimumActivationTime, 'minimumActivationTime'),
    maximumActivationTimeMs: parseIsoDuration(s.maximumActivationTime, 'maximumActivationTime'),
  };
  verifyActivationTimes(params, what);
  return params;
}
