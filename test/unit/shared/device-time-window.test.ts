import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDeviceTime, DEVICE_CLOCK_SKEW_MS, deviceTimeWindow } from '../../../shared/device-time-window';
import { ValidationError } from '../../../shared/errors';
import { DAY_MS } from '../../../shared/time';

const NOW = Date.UTC(2026, 11, 7, 12);

describe('device time window (docs/security.md "Segment times are bounded")', () => {
  const window = deviceTimeWindow(NOW, 31 * DAY_MS);

  it('runs from now − the offline horizon to now + 5 min, both ends inclusive', () => {
    assert.deepEqual(window, { earliestMs: NOW - 31 * DAY_MS, latestMs: NOW + 5 * 60_000 });
    assert.equal(DEVICE_CLOCK_SKEW_MS, 300_000);
    for (const ms of [window.earliestMs, NOW, window.latestMs]) assert.doesNotThrow(() => checkDeviceTime(ms, window, 'x'));
  });

  it('refuses one ms outside either end, 9999 and non-finite values, naming the instant, the side and the window', () => {
    const refuses = (ms: number, side: RegExp) =>
      assert.throws(() => checkDeviceTime(ms, window, 'segment start'), (e: unknown) => e instanceof ValidationError && e.code === 'TimeOutOfRange' && side.test(e.message) && /accepted 2026-11-06T12:00:00\.000Z \.\. 2026-12-07T12:05:00\.000Z/.test(e.message));
    refuses(window.earliestMs - 1, /segment start 2026-11-06T11:59:59\.999Z is more than P31D \(KEEPWATCH_OFFLINE_HORIZON\) in the past/);
    refuses(window.latestMs + 1, /more than PT5M in the future/);
    refuses(Date.UTC(9999, 11, 31), /9999-12-31T00:00:00\.000Z is more than PT5M in the future/);
    refuses(Number.NaN, /segment start NaN/);
  });
});
