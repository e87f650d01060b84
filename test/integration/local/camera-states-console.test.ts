import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { cameraStateLine, formatDelay } from '../../../local/camera-states-console';
import { freePort } from '../../../testbed/ports';
import { mediaPath, startRtspServer, type RtspServer } from '../../../testbed/rtsp-server';
import { until } from '../../helpers/wait';

/** `npm start` as built (dist/local/start.js). */
const START = path.resolve(__dirname, '..', '..', '..', 'local', 'start.js');

describe('npm start console: which cameras do not record and why', () => {
  let rtsp: RtspServer;
  before(async () => {
    rtsp = await startRtspServer({
      mounts: { '/person': mediaPath('one-by-one-person-detection.mp4') },
      launches: {
        '/mjpeg': '( videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )',
        '/audio': '( audiotestsrc is-live=true ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay0 )',
      },
      auth: 'alice:secret',
    });
  });
  after(async () => {
    await rtsp?.stop();
  });

  it('names each failing camera within one backoff (refused, unknown host, wrong password, wrong path, audio only, MJPEG) and says when one records', async () => {
    const closedPort = await freePort();
    const cam = (p: string) => `rtsp://alice:secret@127.0.0.1:${rtsp.port}${p}`;
    const cameras = [
      `door=rtsp://127.0.0.1:${closedPort}/stream1`,
      'gate=rtsp://camera.invalid/stream1',
      `yard=rtsp://alice:wrong@127.0.0.1:${rtsp.port}/person`,
      `hall=${cam('/stream9')}`,
      `porch=${cam('/audio')}`,
      `lobby=${cam('/mjpeg')}`,
      `garden=${cam('/person')}`,
    ];
    const child = spawn(process.execPath, [START, ...cameras.flatMap((c) => ['--camera', c])], {
      env: {
        ...process.env,
        KEEPWATCH_DATA_DIR: path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-console-')), 'data'),
        KEEPWATCH_HTTP_PORT: String(await freePort()),
        KEEPWATCH_SEGMENT_LENGTH: 'PT2S',
        KEEPWATCH_API_KEY: 'console-test-key',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<{ text: string; atMs: number }> = [];
    createInterface({ input: child.stdout! }).on('line', (text) => lines.push({ text, atMs: Date.now() }));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const expected: Array<[string, RegExp]> = [
      ['door', new RegExp(`^camera door: not recording: connection refused by 127\\.0\\.0\\.1:${closedPort} \\(retrying in \\d+ s\\)$`)],
      ['gate', /^camera gate: not recording: camera host 'camera\.invalid' does not resolve: ENOTFOUND \(retrying in \d+ s\)$/],
      ['yard', /^camera yard: not recording: wrong username or password \(401 Unauthorized\) \(retrying in \d+ s, then every 5 min at most\)$/],
      ['hall', /^camera hall: not recording: no stream at path \/stream9 \(404 Not Found\) \(retrying in \d+ s, then every 5 min at most\)$/],
      ['porch', /^camera porch: not recording: the stream has no video \(audio pcm_mulaw only\): not recorded \(retrying in \d+ s, then every 5 min at most\)$/],
      ['lobby', /^camera lobby: not recording: video mjpeg is not H\.264 or H\.265: not recorded .*\(retrying in \d+ s, then every 5 min at most\)$/],
      ['garden', /^camera garden: recording$/],
    ];
    const running = () => lines.find((l) => l.text.startsWith('Keepwatch is running'));
    const said = (id: string) => lines.filter((l) => l.text.startsWith(`camera ${id}: `));
    try {
      await until('the stack to start', 90_000, () => running() !== undefined || child.exitCode !== null);
      assert.ok(running(), `npm start did not start: ${stderr}`);
      await until('a line for every camera', 30_000, () => expected.every(([id]) => said(id).length > 0) || child.exitCode !== null);
      // The fast causes retry every 1–2 s meanwhile; the console still says each once.
      await new Promise((r) => setTimeout(r, 4000));
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    const text = lines.map((l) => l.text).join('\n');
    for (const [id, re] of expected) {
      assert.equal(said(id).length, 1, `camera ${id}: one line, not one per retry:\n${text}`);
      assert.match(said(id)[0].text, re);
    }
    // Within one backoff: the stack prints "Keepwatch is running" after the agent started; every failing camera is
    // named within a few seconds of it (the slow causes' first retry is ≥ 30 s away).
    for (const [id] of expected.slice(0, -1)) {
      const after = said(id)[0].atMs - running()!.atMs;
      assert.ok(after < 15_000, `camera ${id} named ${after} ms after the stack started`);
    }
    assert.doesNotMatch(text, /alice:secret|secret@/, 'no camera password on the console');
  });

  it('formats delays for people and says nothing while a camera starts', () => {
    assert.deepEqual([formatDelay(400), formatDelay(8_000), formatDelay(89_000), formatDelay(300_000), formatDelay(7_200_000)], ['0 s', '8 s', '89 s', '5 min', '2 h']);
    const now = Date.parse('2026-11-21T10:00:00.000Z');
    assert.equal(cameraStateLine('door', { state: 'starting', since: '2026-11-21T09:59:59.000Z' }, now), undefined);
    assert.equal(
      cameraStateLine('door', { state: 'not-recording', since: '2026-11-21T09:59:59.000Z', cause: 'timeout', message: 'no answer from 10.0.0.5:554 (No route to host)', retryAt: '2026-11-21T10:00:16.000Z', maxRetryDelayMs: 30_000 }, now),
      'camera door: not recording: no answer from 10.0.0.5:554 (No route to host) (retrying in 16 s)',
    );
  });
});
