import { ValidationError } from '../../shared/errors';
import { retentionRule, type RecordingPolicyDocument } from '../../shared/schemas/recording-policy';
import { DAY_MS } from '../../shared/time';

/**
 * Refuses a recording policy that would keep media longer than `KEEPWATCH_RETENTION_MAX`: in Azure the storage
 * lifecycle backstop deletes every unheld segment blob once it is older than that plus a margin
 * (infra/modules/storage.bicep), so a longer policy would promise what storage does not keep (docs/security.md "Holds
 * hold in Azure too"). Holds are not limited: the backstop never deletes a held segment.
 * @param what names the policy in the message (`camera 'door'`)
 * @throws ValidationError `RetentionTooLong` naming the field, its value and the maximum
 */
export function assertRetentionWithinMax(document: RecordingPolicyDocument, retentionMaxMs: number, what: string): void {
  const rule = retentionRule(document);
  for (const [field, ms] of [['archive', rule.archiveMs], ['recordings', rule.recordingsMs]] as const) {
    if (ms > retentionMaxMs) {
      throw new ValidationError(
        `${what}: retention.${field} P${ms / DAY_MS}D is longer than this deployment keeps media (KEEPWATCH_RETENTION_MAX P${retentionMaxMs / DAY_MS}D); use a hold to keep footage longer`,
        [{ path: `retention.${field}`, message: `longer than P${retentionMaxMs / DAY_MS}D` }],
        'RetentionTooLong',
      );
    }
  }
}
