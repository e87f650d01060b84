import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { waitFor } from '../helpers/wait';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';

/**
 * The viewer signs people in, in a real browser: Debian's Chromium (playwright-core) against a local stack that records
 * two real RTSP cameras, `door` and `yard`, and runs the development issuer (local/dev-issuer.ts). Opened without a
 * key, the viewer goes to the issuer's login page (authorization code flow, PKCE S256, state, nonce); the test picks
 * a user; the viewer comes back signed in (name and roles shown, tokens in sessionStorage only, the code gone from
 * the address), lists the cameras and plays one live (currentTime advances). Sign-out works. A viewer scoped to `door`
 * sees only `door` and cannot reach yard: no yard tile, and the page's own token gets 403 on yard's routes. A token
 * the API refuses (401) sends the page back to the issuer. The key mode (`#key=`) still works, and the tile of a camera
 * whose archive was erased shows a placeholder without asking for its image every 15 s. No console errors; a screenshot goes to test-output/viewer/signin.png.
 */
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', '..', 'test-output', 'viewer');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The bits of the page's globals the in-page functions touch (the project compiles without the DOM lib). */
interface PageGlobals {
  document: { querySelector(selector: 'video'): { currentTime: number; paused: boolean; readyState: number } };
  sessionStorage: { getItem(key: string): string | null };
  localStorage: { length: number; key(i: number): string | null };
  keepwatchAuth: { headers(): Record<string, string> };
}

