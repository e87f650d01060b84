import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { decodeFully } from '../helpers/ffmpeg';
import { parseLivePlaylist, type LivePlaylist } from '../helpers/live-playlist';
import { waitFor } from '../helpers/wait';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';

/**
 * Live HLS from the cloud, end to end: a real RTSP camera (GStreamer serving a real clip) recorded by the agent in
 * PT2S segments, uploaded to Azurite, indexed by the local Functions host; `GET /live` hands out the signed live
 * playlist, which grows between reloads with consistent media sequence numbers; hls.js in Debian's Chromium plays it
 * across reloads; ffmpeg reads it as a live stream for 20 s without an error.
 */
const CAMERA = 'cam-live';
const SEGMENT_LENGTH = 'PT2S';
/** Chromium flags for a machine without network: no background connections that would fail and log. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The bits of the page's globals the in-page functions touch (the project compiles without the DOM lib). */
interface LivePage {
  liveVideo: { currentTime: number; paused: boolean; readyState: number; muted: boolean; play(): Promise<void> };
  liveErrors: string[];
  liveEvents: string[];
}

/** What the page script sees of hls.js and the DOM (the global `Hls` the viewer page loads from /api/viewer/hls.min.js). */
interface HlsGlobals {
  Hls: {
    new (): {
      on(event: string, f: (e: unknown, d: { fatal?: boolean; type?: string; details?: string | { startSN: number; endSN: number }; frag?: { sn: number } }) => void): void;
      loadSource(url: string): void;
      attachMedia(video: unknown): void;
    };
    Events: Record<'ERROR' | 'LEVEL_LOADED' | 'FRAG_BUFFERED' | 'MANIFEST_PARSED', string>;
  };
  document: { createElement(tag: 'video'): LivePage['liveVideo'] & { setAttribute(k: string, v: string): void }; body: { append(e: unknown): void } };
}

/**
 * Starts hls.js on `hlsUrl` in a video element of its own, inside the viewer page (a page the API's own origin serves,
 * with hls.js loaded; Chromium lets it reach the loopback blob endpoint, and Azurite's CORS rule admits the viewer's
 * origin). Runs in the page.
 */
function startLivePlayer(hlsUrl: string): void {
  const g = globalThis as unknown as LivePage & HlsGlobals;
  g.liveErrors = [];
  g.liveEvents = [];
  const video = g.document.createElement('video');
  video.muted = true;
  video.setAttribute('playsinline', '');
  g.document.body.append(video);
  g.liveVideo = video;
  const hls = new g.Hls();
  hls.on(g.Hls.Events.ERROR, (_e, d) => {
    if (d.fatal) g.liveErrors.push(`${d.type}: ${String(d.details)}`);
    else g.liveEvents.push(`error ${String(d.details)}`);
  });
  hls.on(g.Hls.Events.LEVEL_LOADED, (_e, d) => {
    const details = d.details as { startSN: number; endSN: number };
    g.liveEvents.push(`level ${details.startSN}..${details.endSN}`);
  });
  hls.on(g.Hls.Events.FRAG_BUFFERED, (_e, d) => g.liveEvents.push(`buffered ${d.frag?.sn}`));
  hls.on(g.Hls.Events.MANIFEST_PARSED, () => {
    video.play().catch((e: Error) => g.liveErrors.push(`play: ${e.message}`));
  });
  hls.loadSource(hlsUrl);
  hls.attachMedia(video);
}

