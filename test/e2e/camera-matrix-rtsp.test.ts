import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { integrationEventsTopic } from '../../shared/contracts/topics';
import { cameraClip, DEBIAN_FFPROBE, type CameraClip } from '../helpers/camera-clips';
import { agentSegments, type AgentSegment } from '../helpers/e2e';
import { decodeFully } from '../helpers/ffmpeg';
import { startLossyRtspRelay, type LossyRtspRelay } from '../helpers/lossy-rtsp-relay';
import { startRtspJoinGate, type RtspJoinGate } from '../helpers/rtsp-join-gate';
import { startRtspServer, type RtspServer } from '../../testbed/rtsp-server';
import { startVlcRtspServer, type VlcRtspServer } from '../helpers/vlc-rtsp-server';
import { waitFor } from '../helpers/wait';

/**
 * The camera matrix (docs/adr/0003-recording-any-camera.md): cameras as they come — two independent RTSP server
 * implementations (GStreamer's, testbed/rtsp-server.ts, and VLC's, test/helpers/vlc-rtsp-server.ts), H.264 and
 * H.265 with B-frames, Baseline, AAC, G.711 µ-law or no audio, 720p25 to 1080p30, 2-4 s GOPs, joined at the stream's
 * start (on both servers) or mid-GOP, a camera reboot, RTSP over UDP through a lossy path — recorded side by side by one
 * agent into one local stack with PT2S segments, each then played back through its signed playlist with ffmpeg.
 *
 * The clips are test/helpers/camera-clips.ts's, cut from the real person clip. Per camera the test asserts: the
 * playlist decodes without an error (the lossy camera excepted: lost packets are lost, and the holes they leave between
 * segments are printed, not failed); the decoded video lasts at least the recorded span (first session start to last
 * segment end) minus, per session that reached the camera, one GOP and its set-up time, minus what the camera itself
 * withheld (the reboot's outage, the start delay of a camera that starts on connect); the stored video is the camera's
 * (codec, profile, size: codec copy) and the audio AAC (copied, or encoded from G.711); the camera's stream as
 * GET /api/cameras shows it is what the camera sends; segments do not overlap, and the stored media is one contiguous
 * range unless the camera went away.
 *
 * Each stored range is decoded through its own playlist: ffmpeg's HLS demuxer (5.1 as 4.1) does not re-base
 * timestamps at `#EXT-X-DISCONTINUITY`, so a playlist across the reboot, whose second session's timestamps start
 * again, would make its null muxer report non-monotonic timestamps for media that decodes fine (hls.js re-bases).
 */

const SEGMENT_LENGTH = 'PT2S';
const SEGMENT_MS = 2000;
/** Reconnect backoff cap for the whole agent, so the reboot's reconnect takes ≤ 2 s (default PT30S). */
const RECONNECT_MAXIMUM_DELAY = 'PT2S';
/** How long the matrix records once the stack is up. */
const RECORD_MS = 36_000;
/** When the rebooting camera's server is killed (ms after the stack is up), and how long it stays away (≥ 2 PT2S). */
const REBOOT_AT_MS = 12_000;
const REBOOT_OUTAGE_MS = 7_000;
/** Segments wanted from the rebooted camera after it came back. */
const SEGMENTS_AFTER_REBOOT = 3;
/**
 * What one recording session may spend before its first stored packet besides the wait for a keyframe: RTSP
 * OPTIONS/DESCRIBE/SETUP/PLAY and ffmpeg's probe (≈ 0.3-1 s measured here), with room for a loaded 2-core machine.
 */
const SESSION_SETUP_MS = 2000;
/** The stream of the camera that starts when its client connects goes out this long after that VLC starts. */
const START_ON_CONNECT_DELAY_MS = 2500;
/** Share of the lossy path's RTP datagrams dropped, and its seed. */
const LOSS_RATE = 0.01;
const LOSS_SEED = 12;
/**
 * Share of the lossy camera's frames that may not decode on top of the usual allowance: a lost packet of a keyframe
 * leaves the rest of its GOP undecodable (measured: 1-3 s of 35 s at 1 % loss).
 */
