import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBenchOptions, type BenchOptions } from '../../../bench/bench-options';
import { SOAK_DEFAULTS } from '../../../bench/soak';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseBenchOptions(argv, env) as BenchOptions;

describe('bench options: the soak', () => {
  it('runs only when named: the default list leaves the 10-minute soak out', () => {
    assert.deepEqual(parse([]).only, ['recording', 'playlist', 'manifests', 'availability', 'retention', 'motion', 'evr', 'live', 'preview']);
    assert.deepEqual(parse(['--only', 'soak']).only, ['soak']);
    assert.deepEqual(parse(['--only', 'motion']).only, ['motion']);
    assert.deepEqual(parse(['--only', 'preview']).only, ['preview']);
    assert.deepEqual(parse([], { KEEPWATCH_BENCH_ONLY: 'retention,soak' }).only, ['retention', 'soak']);
  });

  it('defaults to 10 minutes and 8 cameras; --soak-minutes and --soak-cameras (or their variables) change them', () => {
    assert.deepEqual([parse([]).soakMinutes, parse([]).soakCameras], [SOAK_DEFAULTS.minutes, SOAK_DEFAULTS.cameras]);
    assert.deepEqual([SOAK_DEFAULTS.minutes, SOAK_DEFAULTS.cameras], [10, 8]);
    const o = parse(['--only', 'soak', '--soak-minutes', '1', '--soak-cameras', '2']);
    assert.deepEqual([o.soakMinutes, o.soakCameras], [1, 2]);
    const e = parse([], { KEEPWATCH_BENCH_SOAK_MINUTES: '3', KEEPWATCH_BENCH_SOAK_CAMERAS: '4' });
    assert.deepEqual([e.soakMinutes, e.soakCameras], [3, 4]);
    assert.equal(parse(['--soak-minutes', '2'], { KEEPWATCH_BENCH_SOAK_MINUTES: '5' }).soakMinutes, 2, 'the flag wins over the variable');
  });

  it('rejects a bad duration or camera count, naming the flag and the variable', () => {
    assert.throws(() => parse(['--soak-minutes', '0']), /--soak-minutes \(KEEPWATCH_BENCH_SOAK_MINUTES\) "0": expected a whole number ≥ 1/);
    assert.throws(() => parse(['--soak-minutes', '1.5']), /--soak-minutes/);
    assert.throws(() => parse([], { KEEPWATCH_BENCH_SOAK_CAMERAS: 'eight' }), /--soak-cameras \(KEEPWATCH_BENCH_SOAK_CAMERAS\) "eight"/);
    assert.throws(() => parse(['--only', 'soaks']), /--only \(KEEPWATCH_BENCH_ONLY\) "soaks": expected one of recording, playlist, manifests, availability, retention, soak/);
  });
});

describe('bench options: the cost count (docs/deploy.md "Cost per camera-month")', () => {
  it('runs only when named, counts 180 s by default, and adds the EVR pass only when asked', () => {
    assert.ok(!parse([]).only.includes('cost'));
    const o = parse(['--only', 'cost']);
    assert.deepEqual([o.only, o.costSeconds, o.costEvr], [['cost'], 180, false]);
    assert.deepEqual([parse(['--cost-seconds', '30', '--cost-evr']).costSeconds, parse(['--cost-evr']).costEvr], [30, true]);
    assert.deepEqual([parse([], { KEEPWATCH_BENCH_COST_SECONDS: '60', KEEPWATCH_BENCH_COST_EVR: '1' }).costSeconds, parse([], { KEEPWATCH_BENCH_COST_EVR: '1' }).costEvr], [60, true]);
  });

  it('refuses a window under 10 s, naming the option', () => {
    assert.throws(() => parse(['--cost-seconds', '5']), /--cost-seconds \(KEEPWATCH_BENCH_COST_SECONDS\) "5": expected a whole number ≥ 10/);
  });
});

describe('bench options: the recording benchmark (docs/benchmarks.md "Recording overhead")', () => {
  it('compares 16 and 64 cameras with the baseline and reports the share of the machine at 64 and 128 by default', () => {
    const o = parse([]);
    assert.deepEqual([o.cameraCounts, o.capacityCameras, o.seconds, o.capacitySeconds], [[16, 64], [64, 128], 60, 60]);
  });

  it('takes reduced sizes from flags or variables; --capacity-cameras 0 runs no capacity run; short windows shorten the capacity runs', () => {
    const o = parse(['--only', 'recording', '--cameras', '4,8', '--capacity-cameras', '8,12', '--seconds', '20']);
    assert.deepEqual([o.only, o.cameraCounts, o.capacityCameras, o.capacitySeconds], [['recording'], [4, 8], [8, 12], 20]);
    assert.deepEqual(parse(['--capacity-cameras', '0']).capacityCameras, []);
    assert.deepEqual(parse([], { KEEPWATCH_BENCH_CAPACITY_CAMERAS: '32' }).capacityCameras, [32]);
  });

  it('rejects a bad capacity list, naming the flag and the variable', () => {
    assert.throws(() => parse(['--capacity-cameras', '64,x']), /--capacity-cameras \(KEEPWATCH_BENCH_CAPACITY_CAMERAS\) "64,x": expected 0 or comma-separated counts from 1 to 256/);
    assert.throws(() => parse(['--capacity-cameras', '300']), /--capacity-cameras/);
  });
});