describe('live HLS end to end: real RTSP camera → agent → Blob → index → live playlist → hls.js and ffmpeg', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  let context: BrowserContext | undefined;
  const printed: string[] = [];
  let hlsUrl = '';

  const headers = () => ({ 'x-functions-key': stack.apiKey });
  const reload = async (): Promise<LivePlaylist> => {
    const res = await fetch(hlsUrl);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    return parseLivePlaylist(await res.text());
  };

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/cam': mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'kw-live-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: rtsp.urls['/cam'] }],
      segmentLength: SEGMENT_LENGTH,
      print: (l) => printed.push(l),
    });
  });

  after(async () => {
    await context?.close();
    await stack?.stop();
    await rtsp?.stop();
  });

  it('answers a signed live URL, keyed like playback: 404 before anything is recorded, 401 without the key', async () => {
    assert.equal((await fetch(`${stack.apiBase}/cameras/${CAMERA}/live`)).status, 401);
    assert.equal((await fetch(`${stack.apiBase}/cameras/Bad_Id/live`, { headers: headers() })).status, 400);
    // The camera is known once its first segment is indexed.
    const body = await waitFor('the camera in the index', 60_000, async () => {
      const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/live`, { headers: headers() });
      if (res.status === 404) return undefined;
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as { hlsUrl: string; expiresAt: string; mode: string; coverage: string };
    });
    assert.equal(body.mode, 'cvr');
    assert.equal(body.coverage, 'continuous');
    const ttlMs = Date.parse(body.expiresAt) - Date.now();
    assert.ok(ttlMs > 11 * 3_600_000 && ttlMs <= 12 * 3_600_000, `a live URL lives KEEPWATCH_LIVE_TTL (PT12H): ${body.expiresAt}`);
    hlsUrl = body.hlsUrl;
    assert.match(hlsUrl, new RegExp(`^${stack.apiBase}/cameras/${CAMERA}/live\\.m3u8\\?expires=\\d+&kid=[\\w-]{11}&sig=[\\w-]{43}$`));
    // The token is the authentication: altered, it is refused.
    const altered = new URL(hlsUrl);
    altered.searchParams.set('expires', String(Date.parse(body.expiresAt) + 60_000));
    assert.equal((await fetch(altered)).status, 401);
    const otherCamera = hlsUrl.replace(`/cameras/${CAMERA}/`, '/cameras/cam-other/');
    assert.equal((await fetch(otherCamera)).status, 401);
  });

  it('grows between reloads: newer segments appear, each keeps its media sequence number, the window slides', async () => {
    const first = await waitFor('3 segments in the live playlist', 30_000, async () => {
      const p = await reload();
      return p.segments.length >= 3 ? p : undefined;
    });
    assert.equal(first.endList, false, 'no #EXT-X-ENDLIST');
    assert.equal(first.playlistType, undefined, 'a sliding window declares no playlist type');
    assert.ok(first.targetDurationS >= 2 && first.targetDurationS <= 3, `target duration ${first.targetDurationS}`);
    const newestMs = Date.parse(first.segments.at(-1)!.programDateTime);
    assert.ok(Date.now() - newestMs < 15_000, `the newest segment is live: started ${Date.now() - newestMs} ms ago`);
    // Reload until the window has moved by ≥ 3 segments (≥ 6 s of new footage), checking every reload.
    const seen = new Map<string, number>();
    for (const s of first.segments) seen.set(s.programDateTime, s.mediaSequence);
    let last = first;
    await waitFor('the live playlist to move by 3 segments', 40_000, async () => {
      await new Promise((r) => setTimeout(r, 1000));
      const p = await reload();
      assert.equal(p.endList, false);
      assert.ok(p.segments.length <= 6, `a window of at most 6 segments: ${p.segments.length}`);
      assert.ok(p.mediaSequence >= last.mediaSequence, `media sequence never goes back: ${last.mediaSequence} → ${p.mediaSequence}`);
      for (const s of p.segments) {
        const before = seen.get(s.programDateTime);
        if (before !== undefined) assert.equal(s.mediaSequence, before, `segment ${s.programDateTime} kept its number`);
        seen.set(s.programDateTime, s.mediaSequence);
        assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/[^?]+\.ts\?.*sig=/, 'segment URLs are signed blob URLs');
      }
      last = p;
      return p.mediaSequence >= first.mediaSequence + 3 ? p : undefined;
    });
    assert.ok(Date.parse(last.segments.at(-1)!.programDateTime) > newestMs, 'the playlist grew');
    assert.equal(last.discontinuitySequence, first.discontinuitySequence, 'one continuous session: no discontinuity');
    // A segment URL of the live playlist is its stored blob.
    const res = await fetch(last.segments.at(-1)!.url);
    assert.equal(res.status, 200);
    assert.ok((await res.arrayBuffer()).byteLength > 1000);
  });

  it('plays in Chromium with hls.js: currentTime advances past two playlist reloads, without errors', async () => {
    context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'kw-chromium-')), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    const reloads: number[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => {
      if (r.url().includes('/live.m3u8')) reloads.push(Date.now());
    });
    // With `#key=` the page loads as the administrator's viewer and never redirects to the stack's sign-in issuer.
    await page.goto(`${stack.apiBase}/viewer#key=${encodeURIComponent(stack.apiKey)}`);
    await page.waitForFunction(() => typeof (globalThis as unknown as Partial<HlsGlobals>).Hls === 'function');
    await page.evaluate(startLivePlayer, hlsUrl);
    await page
      .waitForFunction(() => {
        const v = (globalThis as unknown as LivePage).liveVideo;
        return !v.paused && v.readyState >= 2 && v.currentTime > 0;
      }, undefined, { timeout: 30_000 })
      .catch(async (err: Error) => {
        const state = await page.evaluate(() => {
          const g = globalThis as unknown as LivePage;
          const v = g.liveVideo;
          return { paused: v.paused, readyState: v.readyState, currentTime: v.currentTime, errors: g.liveErrors, events: g.liveEvents?.slice(-20) };
        });
        throw new Error(`${err.message}: video never played: ${JSON.stringify(state)}; ${reloads.length} reloads; ${problems.join('; ')}`);
      });
    const t0 = await page.evaluate(() => (globalThis as unknown as LivePage).liveVideo.currentTime);
    const reloadsAtStart = reloads.length;
    // Two reloads after playback started, and the video still moving past them.
    await waitFor('two playlist reloads while playing', 30_000, () => (reloads.length >= reloadsAtStart + 2 ? true : undefined));
    await page.waitForFunction((t) => (globalThis as unknown as LivePage).liveVideo.currentTime >= t + 4, t0, { timeout: 20_000 });
    const reloadsDuring = reloads.length - reloadsAtStart;
    const t1 = await page.evaluate(() => (globalThis as unknown as LivePage).liveVideo.currentTime);
    assert.ok(reloadsDuring >= 2, `${reloadsDuring} reloads while currentTime went ${t0} → ${t1}`);
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as LivePage).liveErrors), [], 'no fatal hls.js error');
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
    await context.close();
    context = undefined;
  });

  it('is read by ffmpeg as a live stream for 20 s without an error', async () => {
    const t0 = Date.now();
    const decoded = await decodeFully(hlsUrl, [], 90_000, ['-t', '20']);
    assert.equal(decoded.code, 0, decoded.errors.join('\n'));
    assert.deepEqual(decoded.errors, [], 'ffmpeg reads the live playlist without errors');
    assert.ok(decoded.decodedS >= 19.5, `decoded ${decoded.decodedS} s`);
    // A live stream is read at the camera's pace: 20 s of video needs real time beyond what the window held (≤ 12 s).
    assert.ok(Date.now() - t0 >= 7_000, `read in ${Date.now() - t0} ms: it waited for new segments, as for a live stream`);
  });
});
