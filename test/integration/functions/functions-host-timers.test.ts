import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InvocationContext, Timer } from '@azure/functions';
import { registerTimer } from '../../../functions/app';
import { resetSettings } from '../../../functions/settings';
import { startFunctionsHost, type FunctionsHost } from '../../../local/functions-host';
import { scheduleTimer } from '../../../local/functions-host-timers';
import { silentLogger } from '../../../local/host-logger';
import { TEST_SECRET } from '../../helpers/functions-fixtures';

const ticks: Array<{ timer: Timer; context: InvocationContext; atMs: number }> = [];
let startupRuns = 0;
registerTimer('test-every-second', {
  schedule: '* * * * * *',
  handler: async (timer, context) => {
    ticks.push({ timer, context, atMs: Date.now() });
  },
});
registerTimer('test-on-startup', {
  schedule: '0 0 0 1 1 *', // once a year: only runOnStartup fires during the test
  runOnStartup: true,
  handler: async () => {
    startupRuns++;
  },
});

describe('local functions host: timers', () => {
  let host: FunctionsHost;
  const saved = { ...process.env };
  before(async () => {
    // Settings are validated at start; storage is not touched by these timers.
    Object.assign(process.env, {
      KEEPWATCH_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
    });
    resetSettings();
    host = await startFunctionsHost({ port: 0, apiKey: 'timer-test-key', logger: silentLogger, ensureStorage: false });
  });
  after(async () => {
    await host?.close();
    process.env = saved;
    resetSettings();
  });

  it('runs a timer function on its NCRONTAB schedule with a Timer and a fresh context per run', async () => {
    for (let i = 0; i < 50 && ticks.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ticks.length >= 2, `ticks: ${ticks.length}`);
    const [a, b] = ticks;
    assert.equal(a.context.functionName, 'test-every-second');
    assert.notEqual(a.context.invocationId, b.context.invocationId);
    assert.equal(a.timer.isPastDue, false);
    assert.ok(Date.parse(a.timer.scheduleStatus.next) > Date.parse(a.timer.scheduleStatus.lastUpdated) - 1000);
  });

  it('runs a runOnStartup timer once at start', () => {
    assert.equal(startupRuns, 1);
  });

  it('stops timers on close', async () => {
    await host.close();
    const count = ticks.length;
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(ticks.length, count);
  });

  it('refuses a schedule that is not 6-field NCRONTAB, naming the function', () => {
    for (const schedule of ['*/5 * * * *', '00:05:00', 'every minute']) {
      assert.throws(() => scheduleTimer('bad-timer', { schedule, handler: () => {} }, silentLogger), /timer function 'bad-timer': schedule .* 6-field NCRONTAB/, schedule);
    }
  });

  it('refuses to start without an API key or with invalid settings', async () => {
    await assert.rejects(startFunctionsHost({ port: 0, apiKey: '', logger: silentLogger }), /apiKey is required/);
    const secret = process.env.KEEPWATCH_PLAYBACK_TOKEN_SECRET;
    process.env.KEEPWATCH_PLAYBACK_TOKEN_SECRET = 'short';
    try {
      await assert.rejects(startFunctionsHost({ port: 0, apiKey: 'timer-test-key', logger: silentLogger, ensureStorage: false }), /KEEPWATCH_PLAYBACK_TOKEN_SECRET/);
    } finally {
      process.env.KEEPWATCH_PLAYBACK_TOKEN_SECRET = secret;
    }
  });
});
