import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import mqtt from 'mqtt';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { advanceGate, applySignal, initialGateState, type SignalGateState } from '../../shared/evr/signal-gate';
import { parseSignalGateSettings } from '../../shared/schemas/signal-gate';
import { importTopology } from '../../shared/topology/import-topology';
import { agentSegments, type AgentSegment } from '../helpers/e2e';
import { decodeFully } from '../helpers/ffmpeg';
import { assertCarAccuracy, assertCodecCopy, assertFramesOnTimeline, assertPersonAccuracy, recordMotionRuns, type MotionRuns } from '../helpers/motion-rtsp-run';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';
import { readTopology } from '../helpers/topologies';
import { until, waitFor } from '../helpers/wait';

/**
 * EVR end to end: `one-by-one-person-detection.mp4` served over RTSP, recorded by the agent in EVR
 * mode with motion detection; the cloud's signal gate (offset -PT5S, minimum PT10S, maximum PT60S) turns the motion
 * signals into recordings and commands the agent to upload their windows; and a door camera whose recordings come
 * from a door sensor over MQTT and from an HTTP caller. During the same pass, in-process recorders on the same live
 * streams check motion accuracy on the recorder's own frames (test/helpers/motion-rtsp-run.ts): one pass of the
 * clip serves both. The person camera and its policy come from Microsoft's `ava-evr-motion-video-sink` topology
 * (docs/migrating-from-ava.md), imported with `rtspUrl` = the test RTSP server; the topology's own gate (offset PT0S,
 * minimum = maximum PT30S, no parameters for it) is then set to a gate with pre-roll and a retrigger window (-PT5S,
 * PT10S, PT60S), as an operator would with PUT /policy.
 */
const SEGMENT_LENGTH_MS = 2000;
const GATE = { activationEvaluationWindow: 'PT1S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT10S', maximumActivationTime: 'PT60S' };
/** The person camera's gate (pre-roll 5 s, at least 10 s, at most 60 s), over the imported topology's policy. */
const personGate: Record<string, string> = GATE;
/** The clip lasts 139.4 s; the six visits walk in at these clip times, ±0.5 s (test/fixtures/media/README.md). */
const CLIP_S = 139.4;
const VISIT_ONSETS_S = [6, 22, 50, 74, 92, 123];
const PERSON = 'person';
const DOOR = 'door';
const SENSOR = { user: 'door-sensor', password: 'door-sensor-secret-1' };

interface Recording {
  id: string;
  start: string;
  end: string;
  state: string;
  available: boolean;
  signals: Array<{ id: string; type: string; time: string }>;
}

