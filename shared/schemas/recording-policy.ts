import { z } from 'zod';
import { ValidationError } from '../errors';
import { DAY_MS } from '../time';
import { parseWith } from '../validation/format-issues';
import { polygonSchema } from './motion-detection';
import { parseSignalGateSettings, signalGateSettingsSchema, type SignalGateParams } from './signal-gate';
import { SIGNAL_TYPE_PATTERN } from '../contracts/signals';

/**
 * A camera's recording policy, as `PUT /api/cameras/{cameraId}/policy` takes it and the Policies table stores it.
 * Unknown keys are rejected with a 400 naming them.
 *
 * ```json
 * {
 *   "mode": "evr",
 *   "retention": { "archive": "P7D", "recordings": "P30D", "maximumSizeMiB": 51200 },
 *   "evr": {
 *     "signals": [{ "type": "motion" }, { "type": "door" }, { "type": "inference", "label": "person", "minimumConfidence": 0.6 }],
 *     "signalGate": { "activationEvaluationWindow": "PT1S", "activationSignalOffset": "-PT5S",
 *                     "minimumActivationTime": "PT10S", "maximumActivationTime": "PT60S" }
 *   }
 * }
 * ```
 * `mode` (absent = `cvr`): `cvr` keeps every segment the agent uploads; `evr` turns signals into recordings through the
 * signal gate (AVA's signal gate processor, docs/reference/ava-behaviour.md "Nodes") and commands the agent to upload
 * only their windows.
 *
 * CVR with signal recordings (Frigate's default: record 24/7 with a short retention, keep the windows around events
 * much longer), e.g. archive one day, recordings thirty:
 * ```json
 * { "mode": "cvr", "cvr": { "signalRecordings": true },
 *   "retention": { "archive": "P1D", "recordings": "P30D" },
 *   "evr": { "signals": [{ "type": "motion" }], "signalGate": { "activationSignalOffset": "-PT5S" } } }
 * ```
 * The `evr` section's filters and signal gate then open recordings over the continuous archive (nothing is commanded
 * to the agent: it uploads everything anyway), and retention keeps the archive's segments inside a recording for
 * `retention.recordings`, the rest for `retention.archive` (shared/retention/plan-retention.ts).
 */
export const RETENTION_ARCHIVE_MIN_DAYS = 1;
/** AVA's `archival.retentionPeriod` allows at most 10 years (docs/reference/ava-behaviour.md "Playback"); 3650 days. */
export const RETENTION_ARCHIVE_MAX_DAYS = 3650;
/** Size cap bounds, MiB (1 MiB = 1024² bytes as in AVA's `...MaximumSizeMiB`, docs/reference/ava-behaviour.md "Resilient recording"): 1 MiB .. 1 PiB. */
export const MAXIMUM_SIZE_MIN_MIB = 1;
export const MAXIMUM_SIZE_MAX_MIB = 1024 ** 3;
export const MIB = 1024 * 1024;

/** Default archive retention when neither the camera's policy nor the setting says otherwise (AVA samples use days). */
export const RECORDING_POLICY_DEFAULTS = { archive: 'P7D' } as const;

const DAYS = /^P(\d{1,4})D$/;

/**
 * Parses an archive retention: ISO 8601 whole days `P{n}D`, n in 1..3650 (AVA `retentionPeriod`: days granularity,
 * ≤ 10 years, docs/reference/ava-behaviour.md "Nodes" and "Playback").
 * @returns the retention in ms (n × 24 h)
 * @throws ValidationError `InvalidRetention` naming `what` and the value
 */
export function parseRetentionDays(text: unknown, what: string): number {
  const m = typeof text === 'string' ? DAYS.exec(text) : null;
  const days = m ? Number(m[1]) : Number.NaN;
  if (!(days >= RETENTION_ARCHIVE_MIN_DAYS && days <= RETENTION_ARCHIVE_MAX_DAYS)) {
    throw new ValidationError(
      `${what} ${JSON.stringify(text)} is not a whole number of days from P${RETENTION_ARCHIVE_MIN_DAYS}D to P${RETENTION_ARCHIVE_MAX_DAYS}D (ISO 8601, e.g. P7D)`,
      undefined,
      'InvalidRetention',
    );
  }
  return days * DAY_MS;
}

