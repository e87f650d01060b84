import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { TableClient } from '@azure/data-tables';
import { TableRecordingStore } from '../../functions/adapters/table/table-recording-store';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { recordingApiId } from '../../shared/evr/recording-id';
import { waitFor } from '../helpers/wait';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';

/**
 * The viewer in a real browser: Debian's Chromium, driven by playwright-core, opens the viewer against a running local
 * stack whose agent records a real RTSP camera (PT2S segments, Azurite, the local Functions host) with a real gap (the
 * camera's server stopped for a while), and a second camera that goes down for good: the tiles show each camera's
 * latest image and health (`recording`; `offline` with its cause on hover); choosing the camera's tile plays it live (currentTime advances); the timeline
 * shows the recorded ranges, the gap with its cause in the tooltip and hover card, the EVR recording and its signal;
 * clicking a thumbnail plays from its time (the player's program date time); space and arrows work; the UTC toggle; a
 * selection fills the export; a phone-sized viewport has no horizontal overflow; no console errors; screenshots
 * (desktop, phone) are written to test-output/viewer/.
 */
const CAMERA = 'cam-viewer';
/** A second camera that records a while, then goes down for good: its tile shows `offline` with the cause. */
const DOWN_CAMERA = 'cam-down';
const SEGMENT_LENGTH = 'PT2S';
/** A zone without DST and with a half-hour offset, so local times can never be mistaken for UTC. */
const BROWSER_ZONE = 'Asia/Kolkata';
/** How Intl may name it: ICU's canonical id is still the older alias. */
const ZONE_NAME = /Asia\/(Kolkata|Calcutta)/;
const BROWSER_LOCALE = 'en-GB';
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', '..', 'test-output', 'viewer');
/** Chromium flags for a machine without network: no background connections that would fail and log. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The bits of the page's globals the in-page functions touch (the project compiles without the DOM lib). */
interface PageGlobals {
  document: {
    querySelector(selector: 'video'): { currentTime: number; paused: boolean; readyState: number };
    querySelector(selector: '#status'): { textContent: string };
    querySelector(selector: '#hover-img'): { naturalWidth: number; hidden: boolean };
    querySelectorAll(selector: string): { length: number };
    documentElement: { scrollWidth: number; clientWidth: number };
  };
  sessionStorage: { getItem(key: string): string | null };
}

interface Camera {
  id: string;
  firstRecorded: string;
  lastRecorded: string;
}