const LOSSY_UNDECODABLE_SHARE = 0.15;

const run = promisify(execFile);
const iso = (ms: number) => new Date(ms).toISOString();

/** One camera of the matrix. */
interface MatrixCase {
  cameraId: string;
  title: string;
  clip: CameraClip;
  /** Which server implementation sends it. */
  server: 'gstreamer' | 'vlc';
  rtspTransport: 'tcp' | 'udp';
  /** The audio codec stored: AAC (copied, or encoded from G.711 by the recorder), or none. */
  storedAudio: 'aac' | undefined;
  /** Extra media the camera itself withholds (start-on-connect delay, the reboot's outage), ms; set during the run. */
  withheldMs: number;
  /** Stored ranges expected: 1, or 2 around the reboot. */
  ranges: number;
  /** The lossy path: decode errors and holes between segments (lost frames) are expected and printed, not failed. */
  lossy?: boolean;
  url?: string;
}

/** What `ffprobe` says of the stored media (the playlist's first segment). */
interface StoredStreams {
  video?: { codec_name: string; profile?: string; width: number; height: number };
  audio?: { codec_name: string; sample_rate?: string; channels?: number };
}

async function probeStored(url: string): Promise<StoredStreams> {
  const { stdout } = await run(DEBIAN_FFPROBE, ['-v', 'error', '-show_streams', '-of', 'json', url], { maxBuffer: 8 << 20 });
  const streams = (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams;
  return {
    video: streams.find((s) => s.codec_type === 'video') as StoredStreams['video'],
    audio: streams.find((s) => s.codec_type === 'audio') as StoredStreams['audio'],
  };
}

/**
 * Keeps the segments of a playlist for a look after a failed run: each downloaded into
 * `os.tmpdir()/keepwatch-camera-matrix-failures/{name}/` beside a playlist of them (`local.m3u8`).
 * @returns that folder
 */
async function keepSegments(hlsUrl: string, name: string): Promise<string> {
  const dir = path.join(os.tmpdir(), 'keepwatch-camera-matrix-failures', name);
  mkdirSync(dir, { recursive: true });
  const lines = (await (await fetch(hlsUrl)).text()).split('\n');
  const local: string[] = [];
  for (const line of lines) {
    if (!/^https?:/.test(line)) {
      local.push(line);
      continue;
    }
    const file = path.basename(new URL(line).pathname);
    writeFileSync(path.join(dir, file), Buffer.from(await (await fetch(line)).arrayBuffer()));
    local.push(file);
  }
  writeFileSync(path.join(dir, 'local.m3u8'), local.join('\n'));
  return dir;
}

/** Epoch ms of each agent log line of `cameraId` with message `msg` (e.g. `recording session started`). */
function agentLogTimes(stack: LocalStack, cameraId: string, msg: string): number[] {
  return stack.agentLog.flatMap((line) => {
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      return o.msg === msg && o.cameraId === cameraId ? [Date.parse(String(o.time))] : [];
    } catch {
      return [];
    }
  });
}

/** When each recording session of `cameraId` started, tries that never reached the camera included. */
const sessionStarts = (stack: LocalStack, cameraId: string) => agentLogTimes(stack, cameraId, 'recording session started');

/** When each session of `cameraId` that reached the camera described its streams (diagnostics session-established). */
const sessionsEstablished = (stack: LocalStack, cameraId: string) => agentLogTimes(stack, cameraId, 'camera diagnostics: session-established');

