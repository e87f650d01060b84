import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { defaultRecordingPolicy, evrRule, parseRecordingPolicy, parseRetentionDays, retentionRule } from '../../../../shared/schemas/recording-policy';
import { DAY_MS } from '../../../../shared/time';

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.code === code && message.test(e.message), message.source);
}

describe('recording policy (shared/schemas/recording-policy.ts)', () => {
  it('accepts AVA-style whole days P1D..P3650D and an optional integer size cap', () => {
    assert.deepEqual(parseRecordingPolicy({ retention: { archive: 'P7D' } }), { retention: { archive: 'P7D' } });
    assert.deepEqual(parseRecordingPolicy({ retention: { archive: 'P3650D', maximumSizeMiB: 1 } }), { retention: { archive: 'P3650D', maximumSizeMiB: 1 } });
    assert.deepEqual(retentionRule(parseRecordingPolicy({ retention: { archive: 'P2D', maximumSizeMiB: 3 } })), { archiveMs: 2 * DAY_MS, recordingsMs: 2 * DAY_MS, maximumSizeBytes: 3 * 1024 * 1024 });
    assert.deepEqual(retentionRule(defaultRecordingPolicy('P7D')), { archiveMs: 7 * DAY_MS, recordingsMs: 7 * DAY_MS });
  });

  it('takes an optional recordings retention in the same whole days, defaulting to the archive one', () => {
    assert.deepEqual(parseRecordingPolicy({ retention: { archive: 'P2D', recordings: 'P7D' } }), { retention: { archive: 'P2D', recordings: 'P7D' } });
    assert.deepEqual(retentionRule(parseRecordingPolicy({ retention: { archive: 'P2D', recordings: 'P7D' } })), { archiveMs: 2 * DAY_MS, recordingsMs: 7 * DAY_MS });
    assert.deepEqual(retentionRule(parseRecordingPolicy({ retention: { archive: 'P30D', recordings: 'P1D' } })), { archiveMs: 30 * DAY_MS, recordingsMs: DAY_MS });
    assert.deepEqual(retentionRule(parseRecordingPolicy({ retention: { archive: 'P3D' } })).recordingsMs, 3 * DAY_MS);
    for (const recordings of ['PT24H', 'P0D', 'P3651D', 'P1W', '7', 7, 'p7d', null]) {
      rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D', recordings } }), 'InvalidPolicy', /retention\.recordings/);
    }
  });

  it('names unknown keys, at the root and inside retention and evr', () => {
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, colour: 'red' }), 'InvalidPolicy', /unknown key 'colour'/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D', clips: 'P1D' } }), 'InvalidPolicy', /unknown key 'clips' at retention/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, evr: { signalGate: { preRoll: 'PT5S' } } }), 'InvalidPolicy', /unknown key 'preRoll' at evr\.signalGate/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, evr: { signals: [{ type: 'door', colour: 1 }] } }), 'InvalidPolicy', /unknown key 'colour' at evr\.signals\[0\]/);
  });

  it('takes mode and the EVR section: signal filters and AVA gate settings within their bounds', () => {
    assert.deepEqual(evrRule(parseRecordingPolicy({ retention: { archive: 'P7D' } })), {
      mode: 'cvr',
      signalRecordings: false,
      signals: [],
      gate: { activationEvaluationWindowMs: 1000, activationSignalOffsetMs: 0, minimumActivationTimeMs: 30_000, maximumActivationTimeMs: 30_000 },
    });
    const doc = parseRecordingPolicy({
      mode: 'evr',
      retention: { archive: 'P7D' },
      evr: { signals: [{ type: 'motion' }, { type: 'inference', label: 'person', minimumConfidence: 0.6, zone: [[0, 0], [1, 0], [1, 1]] }], signalGate: { activationSignalOffset: '-PT5S', minimumActivationTime: 'PT10S', maximumActivationTime: 'PT60S' } },
    });
    const rule = evrRule(doc);
    assert.equal(rule.mode, 'evr');
    assert.equal(rule.signalRecordings, true);
    assert.equal(rule.signals.length, 2);
    assert.deepEqual(rule.gate, { activationEvaluationWindowMs: 1000, activationSignalOffsetMs: -5000, minimumActivationTimeMs: 10_000, maximumActivationTimeMs: 60_000 });
    rejects(() => parseRecordingPolicy({ mode: 'sometimes', retention: { archive: 'P7D' } }), 'InvalidPolicy', /mode/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, evr: { signalGate: { activationSignalOffset: '-PT2M' } } }), 'InvalidPolicy', /activationSignalOffset: -PT2M is outside/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, evr: { signalGate: { activationEvaluationWindow: 'PT11S' } } }), 'InvalidPolicy', /activationEvaluationWindow/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, evr: { signalGate: { minimumActivationTime: 'PT20S', maximumActivationTime: 'PT10S' } } }), 'InvalidPolicy', /maximumActivationTime PT10S is below minimumActivationTime PT20S/);
    rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D' }, evr: { signals: [{ type: 'door', minimumConfidence: 2 }] } }), 'InvalidPolicy', /evr\.signals\[0\]\.minimumConfidence/);
  });

  it('CVR with signal recordings: cvr.signalRecordings turns the evr section\'s gate on over the continuous archive', () => {
    const doc = parseRecordingPolicy({
      mode: 'cvr',
      cvr: { signalRecordings: true },
      retention: { archive: 'P1D', recordings: 'P30D' },
      evr: { signals: [{ type: 'motion' }], signalGate: { activationSignalOffset: '-PT5S', minimumActivationTime: 'PT10S', maximumActivationTime: 'PT60S' } },
    });
    const rule = evrRule(doc);
    assert.deepEqual([rule.mode, rule.signalRecordings, rule.signals], ['cvr', true, [{ type: 'motion' }]]);
    assert.deepEqual(rule.gate, { activationEvaluationWindowMs: 1000, activationSignalOffsetMs: -5000, minimumActivationTimeMs: 10_000, maximumActivationTimeMs: 60_000 });
    assert.deepEqual(retentionRule(doc), { archiveMs: DAY_MS, recordingsMs: 30 * DAY_MS });
    // Mode absent is CVR: the section applies; without the section, or false, signals open nothing (old policies keep their meaning).
    assert.equal(evrRule(parseRecordingPolicy({ cvr: { signalRecordings: true }, retention: { archive: 'P1D' } })).signalRecordings, true);
    assert.equal(evrRule(parseRecordingPolicy({ cvr: {}, retention: { archive: 'P1D' } })).signalRecordings, false);
    assert.deepEqual(parseRecordingPolicy({ cvr: {}, retention: { archive: 'P1D' } }).cvr, { signalRecordings: false });
    assert.equal(evrRule(parseRecordingPolicy({ mode: 'cvr', retention: { archive: 'P1D' }, evr: { signals: [{ type: 'door' }] } })).signalRecordings, false);
    rejects(() => parseRecordingPolicy({ mode: 'evr', cvr: { signalRecordings: true }, retention: { archive: 'P1D' } }), 'InvalidPolicy', /cvr applies only to mode "cvr", not "evr"/);
    rejects(() => parseRecordingPolicy({ cvr: { signalRecordings: 'yes' }, retention: { archive: 'P1D' } }), 'InvalidPolicy', /cvr\.signalRecordings/);
    rejects(() => parseRecordingPolicy({ cvr: { windows: true }, retention: { archive: 'P1D' } }), 'InvalidPolicy', /windows/);
  });

  it('refuses durations that are not whole days in bounds, and bad sizes, naming the key', () => {
    for (const archive of ['PT24H', 'P0D', 'P3651D', 'P1W', '7', 7, 'p7d']) {
      rejects(() => parseRecordingPolicy({ retention: { archive } }), 'InvalidPolicy', /retention\.archive/);
    }
    for (const maximumSizeMiB of [0, 1.5, -1, '10', 1024 ** 3 + 1]) {
      rejects(() => parseRecordingPolicy({ retention: { archive: 'P7D', maximumSizeMiB } }), 'InvalidPolicy', /retention\.maximumSizeMiB/);
    }
    rejects(() => parseRecordingPolicy({}), 'InvalidPolicy', /retention/);
    rejects(() => parseRecordingPolicy([]), 'InvalidPolicy', /policy: expected an object \(key: value pairs\), got an empty list$/);
    rejects(() => parseRetentionDays('P1Y', 'KEEPWATCH_RETENTION_DEFAULT'), 'InvalidRetention', /KEEPWATCH_RETENTION_DEFAULT "P1Y"/);
  });
});
