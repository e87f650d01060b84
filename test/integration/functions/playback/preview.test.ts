import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { segmentBlobName, SEGMENT_CONTENT_TYPE } from '../../../../shared/contracts/blob-naming';
import { previewBlobName } from '../../../../shared/contracts/preview-blob-naming';
import { DAY_MS, toIso } from '../../../../shared/time';
import { defaultDeps } from '../../../../functions/deps';
import { applyCameraRetention } from '../../../../functions/retention/retention-camera';
import { resetSettings } from '../../../../functions/settings';
import { startFunctionsHost, type FunctionsHost } from '../../../../local/functions-host';
import { silentLogger } from '../../../../local/host-logger';
import { cutClipSegments, type ClipSegment } from '../../../../testbed/clip-segments';
import { mediaPath } from '../../../../testbed/rtsp-server';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { DEBIAN_FFPROBE } from '../../../helpers/camera-clips';
import { FFMPEG } from '../../../helpers/ffmpeg';
import { batchContext, segmentEvent, TEST_SECRET, viaEventGrid } from '../../../helpers/functions-fixtures';
import { grayPicture, meanAbsoluteDifference } from '../../../helpers/gray-frames';
import { ingestStored } from '../../../helpers/segment-blob-fixtures';

const API_KEY = 'preview-test-key-42';
const CLIP = mediaPath('one-by-one-person-detection.mp4'); // 768x432, 10 fps, a keyframe every second, people walking
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
/** cam2, for the retention case: two segments on another day. */
const T2 = Date.UTC(2026, 10, 23, 8, 0, 0);
/** Stored segments of cam1: the clip's first 12 segments (≈ 4 s each) but the 6th, which leaves a gap. */
const GAP_INDEX = 5;
/** Grey comparison size (the small class of a 16:9 camera) and the largest mean difference that still counts as "the same frame". */
const CMP = { width: 320, height: 180 };
const SAME_FRAME_MAX_MAD = 3;

interface Placed {
  startMs: number;
  durationMs: number;
  seg: ClipSegment;
}

async function probeImage(jpeg: Uint8Array): Promise<{ codec: string; width: number; height: number }> {
  const child = execFile(DEBIAN_FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', '-i', 'pipe:0']);
  const out = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d) => (text += d));
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`ffprobe exited ${code}`))));
  });
  child.stdin!.end(jpeg);
  const s = (JSON.parse(await out) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams[0];
  return { codec: s.codec_name, width: s.width, height: s.height };
}

