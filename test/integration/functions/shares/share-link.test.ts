import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { defaultDeps, setProcessDepsOverrides } from '../../../../functions/deps';
import { settings } from '../../../../functions/settings';
import { applyViewerCors } from '../../../../local/blob-cors';
import { toIso } from '../../../../shared/time';
import { startAuthTestHost, type AuthTestHost } from '../../../helpers/auth-host';
import { fixtureSegments, storeAndIngest } from '../../../helpers/fixture-segments';
import type { ShareResponse } from '../../../../functions/shares/share-response';

/**
 * Share links against the local Functions host on Azurite, with real segments of a fixture clip and Debian's Chromium
 * (playwright-core): the link plays its range in the browser without signing in; other ranges, another camera, a
 * camera playlist, an expired and a revoked share are refused, and the page says why; a viewer scoped to `door`
 * cannot share `yard`; sharing needs a credential.
 */
const API_KEY = 'share-link-admin-key';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];

/** A share as the shares API answers it. */
type ShareBody = ShareResponse;

/** The bits of the page's globals the in-page functions touch (the project compiles without the DOM lib). */
interface PageGlobals {
  document: { querySelector(selector: 'video'): { currentTime: number } };
}

describe('share links: a read-only page of a range, without an account, expiring and revocable', () => {
  let t: AuthTestHost;
  let starts: number[];
  let durations: number[];
  let clockOffsetMs = 0;
  let context: BrowserContext | undefined;
  const shareStart = () => starts[1] + 1_000;
  const shareEnd = () => starts[2] + 1_000;

  const create = async (cameraId: string, body: Record<string, unknown>, headers: Record<string, string>) =>
    fetch(`${t.api}/cameras/${cameraId}/shares`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const asDoorViewer = async () => ({ authorization: `Bearer ${await t.token('door-viewer')}` });
  const playlistOf = (url: string) => {
    const u = new URL(url);
    return `${u.origin}${u.pathname}/playlist.m3u8${u.search}`;
  };
  const newShare = async (extra: Record<string, unknown> = {}): Promise<ShareBody> => {
    const res = await create('door', { start: toIso(shareStart()), end: toIso(shareEnd()), ...extra }, await asDoorViewer());
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as ShareBody;
  };
  const openPage = async (url: string): Promise<{ page: Page; problems: string[] }> => {
    context ??= await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'kw-chromium-share-')), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(url);
    return { page, problems };
  };

  before(async () => {
    t = await startAuthTestHost({ apiKey: API_KEY, tablePrefix: 'share' });
    // The page (host origin) reads segments from Azurite's blob endpoint: the viewer's CORS rule, as npm start sets it.
    await applyViewerCors(t.azurite.connectionString, [t.host.url]);
    setProcessDepsOverrides({ now: () => Date.now() + clockOffsetMs });
    const clip = fixtureSegments();
    durations = clip.map((s) => s.durationMs);
    starts = await storeAndIngest(settings(), defaultDeps(), 'door', T0, clip);
  });
  after(async () => {
    await context?.close();
    setProcessDepsOverrides({});
    await t?.stop();
  });

  it('creating a share needs a credential (401) and, for a scoped viewer, the camera in scope (403)', async () => {
    const body = { start: toIso(shareStart()), end: toIso(shareEnd()) };
    const none = await create('door', body, {});
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="keepwatch"/);
    const yard = await create('yard', body, await asDoorViewer());
    assert.equal(yard.status, 403);
    const err = ((await yard.json()) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'Forbidden');
    assert.match(err.message, /camera 'yard'/);
    const listYard = await fetch(`${t.api}/cameras/yard/shares`, { headers: await asDoorViewer() });
    assert.equal(listYard.status, 403);
    const bad = await create('door', { ...body, expiresIn: 'P8D' }, await asDoorViewer());
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'InvalidDuration');
  });

  it('a viewer shares a range: the link carries no key nor bearer token; its playlist holds the range only', async () => {
    const share = await newShare({ label: 'for the insurer' });
    assert.equal(share.status, 'active');
    assert.equal(share.createdBy, 'door-viewer');
    assert.equal(share.start, toIso(shareStart()));
    assert.ok(share.url);
    const link = new URL(share.url);
    assert.equal(link.pathname, `/api/share/door/${share.id}`);
    assert.deepEqual([...link.searchParams.keys()].sort(), ['end', 'expires', 'kid', 'sig', 'start']);
    assert.ok(!share.url.includes(API_KEY) && !share.url.includes(await t.token('door-viewer')));
    assert.ok(Date.parse(share.expiresAt) - Date.now() > 23 * 3_600_000, `default PT24H: ${share.expiresAt}`);

    const list = (await (await fetch(`${t.api}/cameras/door/shares`, { headers: await asDoorViewer() })).json()) as { shares: ShareBody[] };
    const listed = list.shares.find((s) => s.id === share.id);
    assert.equal(listed?.url, share.url);
    assert.equal(listed?.label, 'for the insurer');

    const res = await fetch(playlistOf(share.url));
    assert.equal(res.status, 200, await res.clone().text());
    const text = await res.text();
    const uris = text.split('\n').filter((l) => l && !l.startsWith('#'));
    // Segments 1 and 2 overlap [starts[1] + 1 s, starts[2] + 1 s): exactly those, and only door's blobs.
    assert.equal(uris.length, 2, text);
    for (const [i, u] of uris.entries()) assert.ok(decodeURIComponent(new URL(u).pathname).includes(`door/2026/11/21/10/${toIso(starts[i + 1])}`), u);
    assert.equal(durations.length, 5);
  });

  it('refuses any other range, another camera, and the camera playlist for the share token', async () => {
    const share = await newShare();
    const url = new URL(playlistOf(share.url!));
    const altered = async (name: string, value: string) => {
      const u = new URL(url);
      u.searchParams.set(name, value);
      return fetch(u);
    };
    for (const [name, value] of [['start', toIso(T0)], ['end', toIso(starts[4] + durations[4])], ['expires', String(Date.parse(share.expiresAt) + 3_600_000)]]) {
      const res = await altered(name, value);
      assert.equal(res.status, 401, `${name}=${value}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'InvalidPlaybackToken');
    }
    const yard = await fetch(url.href.replace('/share/door/', '/share/yard/'));
    assert.equal(yard.status, 401);
    const cameraPlaylist = await fetch(`${t.api}/cameras/door/playlist.m3u8${url.search}`);
    assert.equal(cameraPlaylist.status, 401, 'a share token does not open the camera playlist');
    const otherShare = await fetch(url.href.replace(share.id, 'A'.repeat(22)));
    assert.equal(otherShare.status, 401, 'nor another share');
  });

  it('plays the shared range in Chromium without signing in, with no console errors', async () => {
    const share = await newShare();
    const { page, problems } = await openPage(share.url!);
    await page
      .waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('video').currentTime > 1.5, undefined, { timeout: 60_000 })
      .catch(async (err: Error) => assert.fail(`${err.message}; status: ${await page.locator('#status').textContent()}; ${problems.join('; ')}`));
    assert.equal(await page.locator('#camera').textContent(), 'door');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('revoked: refused at once (403 ShareRevoked), listed as revoked, and the page says so', async () => {
    const share = await newShare();
    assert.equal((await fetch(playlistOf(share.url!))).status, 200);
    const del = await fetch(`${t.api}/cameras/door/shares/${share.id}`, { method: 'DELETE', headers: await asDoorViewer() });
    assert.equal(del.status, 204);
    const res = await fetch(playlistOf(share.url!));
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ShareRevoked');
    const again = await fetch(`${t.api}/cameras/door/shares/${share.id}`, { method: 'DELETE', headers: await asDoorViewer() });
    assert.equal(again.status, 204, 'revoking twice is fine');
    const unknown = await fetch(`${t.api}/cameras/door/shares/${'B'.repeat(22)}`, { method: 'DELETE', headers: await asDoorViewer() });
    assert.equal(unknown.status, 404);
    const list = (await (await fetch(`${t.api}/cameras/door/shares`, { headers: await asDoorViewer() })).json()) as { shares: ShareBody[] };
    const listed = list.shares.find((s) => s.id === share.id);
    assert.equal(listed?.status, 'revoked');
    assert.equal(listed?.url, undefined);
    const { page, problems } = await openPage(share.url!);
    await page.locator('#status.error').waitFor({ timeout: 30_000 }).catch(async (err: Error) => assert.fail(`${err.message}; status: ${await page.locator('#status').textContent()}; ${problems.join('; ')}`));
    assert.match((await page.locator('#status').textContent()) ?? '', /revoked/);
    await page.close();
  });

  it('expired: refused (401 ShareExpired) once the clock passes expiresAt, and the page says so', async () => {
    const share = await newShare({ expiresIn: 'PT1M' });
    assert.ok(Math.abs(Date.parse(share.expiresAt) - (Date.now() + 60_000)) < 30_000, share.expiresAt);
    assert.equal((await fetch(playlistOf(share.url!))).status, 200);
    clockOffsetMs = 2 * 60_000;
    try {
      const res = await fetch(playlistOf(share.url!));
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ShareExpired');
      const list = (await (await fetch(`${t.api}/cameras/door/shares`, { headers: await asDoorViewer() })).json()) as { shares: ShareBody[] };
      assert.equal(list.shares.find((s) => s.id === share.id)?.status, 'expired');
      const { page, problems } = await openPage(share.url!);
      await page.locator('#status.error').waitFor({ timeout: 30_000 }).catch(async (err: Error) => assert.fail(`${err.message}; status: ${await page.locator('#status').textContent()}; ${problems.join('; ')}`));
      assert.match((await page.locator('#status').textContent()) ?? '', /expired/);
      await page.close();
    } finally {
      clockOffsetMs = 0;
    }
  });
});
