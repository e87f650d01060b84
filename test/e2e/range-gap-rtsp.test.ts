import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { agentSegments, type AgentSegment } from '../helpers/e2e';
import { waitFor } from '../helpers/wait';
import { decodeFully, type DecodeResult } from '../helpers/ffmpeg';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';

const SEGMENT_LENGTH = 'PT2S';
const SEGMENT_MS = 2000;
const CAMERA = 'cam-gap';
/** First recording run: long enough for a 30 s export inside it (after connecting, and the start a B-frame stream drops). */
const FIRST_RUN_MS = 38_000;
/** The camera is gone this long: ≥ 2 segments. */
const OUTAGE_MS = 7_000;
/** Segments wanted after the camera is back. */
const SECOND_RUN_SEGMENTS = 3;


const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Like decodeFully, but with `-vsync drop` on the output: frames get fresh timestamps from the frame rate. Needed across
 * a session restart: the npm ffmpeg (4.1) HLS demuxer does not re-base timestamps at `#EXT-X-DISCONTINUITY`, and
 * the last frames of a session cut by the camera going away may repeat a DTS, so the null muxer would report
 * "non monotonically increasing dts" for media that decodes fine. Decoder errors (corrupt or missing data) still show,
 * and `decodedS` is then frames ÷ frame rate, the media's real length.
 */
function decodeAcrossRestarts(input: string): Promise<DecodeResult> {
  return decodeFully(input, [], 60_000, ['-vsync', 'drop']);
}

