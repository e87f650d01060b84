import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraStates } from '../../../../edge-agent/metrics/camera-states';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const refused = { cause: 'connection-refused' as const, message: 'connection refused by 10.0.0.5:554', retryInMs: 2000, maxRetryDelayMs: 30_000 };
const wrongPassword = { cause: 'unauthorized' as const, message: 'wrong username or password (401 Unauthorized)', retryInMs: 45_000, maxRetryDelayMs: 300_000 };

describe('CameraStates (the health endpoint\'s cameras)', () => {
  it('starting, then not recording since the first failure whatever the later causes, then recording again', () => {
    const s = new CameraStates();
    s.starting('door', T0);
    assert.deepEqual(s.health(), { door: { state: 'starting', since: '2026-11-21T10:00:00.000Z' } });
    s.notRecording('door', refused, T0 + 1000);
    s.notRecording('door', wrongPassword, T0 + 4000);
    assert.deepEqual(s.health().door, {
      state: 'not-recording',
      since: '2026-11-21T10:00:01.000Z',
      cause: 'unauthorized',
      message: 'wrong username or password (401 Unauthorized)',
      retryAt: '2026-11-21T10:00:49.000Z',
      maxRetryDelayMs: 300_000,
    });
    assert.equal(s.recording('door', T0 + 60_000), true, 'a transition');
    assert.equal(s.recording('door', T0 + 62_000), false, 'already recording');
    assert.deepEqual(s.health().door, { state: 'recording', since: '2026-11-21T10:01:00.000Z' });
  });

  it('a stopped camera leaves the list', () => {
    const s = new CameraStates();
    s.starting('door', T0);
    s.starting('yard', T0);
    s.remove('door');
    assert.deepEqual(Object.keys(s.health()), ['yard']);
  });
});
