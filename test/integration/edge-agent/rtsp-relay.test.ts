import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { recorderArgs } from '../../../edge-agent/recorder/ffmpeg-args';
import { startRtspRelay, type RtspRelayStats } from '../../../edge-agent/recorder/rtsp-relay';
import { parseAgentConfig } from '../../../shared/schemas/agent-config';
import { cameraClip, DEBIAN_FFPROBE } from '../../helpers/camera-clips';
import { FFMPEG, FFMPEG_BINARY } from '../../helpers/ffmpeg';
import { startRtspServer } from '../../../testbed/rtsp-server';
import { startVlcRtspServer } from '../../helpers/vlc-rtsp-server';

/** A camera config as the agent's config file gives it (defaults applied). */
const camera = (url: string, rtspTransport: 'tcp' | 'udp') =>
  parseAgentConfig({ deviceId: 'd', cameras: [{ id: 'c', url, rtspTransport }], broker: { url: 'mqtt://h' }, upload: { connectionString: 'x' } }).cameras[0];

/** What one recording produced. */
interface Recording {
  dir: string;
  segments: string[];
  code: number | null;
  stderr: string;
}

/**
 * Records `url` with the agent's ffmpeg arguments (10 s segments) for `ms`, then stops it with `q` as the recorder
 * does (or lets it end on its own first, e.g. on a 401).
 */
async function record(url: string, rtspTransport: 'tcp' | 'udp', ms: number): Promise<Recording> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-relay-'));
  const args = recorderArgs(camera(url, rtspTransport), 10_000, path.join(dir, 's-%06d.ts'), FFMPEG_BINARY.startGuard);
  const child = spawn(FFMPEG, args, { stdio: ['pipe', 'ignore', 'pipe', 'pipe', 'pipe'] });
  for (const fd of [3, 4]) (child.stdio[fd] as NodeJS.ReadableStream).resume();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const timer = new Promise((r) => setTimeout(r, ms));
  await Promise.race([timer, closed]);
  if (!exited) child.stdin!.write('q');
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await closed;
  clearTimeout(kill);
  const segments = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(dir, f));
  return { dir, segments, code, stderr };
}

/** Decodes every segment as one byte stream (`concat:` protocol, as HLS playback reads them): ffmpeg's error lines. */
function decodeErrors(segments: string[]): string[] {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', `concat:${segments.join('|')}`, '-map', '0', '-f', 'null', '-'], { encoding: 'utf8', timeout: 120_000 });
  return r.stderr.split(/\r?\n/).filter(Boolean);
}

/** Codec of each stream of a segment, sorted, e.g. `['audio:aac', 'video:h264']`. */
function streams(file: string): string[] {
  const r = spawnSync(DEBIAN_FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { streams: Array<{ codec_type: string; codec_name: string }> }).streams.map((x) => `${x.codec_type}:${x.codec_name}`).sort();
}

/**
 * The video's frame times in display order, as steps between neighbours (90 kHz ticks) that are not exactly one frame
 * of `frameTicks`: 0 means two frames at one time. The last few frames are left out (stopping with `q` cuts the last
 * B-frames off).
 */
