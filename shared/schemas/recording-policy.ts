import { z } from 'zod';
import { ValidationError } from '../errors';
import { DAY_MS } from '../time';
import { parseWith } from './format-issues';

/**
 * A camera's recording policy, as `PUT /api/cameras/{cameraId}/policy` takes it and the Policies table stores it.
 * Only retention exists now; the EVR issue adds `mode` and the signal gate fields beside `retention` (the document is
 * an object of sections so they slot in without breaking it). Unknown keys are rejected with a 400 naming them.
 *
 * ```json
 * { "retention": { "archive": "P7D", "maximumSizeMiB": 51200 } }
 * ```
 */
export const RETENTION_ARCHIVE_MIN_DAYS = 1;
/** AVA's `archival.retentionPeriod` allows at most 10 years (azure-lva-ava.md §4); 3650 days. */
export const RETENTION_ARCHIVE_MAX_DAYS = 3650;
/** Size cap bounds, MiB (1 MiB = 1024² bytes as in AVA's `...MaximumSizeMiB`, azure-lva-ava.md §5): 1 MiB .. 1 PiB. */
export const MAXIMUM_SIZE_MIN_MIB = 1;
export const MAXIMUM_SIZE_MAX_MIB = 1024 ** 3;
export const MIB = 1024 * 1024;

/** Default archive retention when neither the camera's policy nor the setting says otherwise (AVA samples use days). */
export const RECORDING_POLICY_DEFAULTS = { archive: 'P7D' } as const;

const DAYS = /^P(\d{1,4})D$/;

/**
 * Parses an archive retention: ISO 8601 whole days `P{n}D`, n in 1..3650 (AVA `retentionPeriod`: days granularity,
 * ≤ 10 years, azure-lva-ava.md §2 and §4).
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

const archiveSchema = z.string().refine((s) => DAYS.test(s) && Number(s.slice(1, -1)) >= RETENTION_ARCHIVE_MIN_DAYS && Number(s.slice(1, -1)) <= RETENTION_ARCHIVE_MAX_DAYS, {
  message: `expected whole days from P${RETENTION_ARCHIVE_MIN_DAYS}D to P${RETENTION_ARCHIVE_MAX_DAYS}D (ISO 8601, e.g. P7D)`,
});

/** The `retention` section. */
export const retentionPolicySchema = z.strictObject({
  /** How long an archive's segments are kept after they end: ISO 8601 whole days, P1D..P3650D. */
  archive: archiveSchema,
  /** Optional size cap of the archive in MiB (integer, 1..1 073 741 824); beyond it, the oldest segments go first. */
  maximumSizeMiB: z.number().int().min(MAXIMUM_SIZE_MIN_MIB).max(MAXIMUM_SIZE_MAX_MIB).optional(),
});

/** The whole document. `retention` is required (the only section so far). */
export const recordingPolicySchema = z.strictObject({
  retention: retentionPolicySchema,
});

/** The document as stored and returned (ISO 8601 durations, MiB). */
export type RecordingPolicyDocument = z.output<typeof recordingPolicySchema>;

/** The policy in code units. */
export interface RetentionRule {
  /** Segments ending at or before `nowMs - archiveMs` expire, ms. */
  archiveMs: number;
  /** Size cap of the archive in bytes, when set. */
  maximumSizeBytes?: number;
}

/**
 * Validates a policy document (an HTTP body or a stored row).
 * @throws ValidationError `InvalidPolicy` listing every issue by key path, unknown keys by name
 */
export function parseRecordingPolicy(input: unknown): RecordingPolicyDocument {
  return parseWith(recordingPolicySchema, input, 'recording policy', 'InvalidPolicy');
}

/** The default document, with the archive retention of the deployment (`KEEPWATCH_RETENTION_DEFAULT`). */
export function defaultRecordingPolicy(defaultArchive: string): RecordingPolicyDocument {
  return { retention: { archive: defaultArchive } };
}

/** The retention rule of a validated document, in ms and bytes. */
export function retentionRule(policy: RecordingPolicyDocument): RetentionRule {
  const rule: RetentionRule = { archiveMs: parseRetentionDays(policy.retention.archive, 'retention.archive') };
  if (policy.retention.maximumSizeMiB !== undefined) rule.maximumSizeBytes = policy.retention.maximumSizeMiB * MIB;
  return rule;
}