describe('HLS by range and MP4 export across a real gap: RTSP camera stops and comes back', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  let produced: AgentSegment[] = [];
  /** Index of the first segment after the gap. */
  let afterGap = -1;
  const printed: string[] = [];
  const headers = () => ({ 'x-functions-key': stack.apiKey });

  before(async () => {
    const mounts = { '/person': mediaPath('one-by-one-person-detection.mp4') };
    rtsp = await startRtspServer({ mounts });
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'kw-e2e-gap-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: rtsp.urls['/person'] }],
      segmentLength: SEGMENT_LENGTH,
      agentLogLevel: 'debug',
      print: (l) => printed.push(l),
    });
    await new Promise((r) => setTimeout(r, FIRST_RUN_MS));
    await rtsp.stop();
    const stoppedMs = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    rtsp = await startRtspServer({ mounts, port: rtsp.port });
    await waitFor(`${SECOND_RUN_SEGMENTS} segments after the camera came back`, 40_000, () =>
      agentSegments(stack, CAMERA).filter((s) => s.startMs > stoppedMs).length >= SECOND_RUN_SEGMENTS ? true : undefined,
    );
    const exited = new Promise((r) => stack.agent.once('exit', r));
    stack.agent.kill('SIGTERM');
    await exited;
    produced = agentSegments(stack, CAMERA);
    const lastEnd = produced[produced.length - 1].startMs + produced[produced.length - 1].durationMs;
    await waitFor('the last segment in the index', 15_000, async () => {
      const body = (await (await fetch(`${stack.apiBase}/cameras`, { headers: headers() })).json()) as { cameras: Array<{ id: string; lastRecorded?: string }> };
      const cam = body.cameras.find((c) => c.id === CAMERA);
      return cam?.lastRecorded && Date.parse(cam.lastRecorded) >= lastEnd ? true : undefined;
    });
    afterGap = produced.findIndex((s, i) => i > 0 && s.startMs > produced[i - 1].startMs + produced[i - 1].durationMs);
  });

  after(async () => {
    await stack?.stop();
    await rtsp?.stop();
  });

  it('the recording has one gap of at least two segments', () => {
    assert.ok(afterGap > 0, `no gap among ${produced.length} segments\n${printed.slice(-30).join('\n')}`);
    const holes = produced.filter((s, i) => i > 0 && s.startMs > produced[i - 1].startMs + produced[i - 1].durationMs);
    assert.equal(holes.length, 1, 'exactly one gap');
    const before = produced[afterGap - 1];
    assert.ok(produced[afterGap].startMs - (before.startMs + before.durationMs) >= 2 * SEGMENT_MS, 'gap ≥ 2 segments');
  });

  it('a range reaching into gaps on both sides is snapped; its playlist has a discontinuity at the gap and decodes end to end', async () => {
    const first = produced[0];
    const last = produced[produced.length - 1];
    const q = new URLSearchParams({ start: iso(first.startMs - 60_000), end: iso(last.startMs + last.durationMs + 60_000) });
    const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/playback?${q}`, { headers: headers() });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { hlsUrl: string; start: string; end: string; ranges: Array<{ start: string; end: string }> };
    assert.equal(body.start, iso(first.startMs), 'start snapped to the first stored instant');
    assert.equal(body.end, iso(last.startMs + last.durationMs), 'end snapped to the last stored instant');
    const beforeGap = produced[afterGap - 1];
    assert.deepEqual(body.ranges, [
      { start: iso(first.startMs), end: iso(beforeGap.startMs + beforeGap.durationMs) },
      { start: iso(produced[afterGap].startMs), end: iso(last.startMs + last.durationMs) },
    ]);

    const playlist = await (await fetch(body.hlsUrl)).text();
    const lines = playlist.split('\n');
    assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1, playlist);
    assert.equal(lines[lines.indexOf('#EXT-X-DISCONTINUITY') + 1], `#EXT-X-PROGRAM-DATE-TIME:${iso(produced[afterGap].startMs)}`);
    assert.equal((playlist.match(/#EXTINF/g) ?? []).length, produced.length);

    const decoded = await decodeAcrossRestarts(body.hlsUrl);
    assert.equal(decoded.code, 0);
    assert.deepEqual(decoded.errors, [], 'ffmpeg decodes across the discontinuity without errors');
    const mediaS = produced.reduce((s, p) => s + p.durationMs, 0) / 1000;
    assert.ok(Math.abs(decoded.decodedS - mediaS) <= 2 * SEGMENT_MS / 1000, `decoded ${decoded.decodedS} s of ${mediaS} s of media`);
  });

  it('without start and end: the most recent media, ending at the last recorded instant', async () => {
    const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/playback`, { headers: headers() });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { start: string; end: string };
    const last = produced[produced.length - 1];
    assert.equal(body.start, iso(produced[0].startMs));
    assert.equal(body.end, iso(last.startMs + last.durationMs));
  });

  it('the MP4 export of a 30 s range decodes fully and lasts 30 s ± one segment', async () => {
    const startMs = produced[0].startMs + 1000;
    const q = new URLSearchParams({ start: iso(startMs), end: iso(startMs + 30_000) });
    const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/export.mp4?${q}`, { headers: headers() });
    assert.equal(res.status, 200, res.status === 200 ? '' : await res.clone().text());
    assert.equal(res.headers.get('keepwatch-gaps'), '');
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="${CAMERA}_\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ_PT30S\\.mp4"$`));
    const file = path.join(os.tmpdir(), `kw-e2e-export-${process.pid}.mp4`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const decoded = await decodeFully(file);
    rmSync(file, { force: true });
    assert.equal(decoded.code, 0);
    assert.deepEqual(decoded.errors, []);
    assert.ok(Math.abs(decoded.decodedS - 30) <= SEGMENT_MS / 1000, `the MP4 lasts ${decoded.decodedS} s`);
  });

  it('the MP4 export across the gap lists it in Keepwatch-Gaps and decodes as one continuous file', async () => {
    const first = produced[0];
    const last = produced[produced.length - 1];
    const beforeGap = produced[afterGap - 1];
    const q = new URLSearchParams({ start: iso(beforeGap.startMs), end: iso(last.startMs + last.durationMs) });
    const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/export.mp4?${q}`, { headers: headers() });
    assert.equal(res.status, 200, res.status === 200 ? '' : await res.clone().text());
    assert.equal(res.headers.get('keepwatch-gaps'), `${iso(beforeGap.startMs + beforeGap.durationMs)}/${iso(produced[afterGap].startMs)}`);
    const file = path.join(os.tmpdir(), `kw-e2e-export-gap-${process.pid}.mp4`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const decoded = await decodeAcrossRestarts(file);
    rmSync(file, { force: true });
    assert.equal(decoded.code, 0);
    assert.deepEqual(decoded.errors, []);
    const mediaS = produced.slice(afterGap - 1).reduce((s, p) => s + p.durationMs, 0) / 1000;
    assert.ok(Math.abs(decoded.decodedS - mediaS) <= SEGMENT_MS / 1000, `the MP4 lasts ${decoded.decodedS} s for ${mediaS} s of media (gap left out)`);
    assert.ok(first.startMs < beforeGap.startMs);
  });
});