function irregularFrameSteps(segments: string[], frameTicks: number): number[] {
  const r = spawnSync(DEBIAN_FFPROBE, ['-v', 'error', '-i', `concat:${segments.join('|')}`, '-select_streams', 'v:0', '-show_entries', 'packet=pts', '-of', 'csv=p=0'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const pts = r.stdout.split('\n').map((l) => l.split(',')[0]).filter((v) => /^\d+$/.test(v)).map(Number).sort((a, b) => a - b).slice(0, -4);
  assert.ok(pts.length > 100, `video packets ${pts.length}`);
  return pts.slice(1).map((p, i) => p - pts[i]).filter((d) => d !== frameTicks);
}

/**
 * How the video lies against the audio in `other` compared with `reference`, two recordings of one live stream: the
 * same packets are found in both by their content (MD5 of the data, content that occurs once in each), and for pairs of a video and an audio packet
 * (at 10 %, 30 %… 90 % of `reference`), `(video − audio)` in `other` minus the same in `reference`, ms. 0 = aligned
 * alike.
 */
function alignmentDifferencesMs(reference: string[], other: string[]): number[] {
  const read = (segments: string[]) => {
    const r = spawnSync(DEBIAN_FFPROBE, ['-v', 'error', '-i', `concat:${segments.join('|')}`, '-show_entries', 'packet=stream_index,pts,data_hash', '-show_data_hash', 'md5', '-of', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return (JSON.parse(r.stdout) as { packets: Array<{ stream_index: number; pts: number; data_hash: string }> }).packets;
  };
  const ref = read(reference);
  const otherPackets = read(other);
  // A periodic test tone repeats its AAC frames (one GOP apart, measured): only content found once in each recording
  // identifies a packet.
  const counts = (packets: Array<{ data_hash: string }>) => packets.reduce((m, p) => m.set(p.data_hash, (m.get(p.data_hash) ?? 0) + 1), new Map<string, number>());
  const refCounts = counts(ref);
  const othCounts = counts(otherPackets);
  const oth = new Map(otherPackets.map((p) => [p.data_hash, p]));
  const unique = (p: { data_hash: string }) => refCounts.get(p.data_hash) === 1 && othCounts.get(p.data_hash) === 1;
  const video = ref.filter((p) => p.stream_index === 0 && unique(p));
  const audio = ref.filter((p) => p.stream_index === 1 && unique(p));
  const out: number[] = [];
  for (const at of [0.1, 0.3, 0.5, 0.7, 0.9]) {
    const v = video[Math.floor(at * video.length)];
    const a = audio[Math.floor(at * audio.length)];
    const v2 = v && oth.get(v.data_hash);
    const a2 = a && oth.get(a.data_hash);
    if (v2 && a2) out.push((v2.pts - a2.pts - (v.pts - a.pts)) / 90);
  }
  return out;
}

describe('RTSP relay in front of ffmpeg (real VLC, GStreamer and ffmpeg)', { timeout: 240_000 }, () => {
  it("VLC over UDP with audio: through the relay every frame is 40 ms after the last and the recording decodes clean; without it, VLC's sender reports move frames", async (t) => {
    const clip = await cameraClip('h264-high-bframes-aac-720p25');
    const vlc = await startVlcRtspServer({ file: clip.path });
    const relay = await startRtspRelay({ cameraUrl: vlc.url, transport: 'udp' });
    let stats: RtspRelayStats;
    let through: Recording;
    let direct: Recording;
    try {
      assert.match(relay.url, /^rtsp:\/\/127\.0\.0\.1:\d+\/cam$/);
      // Both at once, from the same live broadcast: the control is ffmpeg on VLC directly, as the agent records today.
      [through, direct] = await Promise.all([record(relay.url, 'tcp', 30_000), record(vlc.url, 'udp', 30_000)]);
      stats = relay.stats();
    } finally {
      await relay.close();
      await vlc.stop();
    }
    try {
      const relayed = decodeErrors(through.segments);
      const control = decodeErrors(direct.segments);
      const frameTicks = 90_000 / clip.video.fps;
      const relayedSteps = irregularFrameSteps(through.segments, frameTicks);
      const controlSteps = irregularFrameSteps(direct.segments, frameTicks);
      t.diagnostic(`through the relay: ${through.segments.length} segments, ${relayed.length} decode error lines, ${relayedSteps.length} frame steps other than ${frameTicks}`);
      t.diagnostic(`directly: ${direct.segments.length} segments, ${control.length} decode error lines (${control.join(' / ')}), ${controlSteps.length} frame steps other than ${frameTicks}: ${controlSteps.slice(0, 20).join(' ')}`);
      const alignment = alignmentDifferencesMs(direct.segments, through.segments);
      t.diagnostic(`relay stats: ${JSON.stringify(stats)}`);
      t.diagnostic(`video against audio through the relay minus directly, ms: ${alignment.map((d) => d.toFixed(1)).join(' ')}`);
      assert.equal(through.code, 0, through.stderr.slice(-2000));
      assert.ok(through.segments.length >= 2, `segments ${through.segments.length}`);
      assert.deepEqual(relayed, [], 'decodes without errors through the relay');
      assert.deepEqual(relayedSteps, [], 'through the relay every frame is one frame after the last');
      for (const s of through.segments) assert.deepEqual(streams(s), ['audio:aac', 'video:h264'], s);
      // The control shows the defect the relay removes (same server, same moment, same ffmpeg arguments): frames moved
      // at VLC's sender reports (measured 30-47 such steps in 30 s, 0 meaning two frames at one time). Whether that also
      // makes a decode error depends on where the steps fall (0-2 lines measured), so only the steps are asserted.
      assert.ok(controlSteps.length >= 3, `the direct recording has frames moved off the 40 ms grid: ${controlSteps.join(' ')}`);

      // Audio and video as aligned as directly (matched at 5 points; VLC's RTP-Info and its later reports agree).
      assert.ok(alignment.length >= 3, `matched pairs ${alignment.length}`);
      for (const d of alignment) assert.ok(Math.abs(d) <= 5, `alignment differs by ${d} ms`);

      // Stats: VLC's PLAY answer has RTP-Info for both streams, so every sender report (one per ~5 s) is taken out.
      assert.equal(stats.sessions, 1);
      assert.equal(stats.streams.length, 2);
      assert.deepEqual(stats.streams.map((s) => s.clockRateHz).sort(), [48_000, 90_000]);
      for (const s of stats.streams) {
        assert.equal(s.timing, 'rtp-info');
        assert.ok(s.srSeen >= 4, `stream ${s.control}: ${s.srSeen} sender reports seen in 30 s`);
        assert.deepEqual([s.srForwarded, s.srRetimed, s.srDropped], [0, 0, s.srSeen], `stream ${s.control}: every report taken out`);
        assert.ok(s.rtpPackets > 500, `stream ${s.control}: ${s.rtpPackets} RTP packets`);
        assert.ok(s.heldMs !== undefined && s.heldMs < 1000, `held ${s.heldMs} ms`);
      }
    } finally {
      rmSync(through.dir, { recursive: true, force: true });
      rmSync(direct.dir, { recursive: true, force: true });
    }
  });

  it('GStreamer with a password, TCP upstream: the relay answers the 401 and the recording decodes clean; a wrong password gets ffmpeg a 401, a wrong path a 404', async (t) => {
    const clip = await cameraClip('h264-high-bframes-aac-720p25');
    const server = await startRtspServer({ mounts: { '/cam': clip.path }, auth: 'keeper:s3cret pass' });
    // Timed by sender reports (GStreamer's follow its RTP clock), whatever RTP-Info says: the path without RTP-Info.
    const good = await startRtspRelay({ cameraUrl: server.urls['/cam'], username: 'keeper', password: 's3cret pass', transport: 'tcp', timing: 'sender-reports' });
    const wrong = await startRtspRelay({ cameraUrl: server.urls['/cam'], username: 'keeper', password: 'nope', transport: 'tcp' });
    const missing = await startRtspRelay({ cameraUrl: server.urls['/cam'].replace(/\/cam$/, '/nope'), username: 'keeper', password: 's3cret pass', transport: 'tcp' });
    let rec: Recording | undefined;
    let control: Recording | undefined;
    const withCredentials = new URL(server.urls['/cam']);
    withCredentials.username = 'keeper';
    withCredentials.password = encodeURIComponent('s3cret pass');
    try {
      const [ok, denied, notFound, direct] = await Promise.all([record(good.url, 'tcp', 15_000), record(wrong.url, 'tcp', 15_000), record(missing.url, 'tcp', 15_000), record(withCredentials.toString(), 'tcp', 15_000)]);
      rec = ok;
      control = direct;
      for (const r of [denied, notFound]) rmSync(r.dir, { recursive: true, force: true });
      const alignment = alignmentDifferencesMs(direct.segments, ok.segments);
      t.diagnostic(`video against audio through the relay minus directly, ms: ${alignment.map((d) => d.toFixed(1)).join(' ')}`);
      assert.ok(alignment.length >= 3, `matched pairs ${alignment.length}`);
      for (const d of alignment) assert.ok(Math.abs(d) <= 5, `alignment differs by ${d} ms`);
      const stats = good.stats();
      t.diagnostic(`relay stats: ${JSON.stringify(stats)}`);
      assert.equal(ok.code, 0, ok.stderr.slice(-2000));
      assert.ok(ok.segments.length >= 1);
      assert.deepEqual(decodeErrors(ok.segments), []);
      for (const s of ok.segments) assert.deepEqual(streams(s), ['audio:aac', 'video:h264'], s);
      assert.equal(stats.streams.length, 2);
      for (const s of stats.streams) {
        assert.equal(s.timing, 'sender-reports');
        assert.equal(s.srForwarded, 1, `stream ${s.control}: first report forwarded`);
        assert.ok(s.srSeen >= 2, `stream ${s.control}: ${s.srSeen} reports`);
        assert.equal(s.srRetimed + s.srDropped, s.srSeen - 1, 'the rest re-timed (or, before PLAY was answered, taken out)');
        assert.equal(s.firstReportInTime, true);
        assert.ok(s.rtpPackets > 100);
      }
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /401 Unauthorized/);
      assert.equal(denied.segments.length, 0);
      assert.notEqual(notFound.code, 0);
      assert.match(notFound.stderr, /404 Not Found/);
    } finally {
      await Promise.all([good.close(), wrong.close(), missing.close()]);
      await server.stop();
      for (const r of [rec, control]) if (r) rmSync(r.dir, { recursive: true, force: true });
    }
  });

  it('GStreamer asking for Digest (RFC 2617 MD5): the relay answers it, ffmpeg without credentials gets both streams; with maxClients 1 a second local client gets nothing', async () => {
    const clip = await cameraClip('h264-high-bframes-aac-720p25');
    const server = await startRtspServer({ mounts: { '/cam': clip.path }, auth: 'keeper:pw', authDigest: true });
    const relay = await startRtspRelay({ cameraUrl: server.urls['/cam'], username: 'keeper', password: 'pw', transport: 'tcp', maxClients: 1 });
    try {
      const probe = (url: string) =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          const c = spawn(DEBIAN_FFPROBE, ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url]);
          let out = '';
          let err = '';
          c.stdout.on('data', (d: Buffer) => (out += d.toString()));
          c.stderr.on('data', (d: Buffer) => (err += d.toString()));
          c.on('close', (code) => resolve({ code, out, err }));
        });
      const direct = await probe(server.urls['/cam']);
      assert.match(direct.err, /401 Unauthorized/, 'the server does ask');
      const r = await probe(relay.url);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.out.split('\n').filter(Boolean).sort(), ['aac', 'h264']);
      // The relay answers the camera's challenge itself: it serves its one client (the session's ffmpeg) only.
      const second = await probe(relay.url);
      assert.notEqual(second.code, 0, 'a second client is refused');
      assert.equal(second.out, '');
      assert.equal(relay.stats().sessions, 1);
    } finally {
      await relay.close();
      await server.stop();
    }
  });

  it('closes ffmpeg\'s connection when the camera goes away, and reports a refused camera', async () => {
    const clip = await cameraClip('h264-high-bframes-aac-720p25');
    const server = await startRtspServer({ mounts: { '/cam': clip.path } });
    const relay = await startRtspRelay({ cameraUrl: server.urls['/cam'], transport: 'tcp' });
    try {
      const recording = record(relay.url, 'tcp', 60_000);
      await new Promise((r) => setTimeout(r, 6000));
      const stoppedAt = Date.now();
      await server.stop();
      const r = await recording;
      rmSync(r.dir, { recursive: true, force: true });
      assert.ok(Date.now() - stoppedAt < 20_000, `ffmpeg ended ${Date.now() - stoppedAt} ms after the camera stopped`);
      // A new connection now finds nothing listening: the relay closes it and keeps the cause.
      const refused = await record(relay.url, 'tcp', 10_000);
      rmSync(refused.dir, { recursive: true, force: true });
      assert.notEqual(refused.code, 0);
      assert.equal(relay.stats().lastUpstreamError?.code, 'ECONNREFUSED');
    } finally {
      await relay.close();
      await server.stop();
    }
  });
});