const archiveSchema = z
  .string()
  .refine((s) => DAYS.test(s) && Number(s.slice(1, -1)) >= RETENTION_ARCHIVE_MIN_DAYS && Number(s.slice(1, -1)) <= RETENTION_ARCHIVE_MAX_DAYS, {
    message: `expected whole days from P${RETENTION_ARCHIVE_MIN_DAYS}D to P${RETENTION_ARCHIVE_MAX_DAYS}D (ISO 8601, e.g. P7D)`,
  })
  .meta({ format: 'duration' });

/** The `retention` section. */
export const retentionPolicySchema = z.strictObject({
  /** How long an archive's segments are kept after they end: ISO 8601 whole days, P1D..P3650D. */
  archive: archiveSchema.meta({ description: 'how long segments are kept after they end, ISO 8601 whole days P1D..P3650D, e.g. P7D (AVA ≤ 10 years)' }),
  /**
   * Optional: how long segments overlapping an EVR recording, and the recording rows themselves, are kept after they
   * end: ISO 8601 whole days, P1D..P3650D; absent = `archive`. AVA kept EVR clips in their own video resource with its
   * own `retentionPeriod` (docs/reference/ava-behaviour.md "Playback"); Keepwatch keeps one archive, so the rule is per
   * segment.
   */
  recordings: archiveSchema
    .meta({ description: 'how long segments overlapping an EVR recording, and the recording rows, are kept after they end; ISO 8601 whole days P1D..P3650D; absent = archive' })
    .optional(),
  /** Optional size cap of the archive in MiB (integer, 1..1 073 741 824); beyond it, the oldest segments go first. */
  maximumSizeMiB: z.number().int().min(MAXIMUM_SIZE_MIN_MIB).max(MAXIMUM_SIZE_MAX_MIB).meta({ description: 'size cap of the archive, MiB (1024² bytes); oldest deleted first' }).optional(),
});

/** Recording modes: continuous or event-based. */
export const RECORDING_MODES = ['cvr', 'evr'] as const;
export type RecordingMode = (typeof RECORDING_MODES)[number];

/**
 * Which signals count for EVR. A signal counts when it matches at least one filter (or when the list is empty):
 * same `type`; `label` equal when given; `confidence` ≥ `minimumConfidence` when given (a signal without confidence
 * then does not count); `zone` (a polygon in normalised coordinates, as motion zones) contains the centre of at least
 * one of the signal's boxes when given (a signal without boxes then does not count).
 */
export const signalFilterSchema = z.strictObject({
  type: z.string().regex(SIGNAL_TYPE_PATTERN, 'expected a signal type of 1 to 64 characters from a-z, 0-9, ".", "_", "-", starting with a letter'),
  label: z.string().min(1).max(128).optional(),
  minimumConfidence: z.number().min(0).max(1).optional(),
  zone: polygonSchema.meta({ description: 'polygon [[x, y], …] in normalised 0..1 coordinates; a box centre must lie inside' }).optional(),
});
export type SignalFilter = z.output<typeof signalFilterSchema>;

/** The `evr` section: signal filters (≤ 32; empty = every signal counts) and AVA's signal gate settings. */
export const evrPolicySchema = z.strictObject({
  signals: z.array(signalFilterSchema).max(32).default([]).meta({ description: 'signal filters, at most 32; a signal counts when it matches one (empty = every signal counts)' }),
  signalGate: signalGateSettingsSchema.default({} as never).meta({ description: "AVA's signal gate processor settings, ISO 8601 durations" }),
});

/**
 * The `cvr` section (only with mode `cvr`): `signalRecordings` (default false) turns on recordings over the continuous
 * archive: the camera's signals are stored and go through the `evr` section's filters and signal gate, whose windows
 * become recordings kept for `retention.recordings`.
 */
export const cvrPolicySchema = z.strictObject({
  signalRecordings: z
    .boolean()
    .default(false)
    .meta({ description: "true: signals open recordings (the evr section's filters and signal gate) over the continuous archive, kept for retention.recordings; default false" }),
});