describe('EVR end to end: motion and door signals → cloud signal gate → recordings of only their windows', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  let cloud: mqtt.MqttClient;
  let motionRuns: Promise<MotionRuns>;
  const printed: string[] = [];
  const motionSignals = new Map<string, number>(); // id → media time, as the agent published them
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kw-evr-e2e-'));
  const headers = { 'x-functions-key': '' };

  before(async () => {
    rtsp = await startRtspServer({ mounts: { '/person': mediaPath('one-by-one-person-detection.mp4'), '/door': mediaPath('car-detection.mp4') } });
    const policy = (type: string) => ({ mode: 'evr', retention: { archive: 'P7D' }, evr: { signals: [{ type }], signalGate: GATE } });
    // The agent-level settings of the topology (segmentLength PT30S, AVA's cache folder) are not taken: the test's win.
    const imported = importTopology(readTopology('ava-evr-motion-video-sink'), { name: PERSON, parameters: { rtspUrl: rtsp.urls['/person'] } });
    const personPolicy = imported.policies[PERSON] as { evr: { signals: Array<{ type: string }>; signalGate: Record<string, string> } };
    assert.deepEqual(personPolicy.evr.signals, [{ type: 'motion' }]);
    assert.deepEqual(personPolicy.evr.signalGate, { activationEvaluationWindow: 'PT1S', activationSignalOffset: 'PT0S', minimumActivationTime: 'PT30S', maximumActivationTime: 'PT30S' });
    stack = await startLocalStack({
      dataDir,
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [imported.cameras[0] as { id: string; url: string }, { id: DOOR, url: rtsp.urls['/door'], mode: 'evr' }],
      segmentLength: 'PT2S',
      agentConfig: { evrCacheHorizon: 'PT30S' },
      policies: { [PERSON]: { ...personPolicy, evr: { ...personPolicy.evr, signalGate: personGate } }, [DOOR]: policy('door') },
      signalPublishers: { [SENSOR.user]: { password: SENSOR.password, topics: [`keepwatch/local-device/signals/${DOOR}`] } },
      agentLogLevel: 'debug',
      print: (l) => printed.push(l),
    });
    headers['x-functions-key'] = stack.apiKey;
    // The cloud's view of the device events, to know every motion signal the agent published.
    cloud = await mqtt.connectAsync(stack.mqttUrl, { username: stack.cloudMqtt.username, password: stack.cloudMqtt.password, clientId: 'e2e-observer', protocolVersion: 4 });
    cloud.on('message', (_topic, payload) => {
      const e = JSON.parse(payload.toString()) as { id: string; type: string; data: { type: string; time: string } };
      if (e.type === 'signal' && e.data.type === 'motion') motionSignals.set(e.id, Date.parse(e.data.time));
    });
    await cloud.subscribeAsync(`keepwatch/local-device/events/${PERSON}`, { qos: 1 });
    // The agent is the mount's first client (its first segment is the clip's start); the motion recorders join after.
    await waitFor('the first person segment', 30_000, () => agentSegments(stack, PERSON)[0]);
    motionRuns = recordMotionRuns(rtsp.urls['/person'], rtsp.urls['/door'], mkdtempSync(path.join(os.tmpdir(), 'kw-motion-rtsp-')));
    motionRuns.catch(() => {}); // awaited by the motion tests below
  });

  after(async () => {
    await cloud?.endAsync();
    await stack?.stop();
    await rtsp?.stop();
  });

  async function recordings(cameraId: string, fromMs: number, toMs: number): Promise<Recording[]> {
    const q = new URLSearchParams({ start: new Date(fromMs).toISOString(), end: new Date(toMs).toISOString() });
    const res = await fetch(`${stack.apiBase}/cameras/${cameraId}/recordings?${q}`, { headers });
    if (res.status === 404) return [];
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { recordings: Recording[] }).recordings;
  }

  async function blobsOf(cameraId: string): Promise<Array<{ startMs: number; bytes: number }>> {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(stack.container);
    const out: Array<{ startMs: number; bytes: number }> = [];
    for await (const b of container.listBlobsFlat({ prefix: `${cameraId}/` })) out.push({ startMs: Date.parse(path.basename(b.name, '.ts')), bytes: b.properties.contentLength ?? 0 });
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  const overlaps = (s: { startMs: number; durationMs: number }, r: Recording) => s.startMs < Date.parse(r.end) && s.startMs + s.durationMs > Date.parse(r.start);

  it('records one clip pass: a recording per visit (or merged as the gate says), each with 5 s of pre-roll and playable, nothing else uploaded; door signals over MQTT and HTTP each get their 5 s before', async (t) => {
    // Clip time 0 of the pass, as the RTSP server played it (its first loop). The agent joined a few seconds into it,
    // on a GOP boundary: its first segment starts later, and media from before it does not exist.
    const first = await waitFor('the first person segment', 30_000, () => agentSegments(stack, PERSON)[0]);
    const t0 = rtsp.clipStartMs['/person'];
    assert.ok(first.startMs >= t0 && first.startMs < t0 + 15_000, `the agent's first segment starts ${(first.startMs - t0) / 1000} s into the clip`);

    // Door: a sensor over MQTT at ~30 s, an HTTP caller at ~60 s.
    await until('30 s of recording', 60_000, () => Date.now() > t0 + 30_000);
    const sensor = await mqtt.connectAsync(stack.mqttUrl, { username: SENSOR.user, password: SENSOR.password, clientId: 'door-sensor-1', protocolVersion: 4 });
    const mqttSignalMs = Date.now();
    await sensor.publishAsync(`keepwatch/local-device/signals/${DOOR}`, JSON.stringify({ id: 'door-open-1', type: 'door', time: new Date(mqttSignalMs).toISOString() }), { qos: 1 });
    await sensor.endAsync();
    await until('60 s of recording', 60_000, () => Date.now() > t0 + 60_000);
    const httpSignalMs = Date.now();
    const posted = await fetch(`${stack.apiBase}/cameras/${DOOR}/signals`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'door', time: new Date(httpSignalMs).toISOString() }) });
    assert.equal(posted.status, 202, await posted.clone().text());
    assert.equal(((await posted.json()) as { recording: boolean }).recording, true);

    // One pass of the clip, then every recording closed (minimum 10 s after the last motion) and uploaded.
    await until('one pass of the clip', 200_000, () => Date.now() > t0 + CLIP_S * 1000 + 3000);
    const endMs = Date.now();
    let person: Recording[] = [];
    await until('every person recording complete and available', 60_000, async () => {
      person = (await recordings(PERSON, t0 - 60_000, endMs)).filter((r) => Date.parse(r.start) < t0 + CLIP_S * 1000);
      return person.length > 0 && person.every((r) => r.state === 'complete' && r.available);
    });
    const segments: AgentSegment[] = agentSegments(stack, PERSON).filter((s) => s.startMs < t0 + CLIP_S * 1000);

    // The recordings are exactly what AVA's gate makes of the signals the agent published.
    const params = parseSignalGateSettings(personGate);
    const preRollMs = -params.activationSignalOffsetMs;
    let state: SignalGateState = initialGateState();
    const expected = new Map<string, { startMs: number; endMs: number }>();
    const take = (decisions: ReturnType<typeof applySignal>['decisions']) => {
      for (const d of decisions) if (d.kind === 'opened' || d.kind === 'extended' || d.kind === 'closed') expected.set(d.recordingId, { startMs: d.startMs, endMs: d.endMs });
    };
    // Every signal so far (the clip loops on: the last recording of the pass may be extended by the next pass).
    const signals = [...motionSignals].sort((a, b) => a[1] - b[1]);
    assert.ok(signals.length >= 6, `motion signals published: ${signals.length}\n${printed.slice(-30).join('\n')}`);
    for (const [id, atMs] of signals) {
      const step = applySignal(state, { id, atMs }, params);
      state = step.state;
      take(step.decisions);
    }
    take(advanceGate(state, signals.at(-1)![1] + 120_000, params).decisions);
    const windows = [...expected.values()].filter((w) => w.startMs < t0 + CLIP_S * 1000).sort((a, b) => a.startMs - b.startMs);
    assert.deepEqual(
      person.map((r) => [Date.parse(r.start), Date.parse(r.end)]),
      windows.map((w) => [w.startMs, w.endMs]),
      'recordings = the signal gate over the published motion signals',
    );
    assert.ok(person.length <= VISIT_ONSETS_S.length + 2, `${person.length} recordings for six visits`);

    for (const onsetS of VISIT_ONSETS_S) {
      const onsetMs = t0 + onsetS * 1000;
      // Motion starts within 1 s of the walking-in time (README timings ±0.5 s, clip start ≈ first segment).
      const firstMotion = signals.find(([, at]) => at >= onsetMs - 1500);
      assert.ok(firstMotion && Math.abs(firstMotion[1] - onsetMs) <= 1500, `visit at ${onsetS} s: first motion at ${firstMotion ? (firstMotion[1] - t0) / 1000 : 'none'} s`);
      // The visit is recorded, and a recording it opens starts at the gate's offset from it (media: ≤ one segment earlier).
      const r = person.find((x) => Date.parse(x.start) <= firstMotion![1] && firstMotion![1] < Date.parse(x.end));
      assert.ok(r, `visit at ${onsetS} s is inside a recording`);
      if (r.signals[0]?.id === firstMotion![0]) {
        const beforeMs = firstMotion![1] - Date.parse(r.start);
        assert.ok(beforeMs <= preRollMs && beforeMs >= preRollMs - 1000, `recording ${r.id} starts ${beforeMs} ms before its motion (gate offset ${-preRollMs} ms)`);
        const stored = segments.filter((s) => overlaps(s, r));
        assert.ok(stored[0].startMs >= Date.parse(r.start) - SEGMENT_LENGTH_MS - 500, `its media starts ≤ one segment before the recording`);
        // The pre-roll is stored whenever the camera was already recording then (the first visit may come before).
        if (first.startMs <= Date.parse(r.start)) assert.ok(stored[0].startMs <= firstMotion![1] - (preRollMs - 1000) + 500, 'its media includes the pre-roll');
      }
    }

    // Blob holds exactly the segments overlapping a window; the rest never left the agent.
    const blobs = await blobsOf(PERSON);
    const inWindow = segments.filter((s) => person.some((r) => overlaps(s, r)));
    assert.deepEqual(
      blobs.filter((b) => b.startMs < t0 + CLIP_S * 1000).map((b) => b.startMs),
      inWindow.map((s) => s.startMs),
      'uploaded = the segments overlapping a recording',
    );
    assert.ok(inWindow.length < segments.length, 'some segments were outside every window');
    const cvrBytes = segments.reduce((a, s) => a + s.bytes, 0);
    const evrBytes = inWindow.reduce((a, s) => a + s.bytes, 0);
    t.diagnostic(`EVR stored ${evrBytes} of ${cvrBytes} bytes recorded (CVR would store all): ratio ${(evrBytes / cvrBytes).toFixed(3)}; ${person.length} recordings`);

    // Each recording plays through its own playback URL.
    for (const r of person) {
      const res = await fetch(`${stack.apiBase}/cameras/${PERSON}/recordings/${r.id}/playback`, { headers });
      assert.equal(res.status, 200, await res.clone().text());
      const { hlsUrl } = (await res.json()) as { hlsUrl: string };
      const decoded = await decodeFully(hlsUrl);
      assert.equal(decoded.code, 0, `recording ${r.id} decodes`);
      assert.deepEqual(decoded.errors, []);
      // The window's media: from its start, or from when the camera started recording if that was later (the first
      // visit's pre-roll can reach back before the agent's first segment).
      const spanS = (Date.parse(r.end) - Math.max(Date.parse(r.start), first.startMs)) / 1000;
      assert.ok(Math.abs(decoded.decodedS - spanS) <= 2 * (SEGMENT_LENGTH_MS / 1000) + 0.5, `recording ${r.id}: decoded ${decoded.decodedS} s of a ${spanS} s window`);
    }

    // Door: each signal has a recording from 5 s before it, and that pre-roll reached Blob from the agent's cache.
    let door: Recording[] = [];
    await until('both door recordings available', 60_000, async () => {
      door = await recordings(DOOR, mqttSignalMs - 60_000, Date.now());
      return door.length >= 2 && door.every((r) => r.available);
    });
    const doorBlobs = new Set((await blobsOf(DOOR)).map((b) => b.startMs));
    const doorSegments = agentSegments(stack, DOOR);
    for (const [what, signalMs] of [['MQTT', mqttSignalMs], ['HTTP', httpSignalMs]] as const) {
      const r = door.find((x) => Date.parse(x.start) <= signalMs && signalMs < Date.parse(x.end));
      assert.ok(r, `the ${what} door signal opened a recording`);
      assert.equal(Date.parse(r.start), signalMs - 5000, `the ${what} door recording starts 5 s before the signal`);
      // Every segment of the 5 s before the signal went from the agent's cache to Blob.
      const preRoll = doorSegments.filter((s) => s.startMs < signalMs && s.startMs + s.durationMs > signalMs - 5000);
      assert.ok(preRoll.length >= 2, `${what}: ${preRoll.length} segments cover the pre-roll`);
      for (const s of preRoll) assert.ok(doorBlobs.has(s.startMs), `${what}: pre-roll segment ${new Date(s.startMs).toISOString()} is stored`);
    }
    assert.ok(doorBlobs.size < doorSegments.length, 'door segments outside both windows were not uploaded');
  });

  it('motion frames from the recording ffmpeg: 320x180 at 5 fps, none dropped, on the segments’ UTC timeline; the recording stays a codec copy', async () => {
    const runs = await motionRuns;
    assertFramesOnTimeline(runs);
    assertCodecCopy(runs);
  });

  it('motion accuracy, person clip: each of the six walk-ins starts motion within 1 s; the empty room is ≥ 95 % free of motion', async () => {
    assertPersonAccuracy(await motionRuns);
  });

  it('motion accuracy, car clip: each car pass is detected; exposure recovery after the white car ends motion within 2 s of it leaving', async () => {
    assertCarAccuracy(await motionRuns);
  });
});
