import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnauthorizedError } from '../../../../shared/errors';
import { createHmac } from 'node:crypto';
import { playbackGrantQuery, playbackKeyId, signPlaybackGrant, verifyPlaybackGrant, type PlaybackGrant } from '../../../../functions/playback/playback-token';

const SECRET = 'k'.repeat(40);
const NOW = Date.UTC(2026, 10, 21, 12);
const grant: PlaybackGrant = { cameraId: 'cam1', startMs: Date.UTC(2026, 10, 21, 10), endMs: Date.UTC(2026, 10, 21, 11), expiresMs: NOW + 3_600_000 };

const query = (g = grant, secret = SECRET) => new URLSearchParams(playbackGrantQuery(g, secret));
const edit = (q: URLSearchParams, key: string, value: string | undefined) => {
  const c = new URLSearchParams(q);
  if (value === undefined) c.delete(key);
  else c.set(key, value);
  return c;
};
function rejects(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UnauthorizedError && e.status === 401 && e.code === code && (!pattern || pattern.test(e.message)));
}

describe('playback token', () => {
  it('puts start, end (ISO), expires (ms) and a 43-character base64url sig in the query', () => {
    const q = query();
    assert.equal(q.get('start'), '2026-11-21T10:00:00.000Z');
    assert.equal(q.get('end'), '2026-11-21T11:00:00.000Z');
    assert.equal(q.get('expires'), String(grant.expiresMs));
    assert.match(q.get('sig')!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(q.get('sig'), signPlaybackGrant(grant, SECRET));
    assert.equal(q.get('kid'), playbackKeyId(SECRET));
    assert.match(q.get('kid')!, /^[A-Za-z0-9_-]{11}$/);
    assert.notEqual(playbackKeyId(SECRET), playbackKeyId(`${SECRET}x`));
  });

  it('verifies its own query and returns the grant', () => {
    assert.deepEqual(verifyPlaybackGrant('cam1', query(), SECRET, NOW), grant);
  });

  it('is deterministic and depends on every field and the secret', () => {
    const base = signPlaybackGrant(grant, SECRET);
    assert.equal(signPlaybackGrant({ ...grant }, SECRET), base);
    for (const changed of [{ cameraId: 'cam2' }, { startMs: grant.startMs + 1 }, { endMs: grant.endMs + 1 }, { expiresMs: grant.expiresMs + 1 }]) {
      assert.notEqual(signPlaybackGrant({ ...grant, ...changed }, SECRET), base, JSON.stringify(changed));
    }
    assert.notEqual(signPlaybackGrant(grant, `${SECRET}x`), base);
  });

  it('rejects a tampered start, end, expiry or signature, another camera and another secret', () => {
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'start', '2026-11-21T09:00:00.000Z'), SECRET, NOW), 'InvalidPlaybackToken', /signature does not match/);
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'end', '2026-11-21T12:00:00.000Z'), SECRET, NOW), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'expires', String(grant.expiresMs + 86_400_000)), SECRET, NOW), 'InvalidPlaybackToken');
    const sig = query().get('sig')!;
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'sig', flipped), SECRET, NOW), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'sig', sig.slice(0, 20)), SECRET, NOW), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam2', query(), SECRET, NOW), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam1', query(), 'z'.repeat(40), NOW), 'InvalidPlaybackToken');
  });

  it('rejects missing or malformed parts', () => {
    for (const key of ['start', 'end', 'expires', 'sig']) {
      rejects(() => verifyPlaybackGrant('cam1', edit(query(), key, undefined), SECRET, NOW), 'InvalidPlaybackToken', /lacks its playback token/);
    }
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'expires', 'soon'), SECRET, NOW), 'InvalidPlaybackToken', /malformed/);
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'start', 'yesterday'), SECRET, NOW), 'InvalidPlaybackToken', /malformed/);
  });

  it('rejects an expired token (valid while now < expires) with its own code and the expiry time', () => {
    assert.doesNotThrow(() => verifyPlaybackGrant('cam1', query(), SECRET, grant.expiresMs - 1));
    rejects(() => verifyPlaybackGrant('cam1', query(), SECRET, grant.expiresMs), 'PlaybackTokenExpired', /expired at 2026-11-21T13:00:00\.000Z/);
  });

  it('checks the signature before the expiry (a tampered expired URL is "invalid", not "expired")', () => {
    rejects(() => verifyPlaybackGrant('cam1', edit(query(), 'end', '2026-11-21T12:00:00.000Z'), SECRET, grant.expiresMs + 1), 'InvalidPlaybackToken');
  });

  describe('key rotation (KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS)', () => {
    const OLD = 'o'.repeat(40);
    const NEW = 'n'.repeat(40);

    it('a URL signed with the previous key plays while that key is configured, and not once it is removed', () => {
      const old = query(grant, OLD);
      assert.deepEqual(verifyPlaybackGrant('cam1', old, { current: NEW, previous: OLD }, NOW), grant);
      rejects(() => verifyPlaybackGrant('cam1', old, { current: NEW }, NOW), 'InvalidPlaybackToken', /no longer accepts/);
      assert.deepEqual(verifyPlaybackGrant('cam1', query(grant, NEW), { current: NEW, previous: OLD }, NOW), grant);
    });

    it('the kid picks the key: a previous-key kid with a current-key signature, or an unknown kid, is refused', () => {
      rejects(() => verifyPlaybackGrant('cam1', edit(query(grant, NEW), 'kid', playbackKeyId(OLD)), { current: NEW, previous: OLD }, NOW), 'InvalidPlaybackToken', /signature does not match/);
      rejects(() => verifyPlaybackGrant('cam1', edit(query(grant, NEW), 'kid', 'A'.repeat(11)), { current: NEW, previous: OLD }, NOW), 'InvalidPlaybackToken', /no longer accepts/);
      rejects(() => verifyPlaybackGrant('cam1', edit(query(grant, NEW), 'kid', 'short'), NEW, NOW), 'InvalidPlaybackToken', /malformed/);
    });

    it('a v1 URL (no kid, issued before key ids) plays with either configured key, its v2 signature without kid does not', () => {
      const v1 = (secret: string) =>
        new URLSearchParams({
          start: '2026-11-21T10:00:00.000Z',
          end: '2026-11-21T11:00:00.000Z',
          expires: String(grant.expiresMs),
          sig: createHmac('sha256', secret).update(`keepwatch-playback-v1\ncam1\n${grant.startMs}\n${grant.endMs}\n${grant.expiresMs}`).digest('base64url'),
        });
      assert.deepEqual(verifyPlaybackGrant('cam1', v1(NEW), { current: NEW, previous: OLD }, NOW), grant);
      assert.deepEqual(verifyPlaybackGrant('cam1', v1(OLD), { current: NEW, previous: OLD }, NOW), grant);
      rejects(() => verifyPlaybackGrant('cam1', v1(OLD), NEW, NOW), 'InvalidPlaybackToken', /signature does not match/);
      rejects(() => verifyPlaybackGrant('cam1', edit(query(grant, NEW), 'kid', undefined), NEW, NOW), 'InvalidPlaybackToken', /signature does not match/);
    });
  });
});