describe('viewer sign-in in Chromium through the development issuer', () => {
  let rtsp: RtspServer | undefined;
  /** Camera `gone`: records a few segments, then its server stops and its whole archive is erased. */
  let goneRtsp: RtspServer | undefined;
  let stack: LocalStack;
  let context: BrowserContext | undefined;
  const printed: string[] = [];

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/door': mediaPath('one-by-one-person-detection.mp4'), '/yard': mediaPath('one-by-one-person-detection.mp4') } });
    goneRtsp = await startRtspServer({ mounts: { '/gone': mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'kw-signin-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [
        { id: 'door', url: rtsp.urls['/door'] },
        { id: 'yard', url: rtsp.urls['/yard'] },
        { id: 'gone', url: goneRtsp.urls['/gone'] },
      ],
      segmentLength: 'PT2S',
      print: (l) => printed.push(l),
    });
    assert.ok(stack.devIssuer, 'the stack runs the development issuer');
    await waitFor('both cameras have 6 s of footage', 90_000, async () => {
      const res = await fetch(`${stack.apiBase}/cameras`, { headers: { 'x-functions-key': stack.apiKey } });
      const body = (await res.json()) as { cameras: Array<{ id: string; firstRecorded: string; lastRecorded: string }> };
      const ok = ['door', 'yard', 'gone'].every((id) => body.cameras.some((c) => c.id === id && Date.parse(c.lastRecorded) - Date.parse(c.firstRecorded) >= 6_000));
      return ok ? true : undefined;
    });
    // `gone` stops, and its archive is erased: the camera stays listed, but has no image left (preview 404).
    await goneRtsp.stop();
    goneRtsp = undefined;
    await new Promise((r) => setTimeout(r, 5_000));
    const q = new URLSearchParams({ start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date(Date.now() + 60_000).toISOString() });
    const erased = await fetch(`${stack.apiBase}/cameras/gone/media?${q}`, { method: 'DELETE', headers: { 'x-functions-key': stack.apiKey } });
    assert.equal(erased.status, 200, await erased.text());
    const preview = await fetch(`${stack.apiBase}/cameras/gone/preview?size=small`, { headers: { 'x-functions-key': stack.apiKey } });
    assert.equal(preview.status, 404, 'no image of gone is left');
  });

  after(async () => {
    await context?.close();
    await stack?.stop();
    await rtsp?.stop();
    await goneRtsp?.stop();
  });

  it('signs in at the issuer, plays, signs out; a viewer of door never sees yard; the key mode still works; no console errors', async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const issuer = stack.devIssuer!;
    context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'kw-chromium-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    const page: Page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    // The browser itself logs a refused request; the page asks once per load for the image of `gone` (404), then not
    // again: those lines are counted apart.
    const goneLogged: string[] = [];
    const onConsole = (tab: string) => (m: { type(): string; text(): string; location(): { url: string } }) => {
      if (m.type() !== 'error') return;
      if (/status of 404/.test(m.text()) && m.location().url.includes('/cameras/gone/preview')) goneLogged.push(tab);
      else problems.push(`console${tab}: ${m.text()} (${m.location().url})`);
    };
    page.on('console', onConsole(''));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    const tiles = () => page.locator('#cameras button[data-camera]').evaluateAll((els) => els.map((e) => String(e.getAttribute('data-camera'))));
    const signInAs = async (userId: string) => {
      await page.waitForURL((u) => u.href.startsWith(`${issuer.url}/authorize?`), { timeout: 20_000 });
      const asked = new URL(page.url()).searchParams;
      assert.equal(asked.get('response_type'), 'code');
      assert.equal(asked.get('code_challenge_method'), 'S256');
      assert.match(asked.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok((asked.get('state') ?? '').length >= 20 && (asked.get('nonce') ?? '').length >= 20, 'state and nonce are random');
      assert.equal(asked.get('redirect_uri'), `${stack.apiBase}/viewer`);
      assert.match(asked.get('scope') ?? '', /\bopenid\b/);
      await page.locator(`button[data-user="${userId}"]`).click();
      await page.waitForURL((u) => u.href.startsWith(`${stack.apiBase}/viewer`), { timeout: 20_000 });
      await page.locator('#user-name').waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(new URL(page.url()).search, '', 'the code and state leave the address');
    };
    const playingAdvances = async () => {
      await page.waitForFunction(() => {
        const v = (globalThis as unknown as PageGlobals).document.querySelector('video');
        return !v.paused && v.readyState >= 2;
      }, undefined, { timeout: 30_000 }).catch((e: Error) => { throw new Error(`live: ${e.message}\n${printed.slice(-20).join('\n')}`); });
      const t1 = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('video').currentTime);
      await page.waitForFunction((t) => (globalThis as unknown as PageGlobals).document.querySelector('video').currentTime >= t + 2, t1, { timeout: 30_000 });
    };

    // Opened without a key: straight to the issuer's login page, which lists the test users; never the key form.
    const response = await page.goto(`${stack.apiBase}/viewer`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    const connect = /connect-src ([^;]+)/.exec(csp)?.[1].split(' ') ?? [];
    assert.ok(connect.includes(issuer.url), `connect-src names the issuer: ${csp}`);
    assert.ok(!connect.includes('*') && !connect.includes('http:') && !connect.includes('https:'), `connect-src names origins, not any: ${csp}`);
    await signInAs('viewer');
    assert.equal(await page.locator('#key-form').isVisible(), false, 'never asks for the key');
    assert.equal(await page.locator('#user-name').textContent(), 'Vera Viewer');
    assert.match((await page.locator('#user-roles').textContent()) ?? '', /Viewer/);
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const keys: string[] = [];
      for (let i = 0; i < g.localStorage.length; i++) keys.push(String(g.localStorage.key(i)));
      return { tokens: g.sessionStorage.getItem('keepwatch.signin.tokens'), key: g.sessionStorage.getItem('keepwatch.functionKey'), local: keys };
    });
    assert.ok(stored.tokens && JSON.parse(stored.tokens).accessToken, 'the access token is kept in sessionStorage');
    assert.equal(stored.key, null, 'no function key in the tab');
    assert.deepEqual(stored.local.filter((k) => k.includes('signin') || k.includes('token')), [], 'nothing of the sign-in in localStorage');

    // The unscoped viewer lists both cameras and plays door live.
    await waitFor('every tile', 20_000, async () => ((await tiles()).length === 3 ? true : undefined));
    assert.deepEqual((await tiles()).sort(), ['door', 'gone', 'yard']);
    await page.locator('#cameras button[data-camera="door"]').click();
    await page.locator('#archive[data-mode="live"]').waitFor();
    await playingAdvances();

    // Sign-out: the tokens go, the cameras go, a Sign in button stays.
    await page.locator('#sign-out').click();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#main').isVisible(), false);
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('keepwatch.signin.tokens')), null);
    await page.reload();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#main').isVisible(), false, 'a reload after sign-out stays signed out');

    // A viewer scoped to door: only door in the grid, and yard's routes refuse the page's own token.
    await page.locator('#sign-in').click();
    await signInAs('door-viewer');
    assert.equal(await page.locator('#user-name').textContent(), 'Dora Door-Viewer');
    assert.match((await page.locator('#user-roles').textContent()) ?? '', /cameras door/);
    await page.locator('#cameras button[data-camera="door"]').waitFor({ timeout: 20_000 });
    await page.locator('#cameras button[data-camera="door"] img:not([hidden])').waitFor({ timeout: 30_000 });
    assert.deepEqual(await tiles(), ['door'], 'no yard tile');
    // The page's own token, used directly: yard's routes refuse it (403 Forbidden), door's answer.
    const pageHeaders = await page.evaluate(() => (globalThis as unknown as PageGlobals).keepwatchAuth.headers());
    assert.match(pageHeaders.authorization ?? '', /^Bearer ey/);
    const at = async (p: string) => (await fetch(`${stack.apiBase}/${p}`, { headers: pageHeaders })).status;
    const now = Date.now();
    const q = `precision=full&startTime=${new Date(now - 600_000).toISOString()}&endTime=${new Date(now).toISOString()}`;
    const statuses = { yardMedia: await at(`cameras/yard/availableMedia?${q}`), yardLive: await at('cameras/yard/live'), yardPreview: await at('cameras/yard/preview'), doorMedia: await at(`cameras/door/availableMedia?${q}`) };
    assert.deepEqual(statuses, { yardMedia: 403, yardLive: 403, yardPreview: 403, doorMedia: 200 });
    await page.locator('#cameras button[data-camera="door"]').click();
    await page.locator('#archive[data-mode="live"]').waitFor();
    await playingAdvances();
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'signin.png'), fullPage: true });

    // A token the API no longer accepts (401 on the next call): back to the issuer's sign-in, not a loop; signing in again
    // brings the cameras back. The browser logs each refused request itself; those are the expected ones.
    const before401 = problems.length;
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals & { sessionStorage: { setItem(k: string, v: string): void } };
      const t = JSON.parse(String(g.sessionStorage.getItem('keepwatch.signin.tokens'))) as Record<string, unknown>;
      g.sessionStorage.setItem('keepwatch.signin.tokens', JSON.stringify({ ...t, accessToken: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', signedInAtMs: 0 }));
    });
    await signInAs('door-viewer');
    const refused = problems.splice(before401);
    assert.ok(refused.length >= 1 && refused.every((p) => /status of 401 \(Unauthorized\)/.test(p)), `only the refused calls were logged: ${refused.join('; ')}`);
    await page.locator('#cameras button[data-camera="door"]').waitFor({ timeout: 20_000 });
    assert.deepEqual(await tiles(), ['door']);

    // The administrator's key mode still works beside the sign-in, in another tab: no redirect, every camera.
    const keyPage = await context.newPage();
    keyPage.on('console', onConsole(' (key tab)'));
    await keyPage.goto(`${stack.apiBase}/viewer#key=${encodeURIComponent(stack.apiKey)}`);
    await keyPage.locator('#cameras button[data-camera="yard"]').waitFor({ timeout: 20_000 });
    assert.ok(keyPage.url().startsWith(`${stack.apiBase}/viewer`), 'no redirect to the issuer with a key');
    assert.equal(await keyPage.locator('#user').isVisible(), false);
    // The tile of `gone` (listed, no segment left): a placeholder, and its preview is not asked again every 15 s.
    const goneAsked: string[] = [];
    keyPage.on('request', (r) => {
      if (r.url().includes('/cameras/gone/preview')) goneAsked.push(r.url());
    });
    await keyPage.locator('#cameras button[data-camera="gone"] .tile-img.empty').waitFor({ timeout: 20_000 });
    assert.equal(await keyPage.locator('#cameras button[data-camera="gone"] img').isVisible(), false);
    await new Promise((r) => setTimeout(r, 17_000)); // longer than the tiles' refresh (15 s)
    assert.deepEqual(goneAsked, [], 'no new preview request for a camera without an image');
    assert.equal(await keyPage.locator('#status').textContent().then((t) => /error|could not/i.test(t ?? '')), false);
    await keyPage.close();

    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
    assert.ok(goneLogged.filter((t) => t === ' (key tab)').length <= 1, `the key tab asked for gone's image once: ${goneLogged.join(', ')}`);
  });
});