/** The whole document. `retention` is required; `mode` absent = `cvr`; `evr` optional (defaults apply); `cvr` only with mode cvr. */
export const recordingPolicySchema = z.strictObject({
  mode: z
    .enum(RECORDING_MODES)
    .meta({ description: 'cvr (default when absent): every uploaded segment is kept; evr: signals open recordings through the signal gate and only their windows are uploaded' })
    .optional(),
  retention: retentionPolicySchema,
  evr: evrPolicySchema.meta({ description: 'signal filters and signal gate of EVR, and of CVR signal recordings (defaults apply when absent)' }).optional(),
  cvr: cvrPolicySchema.meta({ description: 'CVR settings, only with mode cvr: signalRecordings' }).optional(),
});

/** The document as stored and returned (ISO 8601 durations, MiB). */
export type RecordingPolicyDocument = z.output<typeof recordingPolicySchema>;

/** The policy in code units. */
export interface RetentionRule {
  /** Segments overlapping no recording expire when they end at or before `nowMs - archiveMs`, ms. */
  archiveMs: number;
  /**
   * Segments overlapping a recording expire when they end at or before `nowMs - recordingsMs`; recording rows whose
   * window ends at or before it expire too, ms. Equals `archiveMs` when the policy has no `retention.recordings`.
   */
  recordingsMs: number;
  /** Size cap of the archive in bytes, when set. */
  maximumSizeBytes?: number;
}

/**
 * Validates a policy document (an HTTP body or a stored row).
 * @throws ValidationError `InvalidPolicy` listing every issue by key path, unknown keys by name
 */
export function parseRecordingPolicy(input: unknown): RecordingPolicyDocument {
  const doc = parseWith(recordingPolicySchema, input, 'recording policy', 'InvalidPolicy');
  verifyCvrSection(doc);
  if (doc.evr) {
    try {
      parseSignalGateSettings(doc.evr.signalGate, 'recording policy: evr.signalGate'); // maximum ≥ minimum
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(err.message, err.details, 'InvalidPolicy');
      throw err;
    }
  }
  return doc;
}

/**
 * The `cvr` section belongs to mode `cvr` only: with `evr` it would silently mean nothing.
 * @throws ValidationError `InvalidPolicy` naming the mode
 */
function verifyCvrSection(doc: RecordingPolicyDocument): void {
  if (doc.cvr && (doc.mode ?? 'cvr') !== 'cvr') {
    throw new ValidationError(`recording policy: cvr applies only to mode "cvr", not "${doc.mode}"`, [{ path: 'cvr', message: `not allowed with mode "${doc.mode}"` }], 'InvalidPolicy');
  }
}

/** The EVR rule of a validated document. */
export interface EvrRule {
  mode: RecordingMode;
  /**
   * True when signals go through the signal gate and open recordings: mode `evr`, or mode `cvr` with
   * `cvr.signalRecordings` (recordings over the continuous archive, no upload windows commanded).
   */
  signalRecordings: boolean;
  /** Empty = every signal counts. */
  signals: SignalFilter[];
  gate: SignalGateParams;
}

/** The mode, signal filters and gate parameters (ms) of a validated document; defaults where the `evr` section is absent. */
export function evrRule(policy: RecordingPolicyDocument): EvrRule {
  const evr = policy.evr ?? evrPolicySchema.parse({});
  const mode = policy.mode ?? 'cvr';
  const signalRecordings = mode === 'evr' || policy.cvr?.signalRecordings === true;
  return { mode, signalRecordings, signals: evr.signals, gate: parseSignalGateSettings(evr.signalGate, 'recording policy: evr.signalGate') };
}

/** The default document, with the archive retention of the deployment (`KEEPWATCH_RETENTION_DEFAULT`). */
export function defaultRecordingPolicy(defaultArchive: string): RecordingPolicyDocument {
  return { retention: { archive: defaultArchive } };
}

/** The retention rule of a validated document, in ms and bytes (`recordingsMs` = `archiveMs` when `recordings` is absent). */
export function retentionRule(policy: RecordingPolicyDocument): RetentionRule {
  const archiveMs = parseRetentionDays(policy.retention.archive, 'retention.archive');
  const recordingsMs = policy.retention.recordings === undefined ? archiveMs : parseRetentionDays(policy.retention.recordings, 'retention.recordings');
  const rule: RetentionRule = { archiveMs, recordingsMs };
  if (policy.retention.maximumSizeMiB !== undefined) rule.maximumSizeBytes = policy.retention.maximumSizeMiB * MIB;
  return rule;
}