describe('Camera matrix: two RTSP server implementations, H.264/H.265 with B-frames, AAC/PCMU/none, joins, reboot, lossy UDP → agent → playlist', () => {
  let stack: LocalStack;
  let gst: RtspServer;
  let rebooting: RtspServer;
  let vlcPcmu: VlcRtspServer;
  let startGate: RtspJoinGate;
  let midGopGate: RtspJoinGate;
  let relay: LossyRtspRelay;
  /** VLC servers the start-on-connect gate started (one per connection). */
  const onConnectServers: VlcRtspServer[] = [];
  /** Where in its GOP each mid-GOP connection joined, ms after the last keyframe. */
  const midGopPhases: number[] = [];
  let rebootStoppedMs = 0;
  let rebootBackMs = 0;
  const printed: string[] = [];
  const headers = () => ({ 'x-functions-key': stack.apiKey });
  const produced = new Map<string, AgentSegment[]>();
  /** `camera.diagnostics` integration events seen on the local broker: camera id → kinds, in order. */
  const diagnostics = new Map<string, string[]>();
  let observer: mqtt.MqttClient | undefined;
  const cases: MatrixCase[] = [];
  const byId = (id: string) => cases.find((c) => c.cameraId === id)!;

  before(async () => {
    const [h264, h265, p1080, pcmu] = await Promise.all([
      cameraClip('h264-high-bframes-aac-720p25'),
      cameraClip('h265-main-bframes-aac'),
      cameraClip('h264-main-bframes-1080p30'),
      cameraClip('h264-baseline-pcmu'),
    ]);
    cases.push(
      { cameraId: 'h264-start-gst', title: 'H.264 High + B-frames + AAC, 720p25, 2 s GOP, joined at the stream start (GStreamer launch line, TCP)', clip: h264, server: 'gstreamer', rtspTransport: 'tcp', storedAudio: 'aac', withheldMs: 0, ranges: 1 },
      // With audio: VLC's RTCP sender reports do not follow its RTP clock, and ffmpeg re-times every packet of a session
      // with more than one stream from them (libavformat/rtpdec.c), which stepped this B-frame video by a frame every
      // ~5 s until the agent read such cameras through its RTSP relay (docs/adr/0003-recording-any-camera.md).
      { cameraId: 'h264-start-vlc', title: 'H.264 High + B-frames + AAC, 720p25, 2 s GOP, joined at the stream start (VLC, UDP, through the relay)', clip: h264, server: 'vlc', rtspTransport: 'udp', storedAudio: 'aac', withheldMs: START_ON_CONNECT_DELAY_MS, ranges: 1 },
      { cameraId: 'h264-midgop', title: 'H.264 High + B-frames + AAC, 720p25, 2 s GOP, joined mid-GOP (GStreamer, TCP)', clip: h264, server: 'gstreamer', rtspTransport: 'tcp', storedAudio: 'aac', withheldMs: 0, ranges: 1 },
      { cameraId: 'h265', title: 'H.265 Main + B-frames + AAC 16 kHz, 2 s GOP (GStreamer, TCP)', clip: h265, server: 'gstreamer', rtspTransport: 'tcp', storedAudio: 'aac', withheldMs: 0, ranges: 1 },
      { cameraId: 'pcmu', title: 'H.264 Baseline + G.711 µ-law 8 kHz, 2 s GOP (VLC, UDP)', clip: pcmu, server: 'vlc', rtspTransport: 'udp', storedAudio: 'aac', withheldMs: 0, ranges: 1 },
      { cameraId: 'h264-1080p', title: 'H.264 Main + B-frames, 1080p30, 4 s GOP, no audio (GStreamer, TCP)', clip: p1080, server: 'gstreamer', rtspTransport: 'tcp', storedAudio: undefined, withheldMs: 0, ranges: 1 },
      { cameraId: 'reboot', title: 'H.264 High + B-frames + AAC, server killed and restarted mid-recording (GStreamer, TCP)', clip: h264, server: 'gstreamer', rtspTransport: 'tcp', storedAudio: 'aac', withheldMs: 0, ranges: 2 },
      { cameraId: 'udp-lossy', title: `H.264 High + B-frames + AAC over UDP, ${LOSS_RATE * 100} % of RTP dropped (GStreamer)`, clip: h264, server: 'gstreamer', rtspTransport: 'udp', storedAudio: 'aac', withheldMs: 0, ranges: 1, lossy: true },
    );

    gst = await startRtspServer({
      mounts: { '/h264': h264.path, '/h265': h265.path, '/1080p': p1080.path },
      // gst-rtsp-server's ordinary way of serving a file: the pipeline is made when the first client connects and plays
      // the file from its start (its first keyframe, the B-frames right after it), once, in real time.
      launches: { '/h264-start': `( filesrc location=${h264.path} ! qtdemux name=d d.video_0 ! queue ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 d.audio_0 ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97 )` },
    });
    rebooting = await startRtspServer({ mounts: { '/h264': h264.path } });
    vlcPcmu = await startVlcRtspServer({ file: pcmu.path });
    // A camera whose stream starts when its client connects: a VLC per connection, its first packet held until the
    // client has had time to PLAY (VLC answers DESCRIBE ~0.2 s after its start), so the client gets the stream's first
    // keyframe and the B-frames right after it.
    startGate = await startRtspJoinGate(async () => {
      const vlc = await startVlcRtspServer({ file: h264.path, startDelayMs: START_ON_CONNECT_DELAY_MS });
      onConnectServers.push(vlc);
      return { port: vlc.port, release: () => vlc.stop() };
    });
    // Mid-GOP: the connection reaches the live shared stream half a GOP after a keyframe (25 frames before the next).
    midGopGate = await startRtspJoinGate(async () => {
      const clip0 = gst.clipStartMs['/h264'];
      const phase = (Date.now() - clip0) % h264.gopMs;
      await new Promise((r) => setTimeout(r, (h264.gopMs / 2 - phase + h264.gopMs) % h264.gopMs));
      midGopPhases.push((Date.now() - clip0) % h264.gopMs);
      return { port: gst.port };
    });
    relay = await startLossyRtspRelay({ upstreamPort: gst.port, rtpLossRate: LOSS_RATE, seed: LOSS_SEED });
    const urls: Record<string, string> = {
      'h264-start-gst': gst.urls['/h264-start'],
      'h264-start-vlc': startGate.url('/cam'),
      'h264-midgop': midGopGate.url('/h264'),
      h265: gst.urls['/h265'],
      pcmu: vlcPcmu.url,
      'h264-1080p': gst.urls['/1080p'],
      reboot: rebooting.urls['/h264'],
      'udp-lossy': relay.url('/h264'),
    };
    for (const c of cases) c.url = urls[c.cameraId];

    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'kw-e2e-matrix-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: cases.map((c) => ({ id: c.cameraId, url: c.url!, rtspTransport: c.rtspTransport })),
      segmentLength: SEGMENT_LENGTH,
      agentLogLevel: 'debug',
      agentConfig: { cameraReconnectMaximumDelay: RECONNECT_MAXIMUM_DELAY },
      print: (l) => printed.push(l),
    });
    const upMs = Date.now();
    // Ingest forwards each diagnostics event as an integration event; the local stack publishes those on its broker.
    // (The first ones reach ingest seconds after the agent starts, through the event feeder's batches.)
    observer = await mqtt.connectAsync(stack.mqttUrl, { username: stack.cloudMqtt.username, password: stack.cloudMqtt.password, clientId: 'matrix-observer', protocolVersion: 4 });
    observer.on('message', (_topic, payload) => {
      const e = JSON.parse(payload.toString()) as { data: { cameraId: string; kind: string } };
      diagnostics.set(e.data.cameraId, [...(diagnostics.get(e.data.cameraId) ?? []), e.data.kind]);
    });
    await observer.subscribeAsync(integrationEventsTopic('camera.diagnostics'), { qos: 1 });

    await new Promise((r) => setTimeout(r, REBOOT_AT_MS));
    rebootStoppedMs = Date.now();
    await rebooting.stop();
    await new Promise((r) => setTimeout(r, REBOOT_OUTAGE_MS));
    rebooting = await startRtspServer({ mounts: { '/h264': h264.path }, port: rebooting.port });
    rebootBackMs = Date.now();
    byId('reboot').withheldMs = rebootBackMs - rebootStoppedMs;
    await waitFor(`${SEGMENTS_AFTER_REBOOT} segments of the rebooted camera`, 40_000, () =>
      agentSegments(stack, 'reboot').filter((s) => s.startMs >= rebootBackMs).length >= SEGMENTS_AFTER_REBOOT ? true : undefined,
    );
    const left = upMs + RECORD_MS - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));

    // Stop the agent as an operator would: it closes and uploads the last segments first.
    const exited = new Promise((r) => stack.agent.once('exit', r));
    stack.agent.kill('SIGTERM');
    await exited;
    for (const c of cases) produced.set(c.cameraId, agentSegments(stack, c.cameraId));
    await waitFor('every camera indexed up to its last segment', 20_000, async () => {
      const body = (await (await fetch(`${stack.apiBase}/cameras`, { headers: headers() })).json()) as { cameras: Array<{ id: string; lastRecorded?: string }> };
      return cases.every((c) => {
        const segs = produced.get(c.cameraId)!;
        if (!segs.length) return true; // nothing to wait for; the case's own test says so
        const last = segs[segs.length - 1];
        const listed = body.cameras.find((x) => x.id === c.cameraId);
        return listed?.lastRecorded !== undefined && Date.parse(listed.lastRecorded) >= last.startMs + last.durationMs;
      })
        ? true
        : undefined;
    });
  });

  after(async () => {
    await observer?.endAsync();
    await stack?.stop();
    await Promise.all([gst?.stop(), rebooting?.stop(), vlcPcmu?.stop(), startGate?.close(), midGopGate?.close(), relay?.close()]);
    await Promise.all(onConnectServers.map((s) => s.stop()));
  });

  /** The playback answer for [startMs, endMs) of a camera: 200 asserted. */
  async function playback(cameraId: string, startMs: number, endMs: number) {
    const q = new URLSearchParams({ start: iso(startMs), end: iso(endMs) });
    const res = await fetch(`${stack.apiBase}/cameras/${cameraId}/playback?${q}`, { headers: headers() });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { hlsUrl: string; ranges: Array<{ start: string; end: string }> };
  }

  for (const cameraId of ['h264-start-gst', 'h264-start-vlc', 'h264-midgop', 'h265', 'pcmu', 'h264-1080p', 'reboot', 'udp-lossy']) {
    it(`${cameraId}: recorded, played back through the playlist, codecs kept`, async (t) => {
      const c = byId(cameraId);
      t.diagnostic(c.title);
      const segs = produced.get(cameraId) ?? [];
      const tail = () => `\n${printed.filter((l) => l.includes(cameraId)).slice(-25).join('\n')}`;
      assert.ok(segs.length >= 3, `${cameraId}: ${segs.length} segments recorded${tail()}`);
      const lastEnd = segs[segs.length - 1].startMs + segs[segs.length - 1].durationMs;
      const starts = sessionStarts(stack, cameraId).filter((ms) => ms <= lastEnd);
      const sessions = sessionsEstablished(stack, cameraId).filter((ms) => ms <= lastEnd).length;
      assert.ok(starts.length >= 1 && sessions >= 1, `${cameraId}: no recording session reached the camera${tail()}`);

      // The whole recording: one playlist entry per segment, a discontinuity at each hole between stored ranges.
      const whole = await playback(cameraId, segs[0].startMs, lastEnd);
      const playlist = await (await fetch(whole.hlsUrl)).text();
      for (let i = 1; i < segs.length; i++) {
        const prevEnd = segs[i - 1].startMs + segs[i - 1].durationMs;
        assert.ok(segs[i].startMs >= prevEnd, `segment ${iso(segs[i].startMs)} overlaps the one before it, ${iso(segs[i - 1].startMs)} + ${segs[i - 1].durationMs} ms`);
      }
      const entries = (playlist.match(/#EXTINF/g) ?? []).length;
      assert.equal(entries, segs.length, `${entries} playlist entries for ${segs.length} recorded segments${tail()}`);
      assert.equal((playlist.match(/#EXT-X-DISCONTINUITY\b/g) ?? []).length, whole.ranges.length - 1);
      if (c.lossy) t.diagnostic(`stored ranges on the lossy path: ${whole.ranges.length} (${JSON.stringify(whole.ranges)})`);
      else assert.equal(whole.ranges.length, c.ranges, `stored ranges ${JSON.stringify(whole.ranges)}`);

      // Each stored range decodes (video and audio), through its own playlist.
      let frames = 0;
      for (const range of whole.ranges) {
        const part = await playback(cameraId, Date.parse(range.start), Date.parse(range.end));
        const decoded = await decodeFully(part.hlsUrl, [], 120_000, ['-map', '0:a?']);
        assert.equal(decoded.code, 0, `ffmpeg exit code ${decoded.code}: ${decoded.errors.slice(0, 5).join(' | ')}`);
        if (c.lossy) t.diagnostic(`decode messages on the lossy path, range ${range.start}: ${decoded.errors.length} (${decoded.errors.slice(0, 2).join(' | ')})`);
        else if (decoded.errors.length) {
          const kept = await keepSegments(part.hlsUrl, `${cameraId}-${range.start.replace(/[:.]/g, '')}`);
          assert.deepEqual(decoded.errors, [], `range ${range.start}..${range.end} decodes without an error (its segments and playlist: ${kept})`);
        }
        frames += decoded.frames;
      }
      // …and lasts what the camera sent (from the first session's start), minus one GOP and the set-up per session
      // that reached the camera, minus what the camera withheld.
      const decodedMs = (frames / c.clip.video.fps) * 1000;
      const spanMs = lastEnd - starts[0];
      const allowedLossMs = sessions * (c.clip.gopMs + SESSION_SETUP_MS) + c.withheldMs + (c.lossy ? LOSSY_UNDECODABLE_SHARE * (lastEnd - starts[0]) : 0);
      t.diagnostic(`span ${spanMs} ms, ${sessions} session(s) of ${starts.length} tries, decoded ${Math.round(decodedMs)} ms, ${segs.length} segments`);
      assert.ok(decodedMs >= spanMs - allowedLossMs, `decoded ${Math.round(decodedMs)} ms of a ${spanMs} ms span (${sessions} sessions; ≥ ${spanMs - allowedLossMs} wanted)${tail()}`);

      // Codec copy: the stored video is the camera's; the audio AAC (copied, or encoded from G.711) at the camera's
      // rate, or none.
      const stored = await probeStored(whole.hlsUrl);
      const v = c.clip.video;
      assert.deepEqual(
        stored.video && { codec: stored.video.codec_name, profile: stored.video.profile, width: stored.video.width, height: stored.video.height },
        { codec: v.codec, profile: v.profile, width: v.width, height: v.height },
      );
      assert.equal(stored.audio?.codec_name, c.storedAudio, `stored audio ${JSON.stringify(stored.audio)}`);
      if (c.storedAudio && c.clip.audio) assert.equal(Number(stored.audio?.sample_rate), c.clip.audio.sampleRateHz, 'audio keeps the camera rate');

      // What the camera sends, as the API shows it (the session's stream info).
      const listed = (await (await fetch(`${stack.apiBase}/cameras`, { headers: headers() })).json()) as {
        cameras: Array<{ id: string; stream?: { video: Record<string, unknown>; audio: Record<string, unknown> | null } }>;
      };
      const stream = listed.cameras.find((x) => x.id === cameraId)?.stream;
      const a = c.clip.audio;
      assert.deepEqual(stream && { video: stream.video, audio: stream.audio }, {
        video: { codec: v.codec, profile: v.profile, widthPx: v.width, heightPx: v.height, fps: v.fps },
        audio: a ? { codec: a.codec, profile: a.codec === 'aac' ? 'LC' : null, sampleRateHz: a.sampleRateHz, channels: a.channels } : null,
      });
    });
  }

  it('h264-start-vlc really joined at the stream start; h264-midgop really mid-GOP', () => {
    // The first session's VLC was started for its connection (after the session began): the client got the file's
    // first packet.
    assert.ok(onConnectServers.length >= 1, 'the start-on-connect camera was connected to');
    assert.ok(onConnectServers[0].startedAtMs >= sessionStarts(stack, 'h264-start-vlc')[0], 'its VLC started for the first session');
    assert.ok(midGopPhases.length >= 1, 'the mid-GOP camera was connected to');
    const gopMs = byId('h264-midgop').clip.gopMs;
    assert.ok(midGopPhases[0] >= gopMs / 4 && midGopPhases[0] <= (3 * gopMs) / 4, `joined ${midGopPhases[0]} ms after a keyframe`);
  });

  it('reboot: one gap with cause camera-unavailable across the outage, then recording resumes', async () => {
    const segs = produced.get('reboot')!;
    const q = new URLSearchParams({ start: iso(segs[0].startMs - 60_000), end: iso(Date.now()) });
    const res = await fetch(`${stack.apiBase}/cameras/reboot/gaps?${q}`, { headers: headers() });
    assert.equal(res.status, 200, await res.clone().text());
    const { gaps } = (await res.json()) as { gaps: Array<{ start: string; end: string; cause: string }> };
    const during = gaps.filter((g) => g.cause !== 'agent-stopped');
    assert.equal(during.length, 1, `gaps ${JSON.stringify(gaps)}`);
    assert.equal(during[0].cause, 'camera-unavailable');
    // The gap runs from the last stored media before the kill (the server's last packets were still in flight when
    // it was told to stop) to the first after the restart.
    assert.ok(Date.parse(during[0].start) <= rebootStoppedMs + 1000 && Date.parse(during[0].end) >= rebootBackMs, `gap ${JSON.stringify(during[0])} covers the outage ${iso(rebootStoppedMs)}..${iso(rebootBackMs)}`);
    assert.ok(segs.filter((s) => s.startMs >= rebootBackMs).length >= SEGMENTS_AFTER_REBOOT, 'recording resumed');
  });

  it('no other camera has a gap while it was recording', async () => {
    for (const c of cases.filter((x) => x.cameraId !== 'reboot')) {
      const segs = produced.get(c.cameraId)!;
      if (!segs.length) continue; // its own test fails
      const q = new URLSearchParams({ start: iso(segs[0].startMs), end: iso(segs[segs.length - 1].startMs + segs[segs.length - 1].durationMs) });
      const { gaps } = (await (await fetch(`${stack.apiBase}/cameras/${c.cameraId}/gaps?${q}`, { headers: headers() })).json()) as { gaps: Array<{ cause: string }> };
      const ends = printed.filter((l) => l.includes(c.cameraId) && /session ended|session-end|ffmpeg-stall/.test(l)).slice(-5).join('\n');
      assert.deepEqual(gaps.filter((g) => g.cause !== 'agent-stopped'), [], `${c.cameraId}: gaps; its sessions' ends:\n${ends}`);
    }
  });

  it('udp-lossy: packets were dropped, the damage is a data-dropped diagnostic, the session never stuck', () => {
    const stats = relay.stats();
    assert.ok(stats.rtpDropped > 0 && stats.udpSetups >= 2, `relay ${JSON.stringify(stats)}`);
    const share = stats.rtpDropped / (stats.rtpDropped + stats.rtpForwarded);
    assert.ok(share > LOSS_RATE / 3 && share < LOSS_RATE * 3, `dropped ${(share * 100).toFixed(2)} % of RTP`);
    const kinds = diagnostics.get('udp-lossy') ?? [];
    assert.ok(kinds.includes('data-dropped'), `diagnostics of udp-lossy: ${kinds.join(', ')}; of all: ${JSON.stringify([...diagnostics])}`);
    // Never stuck: segments came until the agent stopped, as from the TCP camera on the same stream, without a watchdog
    // restart.
    const segs = produced.get('udp-lossy')!;
    const others = produced.get('h264-midgop')!;
    const lastEnd = (s: AgentSegment[]) => s[s.length - 1].startMs + s[s.length - 1].durationMs;
    assert.ok(lastEnd(segs) >= lastEnd(others) - 2 * SEGMENT_MS, `last lossy segment ends ${iso(lastEnd(segs))}, the TCP camera's ${iso(lastEnd(others))}`);
    assert.ok(!stack.agentLog.some((l) => l.includes('"cameraId":"udp-lossy"') && l.includes('ffmpeg-stall')), 'no watchdog restart');
  });
});
