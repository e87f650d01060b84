import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { defaultRecordingPolicy, parseRecordingPolicy, parseRetentionDays, retentionRule } from '../../../shared/schemas/recording-policy';
import { DAY_MS } from '../../../shared/time';

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.code === code && message.test(e.message), message.source);
}

describe('recording policy (shared/schemas/recording-policy.ts)', () => {
  it('accepts AVA-style whole days P1D..P3650D and an optional integer size cap', () => {
    assert.deepEqual(parseRecordingPolicy({ retention: { archive: 'P7D' } }), { retention: { archive: 'P7D' } });
    assert.deepEqual(parseRecordingPolicy({ retention: { archive: 'P3650D', maximumSizeMiB: 1 } }), { retention: { archive: 'P3650D', maximumSizeMiB: 1 } });
    assert.deepEqual(retentionRule(parseRecordingPolicy({ retention: { archive: 'P2D', maximumSizeMiB: 3 } })), { archiveMs: 2 * DAY_MS, maximumSizeBytes: 3 * 1024 * 1024 });
    assert.deepEqual(retentionRule(defaultRecordingPolicy('P7D')), { archiveMs: 7 * DAY_MS });
  });

  it('names unknown keys, at the root and inside retention (the EVR fields do not exist yet)', () => {
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, mode: 'evr' }), 'InvalidPolicy', /unknown key 'mode'/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D', recordings: 'P1D' } }), 'InvalidPolicy', /unknown key 'recordings' at retention/);
  });

  it('refuses durations that are not whole days in bounds, and bad sizes, naming the key', () => {
    for (const archive of ['PT24H', 'P0D', 'P3651D', 'P1W', '7', 7, 'p7d']) {
      rejects(() => parseRecordingPolicy({ retention: { archive } }), 'InvalidPolicy', /retention\.archive/);
    }
    for (const maximumSizeMiB of [0, 1.5, -1, '10', 1024 ** 3 + 1]) {
      rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D', maximumSizeMiB } }), 'InvalidPolicy', /retention\.maximumSizeMiB/);
    }
    rejects(() => parseRecordingPolicy({}), 'InvalidPolicy', /retention/);
    rejects(() => parseRecordingPolicy([]), 'InvalidPolicy', /\(root\)/);
    rejects(() => parseRetentionDays('P1Y', 'KEEPWATCH_RETENTION_DEFAULT'), 'InvalidRetention', /KEEPWATCH_RETENTION_DEFAULT "P1Y"/);
  });
});
