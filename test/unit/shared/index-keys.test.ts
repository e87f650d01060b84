import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { hourRowKey, segmentPartitionKey, segmentRowKey, segmentScanPlan } from '../../../shared/index-keys';
import { HOUR_MS } from '../../../shared/time';

describe('segment index keys', () => {
  it('partition = camera + UTC day; row = 13-digit zero-padded start ms', () => {
    assert.equal(segmentPartitionKey('cam1', Date.UTC(2026, 10, 21, 23, 59, 59, 999)), 'cam1_2026-11-21');
    assert.equal(segmentPartitionKey('cam1', Date.UTC(2026, 10, 22)), 'cam1_2026-11-22');
    assert.equal(segmentRowKey(Date.UTC(2026, 10, 21)), '1795219200000');
    assert.equal(segmentRowKey(42), '0000000000042');
  });

  it('row keys sort lexically like their numbers', () => {
    const ms = [5, 999_999_999_999, 1_000_000_000_000, Date.UTC(2026, 0, 1)];
    assert.deepEqual(ms.map(segmentRowKey).sort(), [...ms].sort((a, b) => a - b).map(segmentRowKey));
  });

  it('rejects an invalid camera id in a partition key', () => {
    assert.throws(() => segmentPartitionKey('../x', 0), ValidationError);
  });
});

describe('segmentScanPlan', () => {
  const day = (d: number, h = 0, m = 0) => Date.UTC(2026, 10, d, h, m);

  it('scans one partition for a range inside a day, looking back one segment length', () => {
    assert.deepEqual(segmentScanPlan('cam1', day(21, 10), day(21, 11), 60_000), [
      { partitionKey: 'cam1_2026-11-21', fromRowKey: segmentRowKey(day(21, 9, 59)), toRowKey: segmentRowKey(day(21, 11)) },
    ]);
  });

  it('crosses midnight: the day before (whole tail) and the day after (from midnight)', () => {
    const plan = segmentScanPlan('cam1', day(21, 23, 30), day(22, 0, 30), HOUR_MS);
    assert.deepEqual(plan, [
      { partitionKey: 'cam1_2026-11-21', fromRowKey: segmentRowKey(day(21, 22, 30)), toRowKey: segmentRowKey(day(22)) },
      { partitionKey: 'cam1_2026-11-22', fromRowKey: segmentRowKey(day(22)), toRowKey: segmentRowKey(day(22, 0, 30)) },
    ]);
  });

  it('includes the previous day when the look-back reaches across midnight', () => {
    const plan = segmentScanPlan('cam1', day(22, 0, 10), day(22, 0, 20), HOUR_MS);
    assert.deepEqual(plan.map((p) => p.partitionKey), ['cam1_2026-11-21', 'cam1_2026-11-22']);
    assert.equal(plan[0].fromRowKey, segmentRowKey(day(21, 23, 10)));
  });

  it('ends at the day holding end - 1 (a range ending exactly at midnight stays in one day)', () => {
    const plan = segmentScanPlan('cam1', day(21, 12), day(22), 10_000);
    assert.deepEqual(plan.map((p) => p.partitionKey), ['cam1_2026-11-21']);
    assert.equal(plan[0].toRowKey, segmentRowKey(day(22)));
  });

  it('covers every day of a 24 h range starting mid-day', () => {
    assert.deepEqual(
      segmentScanPlan('cam1', day(21, 12), day(22, 12), 10_000).map((p) => p.partitionKey),
      ['cam1_2026-11-21', 'cam1_2026-11-22'],
    );
  });
});

describe('hourRowKey', () => {
  it('is the UTC hour yyyy-MM-ddTHH of any instant in it, sorting chronologically', () => {
    assert.equal(hourRowKey(Date.UTC(2026, 10, 21, 9, 59, 59, 999)), '2026-11-21T09');
    assert.equal(hourRowKey(Date.UTC(2026, 10, 21, 10)), '2026-11-21T10');
    const keys = [Date.UTC(2026, 0, 1, 23), Date.UTC(2026, 0, 2, 0), Date.UTC(2026, 0, 2, 9), Date.UTC(2026, 0, 2, 10)].map(hourRowKey);
    assert.deepEqual([...keys].sort(), keys);
  });
});
