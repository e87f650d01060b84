import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../helpers/segment-blob-fixtures';
import { createDeps, defaultDeps } from '../../../functions/deps';
import { playbackGrantQuery, type PlaybackGrant } from '../../../functions/playback/playback-token';
import { playlist } from '../../../functions/playback/playlist';
import { parseSettings, resetSettings } from '../../../functions/settings';
import { batchContext, segmentEvent, TEST_SECRET, viaEventGrid } from '../../helpers/functions-fixtures';
import { startTestHost, type TestHost } from '../../helpers/test-host';

/**
 * docs/security.md: a playlist URL is its own credential (functions/playback/playback-token.ts), so every altered, foreign or
 * expired token must be refused by the running playlist route with 401 and the error body, and must reveal no segment
 * URL.
 */
const API_KEY = 'security-playback-key';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('playlist route refuses expired and tampered playback tokens', () => {
  let t: TestHost;
  let validUrl: URL;

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'sectok' });
    const events = [0, 10, 20].flatMap((s) => [viaEventGrid(segmentEvent({ startMs: T0 + s * 1000 })), viaEventGrid(segmentEvent({ cameraId: 'cam2', startMs: T0 + s * 1000 }))]);
    assert.equal((await ingest(events, batchContext(), defaultDeps())).accepted, 6);
    const res = await fetch(`${t.api}/cameras/cam1/playback?start=${new Date(T0).toISOString()}&end=${new Date(T0 + 30_000).toISOString()}`, { headers: { 'x-functions-key': API_KEY } });
    assert.equal(res.status, 200);
    validUrl = new URL(((await res.json()) as { hlsUrl: string }).hlsUrl);
  });
  after(async () => {
    await t?.stop();
  });

  async function get(url: URL | string): Promise<{ status: number; code?: string; text: string }> {
    const res = await fetch(url);
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      code = undefined;
    }
    return { status: res.status, code, text };
  }

  function withParam(name: string, value: string | null, base: URL = validUrl): URL {
    const u = new URL(base);
    if (value === null) u.searchParams.delete(name);
    else u.searchParams.set(name, value);
    return u;
  }

  function signed(grant: PlaybackGrant, secret = TEST_SECRET): URL {
    return new URL(`${t.api}/cameras/${grant.cameraId}/playlist.m3u8?${playbackGrantQuery(grant, secret)}`);
  }

  it('the untouched URL plays (the control for every refusal below)', async () => {
    const r = await get(validUrl);
    assert.equal(r.status, 200);
    assert.match(r.text, /^#EXTM3U/);
    assert.equal((r.text.match(/#EXTINF/g) ?? []).length, 3);
  });

  it('a signature with any one byte flipped is refused', async () => {
    const sig = Buffer.from(validUrl.searchParams.get('sig')!, 'base64url');
    for (let i = 0; i < sig.length; i += 7) {
      const bad = Buffer.from(sig);
      bad[i] ^= 0x01;
      const r = await get(withParam('sig', bad.toString('base64url')));
      assert.deepEqual([r.status, r.code], [401, 'InvalidPlaybackToken'], `byte ${i}`);
      assert.doesNotMatch(r.text, /sig=|blob|\.ts/);
    }
  });

  it('changing the camera, start, end or expiry (each by the smallest step) is refused', async () => {
    const start = Date.parse(validUrl.searchParams.get('start')!);
    const end = Date.parse(validUrl.searchParams.get('end')!);
    const expires = Number(validUrl.searchParams.get('expires'));
    const otherCamera = new URL(validUrl);
    otherCamera.pathname = otherCamera.pathname.replace('/cameras/cam1/', '/cameras/cam2/');
    const variants: Array<[string, URL]> = [
      ['camera', otherCamera],
      ['start - 1 ms', withParam('start', new Date(start - 1).toISOString())],
      ['start + 1 ms', withParam('start', new Date(start + 1).toISOString())],
      ['end + 1 ms', withParam('end', new Date(end + 1).toISOString())],
      ['end - 1 day', withParam('end', new Date(end - 86_400_000).toISOString())],
      ['expires + 1 ms', withParam('expires', String(expires + 1))],
      ['expires + 1 year', withParam('expires', String(expires + 365 * 86_400_000))],
    ];
    for (const [what, url] of variants) {
      const r = await get(url);
      assert.deepEqual([r.status, r.code], [401, 'InvalidPlaybackToken'], what);
    }
  });

  it('missing, empty, malformed or duplicated token parts are refused', async () => {
    const sig = validUrl.searchParams.get('sig')!;
    const variants: Array<[string, URL]> = [
      ['no sig', withParam('sig', null)],
      ['no expires', withParam('expires', null)],
      ['no start', withParam('start', null)],
      ['empty sig', withParam('sig', '')],
      ['sig with padding', withParam('sig', `${sig}=`)],
      ['sig in base64 (not url)', withParam('sig', Buffer.from(sig, 'base64url').toString('base64'))],
      ['sig twice as long', withParam('sig', sig + sig)],
      ['expires negative', withParam('expires', '-1')],
      ['expires not a number', withParam('expires', 'never')],
      ['expires 17 digits', withParam('expires', '9'.repeat(17))],
      ['start not a date', withParam('start', 'yesterday')],
    ];
    for (const [what, url] of variants) {
      const r = await get(url);
      assert.deepEqual([r.status, r.code], [401, 'InvalidPlaybackToken'], what);
    }
    // URLSearchParams.get reads the first of repeated keys: a forged first sig must not be outvoted by a valid second one.
    const dup = new URL(validUrl);
    dup.search = `sig=${'A'.repeat(43)}&${validUrl.search.slice(1)}`;
    assert.equal((await get(dup)).status, 401);
  });

  it('a token signed with another secret is refused', async () => {
    const r = await get(signed({ cameraId: 'cam1', startMs: T0, endMs: T0 + 30_000, expiresMs: Date.now() + 600_000 }, `${TEST_SECRET}-other`));
    assert.deepEqual([r.status, r.code], [401, 'InvalidPlaybackToken']);
  });

  it('a correctly signed token expired 1 s ago is refused as expired; the same grant unexpired plays', async () => {
    const grant = { cameraId: 'cam1', startMs: T0, endMs: T0 + 30_000 };
    const expired = await get(signed({ ...grant, expiresMs: Date.now() - 1000 }));
    assert.deepEqual([expired.status, expired.code], [401, 'PlaybackTokenExpired']);
    assert.doesNotMatch(expired.text, /#EXTM3U|\.ts/);
    assert.equal((await get(signed({ ...grant, expiresMs: Date.now() + 60_000 }))).status, 200);
  });

  it('rotation: a URL signed with the earlier key plays while KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS names it, and is refused once it is removed', async () => {
    // The playlist handler on the same Azurite and tables, with the key rotated: TEST_SECRET (which signed validUrl)
    // becomes the previous key.
    const rotated = (previous?: string) =>
      createDeps(
        parseSettings({
          KEEPWATCH_STORAGE_CONNECTION_STRING: t.azurite.connectionString,
          KEEPWATCH_TABLE_PREFIX: 'sectok',
          KEEPWATCH_PLAYBACK_TOKEN_SECRET: `${TEST_SECRET}-rotated`,
          ...(previous ? { KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: previous } : {}),
        }),
      );
    const play = async (url: URL, deps: ReturnType<typeof rotated>) => {
      const res = await playlist(new HttpRequest({ method: 'GET', url: url.href, params: { cameraId: 'cam1' } }), batchContext(), deps);
      return { status: res.status, code: (res.jsonBody as { error?: { code?: string } } | undefined)?.error?.code, body: String(res.body ?? '') };
    };
    const during = await play(validUrl, rotated(TEST_SECRET));
    assert.equal(during.status, 200, JSON.stringify(during));
    assert.equal((during.body.match(/#EXTINF/g) ?? []).length, 3);
    const newUrl = signed({ cameraId: 'cam1', startMs: T0, endMs: T0 + 30_000, expiresMs: Date.now() + 600_000 }, `${TEST_SECRET}-rotated`);
    assert.equal((await play(newUrl, rotated(TEST_SECRET))).status, 200, 'the new key signs and verifies');
    const after = await play(validUrl, rotated());
    assert.deepEqual([after.status, after.code], [401, 'InvalidPlaybackToken']);
    assert.doesNotMatch(after.body, /\.ts/);
  });

  it('a forged Host header never becomes the playback URL: refused unless KEEPWATCH_PUBLIC_BASE_URL is set, then that is used', async () => {
    const path = `/api/cameras/cam1/playback?start=${new Date(T0).toISOString()}&end=${new Date(T0 + 30_000).toISOString()}`;
    const withHost = (host: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(new URL(path, t.api), { headers: { host, 'x-functions-key': API_KEY } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end();
      });
    const forged = await withHost('evil.example');
    assert.equal(forged.status, 500, forged.text);
    assert.doesNotMatch(forged.text, /evil\.example|sig=/);
    process.env.KEEPWATCH_PUBLIC_BASE_URL = 'https://cams.example.com/kw';
    resetSettings();
    try {
      const configured = await withHost('evil.example');
      assert.equal(configured.status, 200, configured.text);
      const { hlsUrl } = JSON.parse(configured.text) as { hlsUrl: string };
      assert.ok(hlsUrl.startsWith('https://cams.example.com/kw/api/cameras/cam1/playlist.m3u8?'), hlsUrl);
    } finally {
      delete process.env.KEEPWATCH_PUBLIC_BASE_URL;
      resetSettings();
    }
  });
});