describe('share link token (keepwatch-share-v1)', () => {
  const SHARE = 'AbCdEfGhIjKlMnOpQrStUv';
  const shareGrant: PlaybackGrant = { ...grant, shareId: SHARE };

  it('verifies for its share and returns the grant with the share id', () => {
    assert.deepEqual(verifyPlaybackGrant('cam1', query(shareGrant), SECRET, NOW, SHARE), shareGrant);
  });

  it('opens neither the camera playlist nor another share, and a camera token does not open a share', () => {
    rejects(() => verifyPlaybackGrant('cam1', query(shareGrant), SECRET, NOW), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam1', query(shareGrant), SECRET, NOW, 'ZZZZZZZZZZZZZZZZZZZZZZ'), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam2', query(shareGrant), SECRET, NOW, SHARE), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam1', query(), SECRET, NOW, SHARE), 'InvalidPlaybackToken');
  });

  it('signs the range: another start or end is refused', () => {
    rejects(() => verifyPlaybackGrant('cam1', edit(query(shareGrant), 'start', '2026-11-21T09:00:00.000Z'), SECRET, NOW, SHARE), 'InvalidPlaybackToken');
    rejects(() => verifyPlaybackGrant('cam1', edit(query(shareGrant), 'end', '2026-11-21T12:00:00.000Z'), SECRET, NOW, SHARE), 'InvalidPlaybackToken');
  });

  it('always names its key: without kid it is refused', () => {
    rejects(() => verifyPlaybackGrant('cam1', edit(query(shareGrant), 'kid', undefined), SECRET, NOW, SHARE), 'InvalidPlaybackToken');
  });

  it('expires like a playback token', () => {
    rejects(() => verifyPlaybackGrant('cam1', query(shareGrant), SECRET, shareGrant.expiresMs, SHARE), 'PlaybackTokenExpired');
  });
});
