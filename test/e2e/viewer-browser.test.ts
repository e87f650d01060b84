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
 * The viewer in a real browser: Debian's Chromium, driven by playwright-core, opens the viewer against a running local stack that
 * recorded real footage from an RTSP camera with a real gap (the camera's server stopped for a while): the timeline
 * shows the recorded ranges and the gap, pressing play makes the video's currentTime advance, no console errors, and a
 * screenshot is written to test-output/viewer/.
 */
const CAMERA = 'cam-viewer';
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
    querySelectorAll(selector: string): { length: number };
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
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'kw-viewer-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: rtsp.urls['/cam'] }],
      segmentLength: SEGMENT_LENGTH,
      print: (l) => printed.push(l),
    });
    // hls.js fetches segments from the blob endpoint, another origin than the page: the stack allows its own viewer's
    // origin in Azurite's CORS rules (Azure: Bicep), which is what this test relies on.

    // ≥ 8 s recorded, then the camera goes away for ≥ 3 segments, then comes back for ≥ 6 s more.
    await waitFor('8 s of footage in the index', 60_000, async () => {
      const c = await camera();
      return c && Date.parse(c.lastRecorded) - Date.parse(c.firstRecorded) >= 8_000 ? true : undefined;
    });
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
    // Stop recording so that the archive no longer changes while the browser looks at it.
    const exited = new Promise((r) => stack.agent.once('exit', r));
    stack.agent.kill('SIGTERM');
    await exited;
    // The agent uploads its last segment on the way out; its event reaches the index shortly after.
    let seen = '';
    await waitFor('the index to settle', 20_000, async () => {
      await new Promise((r) => setTimeout(r, 1500));
      const last = (await camera())!.lastRecorded;
      if (last === seen) return true;
      seen = last;
      return undefined;
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
  });

  it('shows the ranges and the gap in the browser zone, plays, selects a range, with no console errors', async () => {
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
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => requested.push(r.url()));

    // The page asks for the key once and keeps it in the tab.
    await page.goto(`${stack.apiBase}/viewer`);
    await page.locator('#key-input').fill(stack.apiKey);
    await page.locator('#key-form button[type=submit]').click();
    await page.locator(`#cameras button[data-camera="${CAMERA}"][aria-current="true"]`).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('keepwatch.functionKey')), stack.apiKey);
    assert.match((await page.locator('#zone').textContent()) ?? '', ZONE_NAME);

    // The timeline of the shown local day: exactly the API's availability, gaps between the ranges.
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('#track .range').length > 0);
    const day = await page.locator('#day').inputValue();
    const [y, m, d] = day.split('-').map(Number);
    const offsetMs = 5.5 * 3_600_000; // Asia/Kolkata is UTC+05:30 all year
    const dayStartMs = Date.UTC(y, m - 1, d) - offsetMs;
    const q = new URLSearchParams({ precision: 'full', startTime: new Date(dayStartMs).toISOString(), endTime: new Date(dayStartMs + 86_400_000).toISOString() });
    const availRes = await fetch(`${stack.apiBase}/cameras/${CAMERA}/availableMedia?${q}`, { headers: headers() });
    assert.equal(availRes.status, 200, await availRes.clone().text());
    const { timeRanges } = (await availRes.json()) as { timeRanges: Array<{ start: string; end: string }> };
    assert.ok(timeRanges.length >= 2, `the camera stop makes a gap: ${JSON.stringify(timeRanges)}\n${printed.slice(-30).join('\n')}`);
    const shown = await page.locator('#track .range').evaluateAll((els) => els.map((e) => ({ start: e.getAttribute('data-start'), end: e.getAttribute('data-end') })));
    assert.deepEqual(shown, timeRanges.map((r) => ({ start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString() })));
    const gaps = await page.locator('#track .gap').evaluateAll((els) => els.map((e) => ({ start: String(e.getAttribute('data-start')), end: String(e.getAttribute('data-end')) })));
    assert.equal(gaps.length, timeRanges.length - 1);
    const cameraGap = gaps.find((g) => Date.parse(g.start) < restartedAtMs && Date.parse(g.end) > stoppedAtMs);
    assert.ok(cameraGap, `a gap spans the camera's stop (${new Date(stoppedAtMs).toISOString()} .. ${new Date(restartedAtMs).toISOString()}): ${JSON.stringify(gaps)}`);
    assert.ok(Date.parse(cameraGap.end) - Date.parse(cameraGap.start) >= 4_000, `gap of ≥ 2 segments: ${JSON.stringify(cameraGap)}`);
    assert.equal(await page.locator('#track .marker').count(), timeRanges.length, 'one recording-start marker per range');
    // The EVR recording is a marker of its own, with its signals in the title.
    await page.locator('#track .recording').first().waitFor();
    assert.deepEqual(await page.locator('#track .recording').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { recordingId: string } }).dataset.recordingId)), [recordingId]);
    assert.match((await page.locator('#track .recording').getAttribute('title')) ?? '', /1 signal\(s\): door/);

    // Times are the browser zone's, formatted with Intl.
    const fmt = new Intl.DateTimeFormat(BROWSER_LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: BROWSER_ZONE });
    const fmtHm = new Intl.DateTimeFormat(BROWSER_LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: BROWSER_ZONE });
    const first = timeRanges[0];
    assert.equal(await page.locator('#track .range').first().getAttribute('title'), `recorded ${fmt.format(new Date(first.start))} – ${fmt.format(new Date(first.end))}`);
    const ticks = await page.locator('#ticks span').evaluateAll((els) => els.map((e) => ({ time: String(e.getAttribute('data-time')), label: String(e.textContent) })));
    assert.ok(ticks.length >= 3, JSON.stringify(ticks));
    const fmtTick = (t: string) => (ticks.length > 1 && Date.parse(ticks[1].time) - Date.parse(ticks[0].time) < 60_000 ? fmt : fmtHm).format(new Date(t));
    for (const t of ticks) assert.equal(t.label, fmtTick(t.time), `tick at ${t.time} is labelled in ${BROWSER_ZONE}`);

    // Click the recording marker: it plays through the recording's own playback route.
    await page.locator('#track .recording').click();
    await page.waitForFunction(() => /^Playing recording from /.test((globalThis as unknown as PageGlobals).document.querySelector('#status').textContent ?? ''), undefined, { timeout: 20_000 });
    await page.waitForFunction(() => {
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video');
      return !v.paused && v.readyState >= 2;
    }, undefined, { timeout: 20_000 });
    assert.ok(requested.some((u) => u.includes(`/recordings/${recordingId}/playback`)), 'the recording was opened through its playback route');

    // Click in the second range: play starts there and the video's currentTime advances.
    await page.locator('#track .range').nth(1).click();
    await page.waitForFunction(() => {
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video');
      return !v.paused && v.readyState >= 2;
    }, undefined, { timeout: 20_000 });
    const t1 = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('video').currentTime);
    await page.waitForFunction((t) => (globalThis as unknown as PageGlobals).document.querySelector('video').currentTime >= t + 1.5, t1, { timeout: 15_000 });
    const nowPlaying = (await page.locator('#now-playing').textContent()) ?? '';
    assert.match(nowPlaying, new RegExp(`^Showing .*\\(${ZONE_NAME.source}\\)$`));

    // Drag over the first half of the timeline: the selection fills the export inputs with local date-times.
    const timeline = (await page.locator('#timeline').boundingBox())!;
    await page.mouse.move(timeline.x + 10, timeline.y + 20);
    await page.mouse.down();
    await page.mouse.move(timeline.x + timeline.width / 2, timeline.y + 20, { steps: 5 });
    await page.mouse.up();
    assert.equal(await page.locator('#selection').isVisible(), true);
    const selected = { start: (await page.locator('#selection').getAttribute('data-start'))!, end: (await page.locator('#selection').getAttribute('data-end'))! };
    const view = { start: Date.parse((await page.locator('#timeline').getAttribute('data-view-start'))!), end: Date.parse((await page.locator('#timeline').getAttribute('data-view-end'))!) };
    const expectedMs = (x: number) => view.start + ((x - timeline.x) / timeline.width) * (view.end - view.start);
    const pxMs = (view.end - view.start) / timeline.width;
    assert.ok(Math.abs(Date.parse(selected.start) - expectedMs(timeline.x + 10)) <= 2 * pxMs, `selection start ${selected.start}`);
    assert.ok(Math.abs(Date.parse(selected.end) - expectedMs(timeline.x + timeline.width / 2)) <= 2 * pxMs, `selection end ${selected.end}`);
    /** `YYYY-MM-DDTHH:mm:ss` in the browser zone (UTC+05:30), as a datetime-local input shows it. */
    const localInput = (t: string) => new Date(Math.floor(Date.parse(t) / 1000) * 1000 + offsetMs).toISOString().slice(0, 19).replace(/:00$/, ''); // HTML drops :00 seconds
    assert.equal(await page.locator('#sel-start').inputValue(), localInput(selected.start));
    assert.equal(await page.locator('#sel-end').inputValue(), localInput(selected.end));

    assert.equal(await page.locator('#key-form').isVisible(), false, 'the key form is gone once the key is accepted');
    assert.equal(await page.locator('#playhead').isVisible(), true, 'the playhead marks the frame shown');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer.png'), fullPage: true });

    // "Day" shows the whole local day: ticks from local midnight every 3 h.
    await page.locator('#zoom-day').click();
    assert.deepEqual(await page.locator('#ticks span').allTextContents(), ['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);

    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
    assert.deepEqual(requested.filter((u) => u.includes(stack.apiKey) || u.includes(encodeURIComponent(stack.apiKey))), [], 'the key is never in a URL');
  });
});