describe('preview images (real clip segments in Azurite, real ffmpeg, local host)', () => {
  let azurite: AzuriteInstance;
  let host: FunctionsHost;
  let api: string;
  let container: ContainerClient;
  const savedEnv = { ...process.env };
  const cam1: Placed[] = [];
  const cam2: Placed[] = [];

  before(async () => {
    azurite = await startAzurite();
    Object.assign(process.env, {
      KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
      KEEPWATCH_TABLE_PREFIX: 'preview',
      KEEPWATCH_RECORDINGS_CONTAINER: 'preview-recordings',
      KEEPWATCH_OFFLINE_HORIZON: 'P3650D', // the seed has fixed dates
    });
    resetSettings();
    host = await startFunctionsHost({ port: 0, host: '127.0.0.1', apiKey: API_KEY, logger: silentLogger, timers: false });
    api = `${host.url}/api`;
    const segments = await cutClipSegments(FFMPEG, CLIP, 4);
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('preview-recordings');
    await container.createIfNotExists();
    const place = (list: Placed[], baseMs: number, seg: ClipSegment) => {
      const startMs = baseMs + Math.round(seg.startS * 1000);
      list.push({ startMs, durationMs: Math.round((seg.startS + seg.durationS) * 1000) - Math.round(seg.startS * 1000), seg });
    };
    segments.slice(0, 12).forEach((seg, i) => i !== GAP_INDEX && place(cam1, T0, seg));
    segments.slice(0, 2).forEach((seg) => place(cam2, T2, seg));
    const events: unknown[] = [];
    for (const [cameraId, list] of [['cam1', cam1], ['cam2', cam2]] as const) {
      for (const p of list) {
        await container.getBlockBlobClient(segmentBlobName(cameraId, p.startMs)).uploadData(p.seg.bytes, { blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE } });
        events.push(viaEventGrid(segmentEvent({ cameraId, startMs: p.startMs, durationMs: p.durationMs, bytes: p.seg.bytes.length })));
      }
    }
    const context = batchContext();
    const summary = await ingestStored(events, context, defaultDeps());
    assert.equal(summary.accepted, events.length, JSON.stringify(context.logs.filter((l) => l.level !== 'information').slice(0, 3)));
  });

  after(async () => {
    await host?.close();
    await azurite?.stop();
    process.env = savedEnv;
    resetSettings();
  });

  const previewUrl = (cameraId: string, timeMs?: number, size?: string) =>
    `${api}/cameras/${cameraId}/preview?${new URLSearchParams({ ...(timeMs === undefined ? {} : { time: toIso(timeMs) }), ...(size ? { size } : {}) })}`;
  const withKey = (url: string) => fetch(url, { headers: { 'x-functions-key': API_KEY } });
  async function image(res: Response): Promise<Uint8Array> {
    assert.equal(res.status, 200, res.status === 200 ? '' : await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    return new Uint8Array(await res.arrayBuffer());
  }
  async function expectError(res: Response, status: number, code: string, message?: RegExp): Promise<{ code: string; message: string; details?: Record<string, string> }> {
    const body = (await res.json()) as { error: { code: string; message: string; details?: Record<string, string> } };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    if (message) assert.match(body.error.message, message);
    return body.error;
  }
  /** Mean absolute differences of a preview against the source clip's frames at each of `atS` (grey, same size). */
  async function differences(jpeg: Uint8Array, ...atS: number[]): Promise<number[]> {
    const mine = await grayPicture(jpeg, CMP);
    return Promise.all(atS.map(async (s) => meanAbsoluteDifference(mine, await grayPicture(CLIP, { ...CMP, atS: s }))));
  }

  it('small: a 320 px JPEG of the frame shown at that time — the source frame there, not the one before it nor a second earlier', async () => {
    const t = T0 + 18_300; // a person walks out: every frame differs from the last
    const res = await withKey(previewUrl('cam1', t, 'small'));
    const jpeg = await image(res);
    assert.equal(res.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.equal(res.headers.get('keepwatch-preview-time'), toIso(t));
    assert.equal(res.headers.get('keepwatch-preview-cache'), 'miss');
    assert.deepEqual(await probeImage(jpeg), { codec: 'mjpeg', width: 320, height: 180 });
    const [same, previousFrame, secondEarlier] = await differences(jpeg, 18.3, 18.2, 17.3);
    assert.ok(same < SAME_FRAME_MAX_MAD, `preview vs source at 18.3 s: mean difference ${same.toFixed(2)} ≥ ${SAME_FRAME_MAX_MAD}`);
    assert.ok(previousFrame > same, `the frame before (18.2 s) matches as well: ${previousFrame.toFixed(2)} vs ${same.toFixed(2)}`);
    assert.ok(secondEarlier > SAME_FRAME_MAX_MAD && secondEarlier > 2 * same, `a second earlier (17.3 s): ${secondEarlier.toFixed(2)} vs ${same.toFixed(2)}`);
  });

  it('between frames it is the last frame at or before the instant; medium is 640 px, large the camera\'s 768 px (never scaled up)', async () => {
    const medium = await image(await withKey(previewUrl('cam1', T0 + 7_149, 'medium'))); // frames at 7.1 and 7.2 s
    assert.deepEqual(await probeImage(medium), { codec: 'mjpeg', width: 640, height: 360 });
    const [at71, at72] = await differences(medium, 7.1, 7.2);
    assert.ok(at71 < SAME_FRAME_MAX_MAD && at72 > at71, `7.149 s: vs 7.1 s ${at71.toFixed(2)}, vs 7.2 s ${at72.toFixed(2)}`);
    const large = await image(await withKey(previewUrl('cam1', T0 + 33_000, 'large')));
    assert.deepEqual(await probeImage(large), { codec: 'mjpeg', width: 768, height: 432 });
    const [sameLarge] = await differences(large, 33.0);
    assert.ok(sameLarge < SAME_FRAME_MAX_MAD, `large at 33 s: ${sameLarge.toFixed(2)}`);
    const byDefault = await withKey(previewUrl('cam1', T0 + 33_000));
    assert.deepEqual(await probeImage(await image(byDefault)), { codec: 'mjpeg', width: 640, height: 360 }, 'medium when size is absent');
  });

  it('the second request is served from the cache blob beside the camera\'s segments, byte for byte', async () => {
    const t = T0 + 26_500;
    const first = await withKey(previewUrl('cam1', t, 'small'));
    const firstBytes = await image(first);
    assert.equal(first.headers.get('keepwatch-preview-cache'), 'miss');
    const holder = cam1.find((p) => p.startMs <= t && t < p.startMs + p.durationMs)!;
    const name = previewBlobName('cam1', holder.startMs, t, 'small');
    assert.match(name, /^cam1\/previews\/2026\/11\/21\/10\//);
    const props = await container.getBlobClient(name).getProperties();
    assert.equal(props.contentType, 'image/jpeg');
    assert.deepEqual(await container.getBlobClient(name).getTags().then((r) => r.tags), { 'keepwatch-backstop': 'eligible' });
    const second = await withKey(previewUrl('cam1', t, 'small'));
    assert.equal(second.headers.get('keepwatch-preview-cache'), 'hit');
    assert.deepEqual(await image(second), firstBytes);
  });

  it('without time: the latest image (last frame of the last segment), kept by browsers 5 s only', async () => {
    const last = cam1[cam1.length - 1];
    const res = await withKey(previewUrl('cam1', undefined, 'small'));
    const jpeg = await image(res);
    assert.equal(res.headers.get('cache-control'), 'private, max-age=5');
    assert.equal(res.headers.get('keepwatch-preview-time'), toIso(last.startMs + last.durationMs - 1));
    const lastFrameS = (last.startMs + last.durationMs - T0) / 1000 - 0.1; // 10 fps: the last frame starts 0.1 s before the end
    const [same, secondEarlier] = await differences(jpeg, lastFrameS, lastFrameS - 1);
    assert.ok(same < SAME_FRAME_MAX_MAD, `latest vs source at ${lastFrameS.toFixed(1)} s: ${same.toFixed(2)}`);
    assert.ok(secondEarlier > same, `a second earlier: ${secondEarlier.toFixed(2)} vs ${same.toFixed(2)}`);
  });

  it('404 with the nearest recorded instants in a gap and before the archive; 404 for an unknown camera; 400 for a bad time or size; 401 without the key', async () => {
    const before = cam1[GAP_INDEX - 1];
    const afterGap = cam1[GAP_INDEX];
    const inGap = before.startMs + before.durationMs + 1000;
    const gap = await expectError(await withKey(previewUrl('cam1', inGap)), 404, 'NoMediaAtTime', /no recorded media at .*last recorded before it: .*next recorded: /);
    assert.deepEqual(gap.details, { before: toIso(before.startMs + before.durationMs - 1), after: toIso(afterGap.startMs) });
    const early = await expectError(await withKey(previewUrl('cam1', T0 - 5000)), 404, 'NoMediaAtTime');
    assert.deepEqual(early.details, { after: toIso(T0) });
    await expectError(await withKey(previewUrl('cam1', T0 - 3 * DAY_MS)), 404, 'NoMediaAtTime', /nothing recorded within a day/);
    await expectError(await withKey(previewUrl('cam9', T0)), 404, 'CameraNotFound');
    await expectError(await withKey(previewUrl('cam9')), 404, 'CameraNotFound');
    await expectError(await withKey(`${api}/cameras/cam1/preview?time=${toIso(T0 + 1000)}&size=huge`), 400, 'InvalidPreviewQuery', /size/);
    await expectError(await withKey(`${api}/cameras/cam1/preview?time=yesterday`), 400, 'InvalidPreviewQuery', /time.*ISO 8601/);
    await expectError(await fetch(previewUrl('cam1', T0 + 1000)), 401, 'Unauthorized');
  });

  it('thumbnails along a range: one per interval, each a segment\'s first frame, by signed URLs that open without a key and only inside their range', async () => {
    const start = T0 + 1000;
    const end = T0 + 41_000;
    const res = await withKey(`${api}/cameras/cam1/previews?start=${toIso(start)}&end=${toIso(end)}&interval=PT10S`);
    assert.equal(res.status, 200, res.status === 200 ? '' : await res.clone().text());
    const body = (await res.json()) as { previews: Array<{ time: string; url: string }>; expiresAt: string };
    // Grid points 1, 11, 21 (in the gap: the first segment after it), 31 s: the start of the segment that holds (or follows) each.
    const expected = [1000, 11_000, 21_000, 31_000].map((g) => {
      const holder = cam1.find((p) => p.startMs <= T0 + g && T0 + g < p.startMs + p.durationMs) ?? cam1.find((p) => p.startMs > T0 + g)!;
      return toIso(holder.startMs);
    });
    assert.deepEqual(body.previews.map((p) => p.time), [...new Set(expected)]);
    assert.ok(Date.parse(body.expiresAt) > Date.now());
    // The first thumbnail's segment began before `start`: its URL's signed range reaches back to it.
    assert.ok(Date.parse(body.previews[0].time) < start);
    assert.equal((await fetch(body.previews[0].url)).status, 200);
    const first = body.previews[1];
    const anonymous = await fetch(first.url);
    const jpeg = await image(anonymous);
    assert.deepEqual(await probeImage(jpeg), { codec: 'mjpeg', width: 320, height: 180 }, 'small by default');
    const [same] = await differences(jpeg, (Date.parse(first.time) - T0) / 1000);
    assert.ok(same < SAME_FRAME_MAX_MAD, `thumbnail at ${first.time}: ${same.toFixed(2)}`);
    const tampered = new URL(first.url);
    tampered.searchParams.set('sig', `${tampered.searchParams.get('sig')!.slice(0, -2)}AA`);
    await expectError(await fetch(tampered), 401, 'InvalidPlaybackToken');
    const outside = new URL(first.url);
    outside.searchParams.set('time', toIso(end + 1000));
    await expectError(await fetch(outside), 401, 'PreviewOutsideGrant');
    const otherCamera = first.url.replace('/cam1/', '/cam2/');
    await expectError(await fetch(otherCamera), 401, 'InvalidPlaybackToken');
    await expectError(await withKey(`${api}/cameras/cam1/previews?start=${toIso(start)}&end=${toIso(end)}&interval=PT1S`), 400, 'InvalidPreviewQuery', /interval: PT1S is outside PT2S\.\.PT1H/);
    await expectError(await withKey(`${api}/cameras/cam1/previews?start=${toIso(end)}&end=${toIso(start)}`), 400, 'InvalidPreviewQuery', /end: must be after start/);
  });

  it('the cache needs no segment, and retention deletes a segment\'s cached previews with it', async () => {
    const deps = defaultDeps();
    const t = cam2[0].startMs + 2000;
    await image(await withKey(previewUrl('cam2', t, 'small')));
    await image(await withKey(previewUrl('cam2', t, 'large')));
    const names = (['small', 'large'] as const).map((size) => previewBlobName('cam2', cam2[0].startMs, t, size));
    for (const name of names) assert.ok(await container.getBlobClient(name).exists(), `${name} cached`);
    await container.getBlobClient(segmentBlobName('cam2', cam2[0].startMs)).delete();
    const hit = await withKey(previewUrl('cam2', t, 'small'));
    assert.equal(hit.headers.get('keepwatch-preview-cache'), 'hit', 'served without the segment');
    await image(hit);

    const camera = (await deps.cameras.getCamera('cam2'))!;
    const result = await applyCameraRetention(camera, deps, T2 + 400 * DAY_MS);
    assert.equal(result.age.segments, 2);
    for (const name of names) assert.equal(await container.getBlobClient(name).exists(), false, `${name} deleted with its segment`);
    const left: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: 'cam2/' })) left.push(b.name);
    assert.deepEqual(left, []);
    assert.ok(await container.getBlobClient(previewBlobName('cam1', cam1.find((p) => p.startMs <= T0 + 26_500 && T0 + 26_500 < p.startMs + p.durationMs)!.startMs, T0 + 26_500, 'small')).exists(), "cam1's previews stay");
  });
});