describe('viewer in Chromium against a stack that recorded a real camera with a gap', () => {
  let rtsp: RtspServer | undefined;
  let downRtsp: RtspServer | undefined;
  let stack: LocalStack;
  let context: BrowserContext | undefined;
  const printed: string[] = [];
  let stoppedAtMs = 0;
  let restartedAtMs = 0;
  let recordingId = '';

  const headers = () => ({ 'x-functions-key': stack.apiKey });
  const camera = async (): Promise<Camera | undefined> => {
    const body = (await (await fetch(`${stack.apiBase}/cameras`, { headers: headers() })).json()) as { cameras: Camera[] };
    return body.cameras.find((c) => c.id === CAMERA);
  };

  before(async () => {
    const mounts = { '/cam': mediaPath('one-by-one-person-detection.mp4') };
    rtsp = await startRtspServer({ mounts });
    downRtsp = await startRtspServer({ mounts: { '/down': mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'kw-viewer-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [
        { id: CAMERA, url: rtsp.urls['/cam'] },
        { id: DOWN_CAMERA, url: downRtsp.urls['/down'] },
      ],
      segmentLength: SEGMENT_LENGTH,
      print: (l) => printed.push(l),
    });
    // hls.js fetches segments from the blob endpoint, another origin than the page: the stack allows its own viewer's
    // origin in Azurite's CORS rules (Azure: Bicep), which is what this test relies on.

    // ≥ 20 s recorded (room for a seek of 10 s inside the first range), then the camera goes away for ≥ 3 segments, then comes back for ≥ 6 s more.
    await waitFor('20 s of footage in the index', 90_000, async () => {
      const c = await camera();
      return c && Date.parse(c.lastRecorded) - Date.parse(c.firstRecorded) >= 20_000 ? true : undefined;
    });
    await waitFor(`${DOWN_CAMERA} recorded`, 30_000, async () => {
      const body = (await (await fetch(`${stack.apiBase}/cameras`, { headers: headers() })).json()) as { cameras: Camera[] };
      return body.cameras.some((c) => c.id === DOWN_CAMERA) ? true : undefined;
    });
    await downRtsp.stop();
    downRtsp = undefined;
    const port = rtsp.port;
    await rtsp.stop();
    stoppedAtMs = Date.now();
    await new Promise((r) => setTimeout(r, 8_000));
    rtsp = await startRtspServer({ mounts, port });
    restartedAtMs = Date.now();
    // The range after the gap starts when the agent's reconnect (with backoff) gets its first keyframe.
    const rangeAfterGap = async (): Promise<{ startMs: number; endMs: number } | undefined> => {
      const q = new URLSearchParams({ precision: 'full', startTime: new Date(stoppedAtMs - 120_000).toISOString(), endTime: new Date(Date.now() + 60_000).toISOString() });
      const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/availableMedia?${q}`, { headers: headers() });
      if (res.status !== 200) return undefined;
      const ranges = ((await res.json()) as { timeRanges: Array<{ start: string; end: string }> }).timeRanges;
      const last = ranges.at(-1);
      return ranges.length >= 2 && last ? { startMs: Date.parse(last.start), endMs: Date.parse(last.end) } : undefined;
    };
    await waitFor('6 s of footage after the camera came back', 60_000, async () => {
      const r = await rangeAfterGap();
      return r && r.endMs - r.startMs >= 6_000 ? true : undefined;
    });
    // The agent keeps recording (the viewer plays it live); the device reports the gap with its cause once the camera is back.
    await waitFor('the gap reported with its cause', 30_000, async () => {
      const q = new URLSearchParams({ start: new Date(stoppedAtMs - 60_000).toISOString(), end: new Date().toISOString() });
      const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/gaps?${q}`, { headers: headers() });
      const body = (await res.json()) as { gaps: Array<{ cause: string }> };
      return body.gaps.some((x) => x.cause === 'camera-unavailable') ? true : undefined;
    });
    // One EVR recording over 4 s of the second range, as the cloud's EVR policy writes it (the real Table adapter): the
    // timeline shows it as a marker that plays it.
    const recStartMs = (await rangeAfterGap())!.startMs + 1000;
    recordingId = recordingApiId(CAMERA, 'door-open-1', recStartMs);
    await new TableRecordingStore(TableClient.fromConnectionString(stack.connectionString, 'kwRecordings', { allowInsecureConnection: true })).upsert([
      {
        id: recordingId,
        cameraId: CAMERA,
        deviceId: stack.deviceId,
        gateRecordingId: 'door-open-1',
        startMs: recStartMs,
        endMs: recStartMs + 4000,
        state: 'complete',
        sequence: 1,
        signals: [{ id: 'door-open-1', type: 'door', atMs: recStartMs + 1000 }],
        signalCount: 1,
        availableAtMs: recStartMs + 6000,
        createdAtMs: recStartMs,
        updatedAtMs: recStartMs + 6000,
      },
    ]);
  });

  after(async () => {
    await context?.close();
    await stack?.stop();
    await rtsp?.stop();
    await downRtsp?.stop();
  });

  it('plays live from the grid, shows the gap with its cause, plays from a thumbnail, keyboard, UTC, phone layout, no console errors', async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'kw-chromium-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      timezoneId: BROWSER_ZONE,
      locale: BROWSER_LOCALE,
      viewport: { width: 1280, height: 900 },
    });
    const page: Page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    const requested: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // A player torn down mid-request (live → recorded) aborts its request: the browser's doing, not a failure.
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('request', (r) => requested.push(r.url()));
    const videoState = () => page.evaluate(() => {
      const v = (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number; paused: boolean; dataset: { playing?: string } } } }).document.querySelector('video');
      return { currentTime: v.currentTime, paused: v.paused, playing: v.dataset.playing ? Date.parse(v.dataset.playing) : NaN };
    });
    const playingAdvances = async (what: string) => {
      await page.waitForFunction(() => {
        const v = (globalThis as unknown as PageGlobals).document.querySelector('video');
        return !v.paused && v.readyState >= 2;
      }, undefined, { timeout: 30_000 }).catch((e: Error) => { throw new Error(`${what}: ${e.message}\n${printed.slice(-20).join('\n')}`); });
      const t1 = (await videoState()).currentTime;
      await page.waitForFunction((t) => (globalThis as unknown as PageGlobals).document.querySelector('video').currentTime >= t + 2, t1, { timeout: 30_000 });
    };

    // The administrator's key mode (what `npm start` prints): the key in the fragment wins over the sign-in the stack
    // also offers (test/e2e/viewer-signin-browser.test.ts); the page keeps the key in the tab.
    await page.goto(`${stack.apiBase}/viewer#key=${encodeURIComponent(stack.apiKey)}`);
    const tile = page.locator(`#cameras button[data-camera="${CAMERA}"]`);
    await tile.waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('keepwatch.functionKey')), stack.apiKey);
    assert.match((await page.locator('#zone').textContent()) ?? '', ZONE_NAME);

    // The tile: the camera's latest image and its health badge (state, with the cause and since on hover).
    await page.waitForFunction((id) => {
      const img = (globalThis as unknown as { document: { querySelector(s: string): { naturalWidth: number; hidden: boolean } | null } }).document.querySelector(`#cameras button[data-camera="${id}"] img`);
      return !!img && !img.hidden && img.naturalWidth > 0;
    }, CAMERA, { timeout: 30_000 });
    await page.waitForFunction((id) => {
      const b = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(`#cameras button[data-camera="${id}"] .badge`);
      return b?.textContent === 'recording';
    }, CAMERA, { timeout: 30_000 });
    assert.match((await tile.locator('.badge').getAttribute('title')) ?? '', /^recording, since /);
    assert.match((await tile.getAttribute('aria-label')) ?? '', new RegExp(`^${CAMERA}, recording`));
    // The camera that went down: `offline`, and its cause and since on hover.
    const downBadge = page.locator(`#cameras button[data-camera="${DOWN_CAMERA}"] .badge`);
    await page.waitForFunction((id) => {
      const b = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(`#cameras button[data-camera="${id}"] .badge`);
      return b?.textContent === 'offline';
    }, DOWN_CAMERA, { timeout: 40_000 });
    const downTitle = (await downBadge.getAttribute('title')) ?? '';
    const downHealth = ((await (await fetch(`${stack.apiBase}/cameras`, { headers: headers() })).json()) as { cameras: Array<Camera & { health: { state: string; cause?: string } }> }).cameras.find((c) => c.id === DOWN_CAMERA)!.health;
    assert.ok(downHealth.cause, JSON.stringify(downHealth));
    assert.match(downTitle, new RegExp(`^offline: ${downHealth.cause}.*, since `));

    // Choosing the camera plays it live: the live playlist through hls.js, currentTime advances, a recent frame.
    await tile.click();
    await page.locator('#archive[data-mode="live"]').waitFor();
    await playingAdvances('live');
    assert.ok(requested.some((u) => u.includes(`/cameras/${CAMERA}/live.m3u8`)), 'the live playlist was loaded');
    const live = await videoState();
    assert.ok(Date.now() - live.playing < 30_000, `live shows a frame from the last seconds: ${new Date(live.playing).toISOString()}`);
    assert.equal(await page.locator('#go-live').isDisabled(), true, 'the live button is off while live');
    assert.equal(await tile.getAttribute('aria-current'), 'true');

    // The timeline: the gap across the camera's stop, with its cause in its tooltip and in the hover card.
    const gap = page.locator('#track .gap[data-cause*="camera-unavailable"]');
    await gap.first().waitFor({ state: 'attached', timeout: 30_000 });
    const gapSpan = { start: Date.parse((await gap.first().getAttribute('data-start'))!), end: Date.parse((await gap.first().getAttribute('data-end'))!) };
    assert.ok(gapSpan.start < restartedAtMs && gapSpan.end > stoppedAtMs, `the gap spans the camera's stop: ${JSON.stringify(gapSpan)}`);
    assert.match((await gap.first().getAttribute('title')) ?? '', /^gap .* – .*: camera-unavailable/);
    await page.locator('#zoom-fit').click();
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('#thumbs .thumb').length >= 3, undefined, { timeout: 30_000 });
    await gap.first().hover();
    await page.locator('#hover').waitFor();
    assert.match((await page.locator('#hover-text').textContent()) ?? '', /camera-unavailable/);

    // The first recorded range is stable: exactly the API's.
    const q = new URLSearchParams({ precision: 'full', startTime: new Date(stoppedAtMs - 3_600_000).toISOString(), endTime: new Date(Date.now()).toISOString() });
    const { timeRanges } = (await (await fetch(`${stack.apiBase}/cameras/${CAMERA}/availableMedia?${q}`, { headers: headers() })).json()) as { timeRanges: Array<{ start: string; end: string }> };
    assert.ok(timeRanges.length >= 2, `the camera stop makes a gap: ${JSON.stringify(timeRanges)}`);
    const firstRange = { start: Date.parse(timeRanges[0].start), end: Date.parse(timeRanges[0].end) };
    const shown = await page.locator('#track .range').evaluateAll((els) => els.map((e) => ({ start: e.getAttribute('data-start'), end: e.getAttribute('data-end') })));
    assert.deepEqual(shown[0], { start: new Date(firstRange.start).toISOString(), end: new Date(firstRange.end).toISOString() });

    // Hovering recorded time shows the thumbnail at or before it.
    const box = (await page.locator('#timeline').boundingBox())!;
    const view = { start: Date.parse((await page.locator('#timeline').getAttribute('data-view-start'))!), end: Date.parse((await page.locator('#timeline').getAttribute('data-view-end'))!) };
    const xAt = (ms: number) => box.x + ((ms - view.start) / (view.end - view.start)) * box.width;
    await page.mouse.move(xAt(firstRange.start + 5_000), box.y + box.height / 2);
    await page.waitForFunction(() => {
      const img = (globalThis as unknown as PageGlobals).document.querySelector('#hover-img');
      return !img.hidden && img.naturalWidth > 0;
    }, undefined, { timeout: 20_000 });
    assert.match((await page.locator('#hover-img').getAttribute('src')) ?? '', /\/preview\.jpg\?/);
    assert.match((await page.locator('#hover-text').textContent()) ?? '', /recorded/);

    // The EVR recording and its signal are markers; the recording's title names its signals.
    await page.locator('#track .recording').first().waitFor({ state: 'attached' });
    assert.deepEqual(await page.locator('#track .recording').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { recordingId: string } }).dataset.recordingId)), [recordingId]);
    assert.match((await page.locator('#track .recording').getAttribute('title')) ?? '', /1 signal\(s\): door/);
    assert.equal(await page.locator(`#track .signal[data-recording-id="${recordingId}"]`).count(), 1);

    // Clicking a thumbnail of the first range plays recorded video from its time.
    const thumbs = await page.locator('#thumbs .thumb').evaluateAll((els) => els.map((e) => String(e.getAttribute('data-time'))));
    const pick = thumbs.map((t) => Date.parse(t)).find((t) => t >= firstRange.start && t <= firstRange.end - 14_000);
    assert.ok(pick !== undefined, `a thumbnail in the first range: ${JSON.stringify(thumbs)}`);
    await page.locator(`#thumbs .thumb[data-time="${new Date(pick).toISOString()}"]`).click();
    await page.locator('#archive[data-mode="recorded"]').waitFor();
    await page.waitForFunction((t) => (globalThis as unknown as { document: { querySelector(s: string): { dataset: { requested?: string } } } }).document.querySelector('video').dataset.requested === t, new Date(pick).toISOString(), { timeout: 20_000 });
    await page.waitForFunction(() => {
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video');
      return !v.paused && v.readyState >= 2;
    }, undefined, { timeout: 30_000 });
    // The program date time of the first frame shown (the page sets it on the video from hls.js's playingDate).
    await page.waitForFunction(() => !!(globalThis as unknown as { document: { querySelector(s: string): { dataset: { playing?: string } } } }).document.querySelector('video').dataset.playing, undefined, { timeout: 10_000 });
    const fromThumb = await videoState();
    assert.ok(fromThumb.playing >= pick - 1_000 && fromThumb.playing <= pick + 4_000, `plays from the thumbnail's time ${new Date(pick).toISOString()}: ${new Date(fromThumb.playing).toISOString()}`);
    assert.ok(requested.some((u) => u.includes(`/cameras/${CAMERA}/playback?`)), 'recorded playback through the playback route');

    // Keyboard: space pauses and plays (even with the thumbnail just clicked still focused: it does not click it again);
    // → seeks 10 s forward, ← back (the player's program date time moves with it).
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('video').paused);
    await new Promise((r) => setTimeout(r, 300));
    const paused = await videoState();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => Math.abs((globalThis as unknown as PageGlobals).document.querySelector('video').currentTime - t - 10) < 0.5, paused.currentTime, { timeout: 10_000 });
    await page.waitForFunction((p) => { const v = (globalThis as unknown as { document: { querySelector(s: string): { dataset: { playing?: string } } } }).document.querySelector('video'); return Math.abs(Date.parse(String(v.dataset.playing)) - p - 10_000) < 1_500; }, paused.playing, { timeout: 10_000 });
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((p) => { const v = (globalThis as unknown as { document: { querySelector(s: string): { dataset: { playing?: string } } } }).document.querySelector('video'); return Math.abs(Date.parse(String(v.dataset.playing)) - p) < 1_500; }, paused.playing, { timeout: 10_000 });
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !(globalThis as unknown as PageGlobals).document.querySelector('video').paused);
    const nowPlaying = (await page.locator('#now-playing').textContent()) ?? '';
    assert.match(nowPlaying, new RegExp(`^Showing .*\\(${ZONE_NAME.source}\\)$`));

    // Times are the browser zone's, formatted with Intl.
    const fmt = new Intl.DateTimeFormat(BROWSER_LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: BROWSER_ZONE });
    const fmtHm = new Intl.DateTimeFormat(BROWSER_LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: BROWSER_ZONE });
    assert.equal(await page.locator('#track .range').first().getAttribute('title'), `recorded ${fmt.format(new Date(firstRange.start))} – ${fmt.format(new Date(firstRange.end))}`);
    const ticks = await page.locator('#ticks span').evaluateAll((els) => els.map((e) => ({ time: String(e.getAttribute('data-time')), label: String(e.textContent) })));
    assert.ok(ticks.length >= 3, JSON.stringify(ticks));
    const short = ticks.length > 1 && Date.parse(ticks[1].time) - Date.parse(ticks[0].time) < 60_000;
    for (const t of ticks) assert.equal(t.label, (short ? fmt : fmtHm).format(new Date(t.time)), `tick at ${t.time} is labelled in ${BROWSER_ZONE}`);

    // Drag over the first half of the timeline: the selection fills the export inputs with local date-times.
    const timeline = (await page.locator('#timeline').boundingBox())!;
    await page.mouse.move(timeline.x + 10, timeline.y + 30);
    await page.mouse.down();
    await page.mouse.move(timeline.x + timeline.width / 2, timeline.y + 30, { steps: 5 });
    await page.mouse.up();
    assert.equal(await page.locator('#selection').isVisible(), true);
    const selected = { start: (await page.locator('#selection').getAttribute('data-start'))!, end: (await page.locator('#selection').getAttribute('data-end'))! };
    const view2 = { start: Date.parse((await page.locator('#timeline').getAttribute('data-view-start'))!), end: Date.parse((await page.locator('#timeline').getAttribute('data-view-end'))!) };
    const expectedMs = (x: number) => view2.start + ((x - timeline.x) / timeline.width) * (view2.end - view2.start);
    const pxMs = (view2.end - view2.start) / timeline.width;
    assert.ok(Math.abs(Date.parse(selected.start) - expectedMs(timeline.x + 10)) <= 2 * pxMs, `selection start ${selected.start}`);
    assert.ok(Math.abs(Date.parse(selected.end) - expectedMs(timeline.x + timeline.width / 2)) <= 2 * pxMs, `selection end ${selected.end}`);
    const offsetMs = 5.5 * 3_600_000; // Asia/Kolkata is UTC+05:30 all year
    /** `YYYY-MM-DDTHH:mm:ss` at offset, as a datetime-local input shows it. */
    const inputAt = (t: string, off: number) => new Date(Math.floor(Date.parse(t) / 1000) * 1000 + off).toISOString().slice(0, 19).replace(/:00$/, ''); // HTML drops :00 seconds
    assert.equal(await page.locator('#sel-start').inputValue(), inputAt(selected.start, offsetMs));
    assert.equal(await page.locator('#sel-end').inputValue(), inputAt(selected.end, offsetMs));

    // Export the selection: the existing export route, downloaded through fetch (the key stays out of URLs).
    await page.locator('#download').click();
    await page.waitForFunction(() => /^(Downloaded|Export failed)/.test((globalThis as unknown as PageGlobals).document.querySelector('#status').textContent ?? ''), undefined, { timeout: 60_000 });
    assert.match((await page.locator('#status').textContent()) ?? '', /^Downloaded cam-viewer_.*\.mp4/);

    // The UTC toggle: the zone, ticks and the export inputs switch to UTC.
    await page.locator('#utc').check();
    assert.equal(await page.locator('#zone').textContent(), 'Times in UTC');
    assert.equal(await page.locator('#sel-start').inputValue(), inputAt(selected.start, 0));
    const utcTicks = await page.locator('#ticks span').evaluateAll((els) => els.map((e) => ({ time: String(e.getAttribute('data-time')), label: String(e.textContent) })));
    const utcFmt = new Intl.DateTimeFormat(BROWSER_LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
    const utcHm = new Intl.DateTimeFormat(BROWSER_LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
    for (const t of utcTicks) assert.equal(t.label, (short ? utcFmt : utcHm).format(new Date(t.time)), `tick at ${t.time} is labelled in UTC`);
    await page.locator('#utc').uncheck();

    assert.equal(await page.locator('#key-form').isVisible(), false, 'the key form is gone once the key is accepted');
    assert.equal(await page.locator('#playhead').isVisible(), true, 'the playhead marks the frame shown');
    // Hover the gap again for the picture: its cause shows in the card.
    await gap.first().hover();
    await new Promise((r) => setTimeout(r, 500));
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'desktop.png'), fullPage: true });

    // "Live" goes back to live.
    await page.locator('#go-live').click();
    await page.locator('#archive[data-mode="live"]').waitFor();
    await playingAdvances('back to live');
    // ← while live plays the recording from 10 s before the frame shown.
    await page.locator('header h1').click();
    const liveAgain = await videoState();
    await page.keyboard.press('ArrowLeft');
    await page.locator('#archive[data-mode="recorded"]').waitFor();
    await page.waitForFunction(() => !!(globalThis as unknown as { document: { querySelector(s: string): { dataset: { requested?: string } } } }).document.querySelector('video').dataset.requested, undefined, { timeout: 20_000 });
    const back = Date.parse(String(await page.locator('video').getAttribute('data-requested')));
    assert.ok(Math.abs(back - (liveAgain.playing - 10_000)) < 2_500, `← from live at ${new Date(liveAgain.playing).toISOString()} plays from ${new Date(back).toISOString()}`);
    await playingAdvances('10 s back from live');

    // "Day" shows the whole local day: ticks from local midnight every 3 h.
    await page.locator('#zoom-day').click();
    assert.deepEqual(await page.locator('#ticks span').allTextContents(), ['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);
    await page.locator('#zoom-fit').click();

    // A phone-sized screen: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await new Promise((r) => setTimeout(r, 1_000));
    const widths = await page.evaluate(() => {
      const d = (globalThis as unknown as PageGlobals).document.documentElement;
      return { scroll: d.scrollWidth, client: d.clientWidth };
    });
    assert.ok(widths.scroll <= widths.client, `no horizontal overflow at 390 px: ${JSON.stringify(widths)}`);
    const tileBox = (await tile.boundingBox())!;
    const videoBox = (await page.locator('video').boundingBox())!;
    assert.ok(videoBox.y > tileBox.y && videoBox.width <= 390, 'the player sits below the cameras, as wide as the screen at most');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'phone.png'), fullPage: true });

    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
    assert.deepEqual(requested.filter((u) => u.includes(stack.apiKey) || u.includes(encodeURIComponent(stack.apiKey))), [], 'the key is never in a URL');
  });
});
