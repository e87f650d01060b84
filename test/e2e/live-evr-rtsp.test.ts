import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { decodeFully } from '../helpers/ffmpeg';
import { parseLivePlaylist } from '../helpers/live-playlist';
import { waitFor } from '../helpers/wait';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';

/**
 * Live view of an EVR camera, end to end: the RTSP camera recorded by the agent in EVR mode with no signal, so nothing
 * is uploaded while nobody watches; reloading its live playlist makes the cloud send an upload window to the agent
 * (the EVR upload-window command), segments start arriving within seconds, and the live playlist plays in ffmpeg.
 */
const CAMERA = 'cam-live-evr';
const SEGMENT_LENGTH = 'PT2S';

describe('live HLS of an EVR camera: uploads only while someone watches', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  const printed: string[] = [];

  const headers = () => ({ 'x-functions-key': stack.apiKey });
  const blobCount = async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(stack.container);
    let n = 0;
    for await (const b of container.listBlobsFlat({ prefix: `${CAMERA}/` })) if (b.name.endsWith('.ts')) n++;
    return n;
  };

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/cam': mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'kw-live-evr-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: rtsp.urls['/cam'], mode: 'evr' }],
      segmentLength: SEGMENT_LENGTH,
      policies: { [CAMERA]: { mode: 'evr', retention: { archive: 'P7D' }, evr: { signals: [{ type: 'door' }] } } },
      print: (l) => printed.push(l),
    });
  });

  after(async () => {
    await stack?.stop();
    await rtsp?.stop();
  });

  it('uploads nothing unwatched; a live viewer makes segments arrive, and ffmpeg plays them live', async () => {
    // The camera is known once the agent reported a cached segment (its EVR gate row), before anything is uploaded.
    const body = await waitFor('the EVR camera known to the cloud', 60_000, async () => {
      const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/live`, { headers: headers() });
      if (res.status === 404) return undefined;
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as { hlsUrl: string; mode: string; coverage: string };
    });
    assert.deepEqual([body.mode, body.coverage], ['evr', 'while-watched']);
    // Recording for a while with nobody watching: EVR uploads nothing.
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(await blobCount(), 0, 'no segment uploaded while nobody watches');

    // The first reload opens the window; the agent uploads the current segment and each one as it closes.
    const watchedAtMs = Date.now();
    const playlist = await waitFor('3 segments in the live playlist of the watched EVR camera', 40_000, async () => {
      const res = await fetch(body.hlsUrl);
      assert.equal(res.status, 200);
      const p = parseLivePlaylist(await res.text());
      await new Promise((r) => setTimeout(r, 1000));
      return p.segments.length >= 3 ? p : undefined;
    });
    const newest = Date.parse(playlist.segments.at(-1)!.programDateTime);
    assert.ok(newest >= watchedAtMs - 12_000, `the live window holds footage from around the first reload, not old recordings: ${playlist.segments.at(-1)!.programDateTime}`);
    assert.ok(Date.now() - newest < 15_000, `the newest segment is live: started ${Date.now() - newest} ms ago`);
    assert.ok((await blobCount()) >= 3);

    // ffmpeg reads it as a live stream; its reloads keep the window open.
    const decoded = await decodeFully(body.hlsUrl, [], 60_000, ['-t', '10']);
    assert.equal(decoded.code, 0, decoded.errors.join('\n'));
    assert.deepEqual(decoded.errors, []);
    assert.ok(decoded.decodedS >= 9.5, `decoded ${decoded.decodedS} s`);
  });
});
