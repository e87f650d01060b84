import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveGrantQuery, verifyLiveGrant } from '../../../../functions/playback/live-token';
import { playbackGrantQuery } from '../../../../functions/playback/playback-token';

const KEY = 'k'.repeat(40);
const OLD = 'o'.repeat(40);
const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);
const q = (text: string) => new URLSearchParams(text);
const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'none';
};

describe('live playlist token', () => {
  const token = liveGrantQuery({ cameraId: 'cam-1', expiresMs: NOW + 60_000 }, KEY);

  it('verifies its own camera until it expires', () => {
    assert.deepEqual(verifyLiveGrant('cam-1', q(token), { current: KEY }, NOW), { cameraId: 'cam-1', expiresMs: NOW + 60_000 });
    assert.equal(code(() => verifyLiveGrant('cam-1', q(token), { current: KEY }, NOW + 60_000)), 'PlaybackTokenExpired');
  });

  it('refuses another camera, an altered expiry, a missing part and a VOD token', () => {
    assert.equal(code(() => verifyLiveGrant('cam-2', q(token), { current: KEY }, NOW)), 'InvalidPlaybackToken');
    const longer = q(token);
    longer.set('expires', String(NOW + 3_600_000));
    assert.equal(code(() => verifyLiveGrant('cam-1', longer, { current: KEY }, NOW)), 'InvalidPlaybackToken');
    const bare = q(token);
    bare.delete('sig');
    assert.equal(code(() => verifyLiveGrant('cam-1', bare, { current: KEY }, NOW)), 'InvalidPlaybackToken');
    const vod = playbackGrantQuery({ cameraId: 'cam-1', startMs: NOW - 60_000, endMs: NOW, expiresMs: NOW + 60_000 }, KEY);
    assert.equal(code(() => verifyLiveGrant('cam-1', q(vod), { current: KEY }, NOW)), 'InvalidPlaybackToken');
  });

  it('accepts the previous key during a rotation, and nothing once it is removed', () => {
    const before = liveGrantQuery({ cameraId: 'cam-1', expiresMs: NOW + 60_000 }, OLD);
    assert.equal(verifyLiveGrant('cam-1', q(before), { current: KEY, previous: OLD }, NOW).cameraId, 'cam-1');
    assert.equal(code(() => verifyLiveGrant('cam-1', q(before), { current: KEY }, NOW)), 'InvalidPlaybackToken');
  });
});
