import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import mqtt from 'mqtt';
import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { startLocalStack, type LocalStack } from '../local/stack';
import { ensureSimulatedCameraClip, simulatedCamera } from '../local/simulated-camera';
import { parseIsoDuration } from '../shared/time';
import { summarize, type LatencySummary } from './percentiles';

/** Options of {@link runEvrLatency}; defaults in {@link EVR_BENCH_DEFAULTS}. */
export interface EvrBenchOptions {
  /** Door signals sent per segment length. */
  signals: number;
  /** Segment lengths measured (ISO 8601). */
  segmentLengths: readonly string[];
  /** The clip of the EVR/CVR bytes measurement (one pass is recorded). */
  motionClip: string;
  /** Its length, s. */
  motionClipSeconds: number;
  workDir: string;
  print: (line: string) => void;
}

export const EVR_BENCH_DEFAULTS = { signals: 6, segmentLengths: ['PT2S', 'PT10S'], motionClipSeconds: 139.4 } as const;

/** Target (docs/benchmarks.md): signal → `recording.available` within one segment length + 2 s (p95). */
export const EVR_LATENCY_TARGET_EXTRA_MS = 2000;

/** One segment length's latencies. */
export interface EvrLatencyCase {
  segmentLength: string;
  segmentMs: number;
  /** Signal sent (HTTP 202) → `recording.started` received, ms. */
  started: LatencySummary;
  /** Signal sent → `recording.available` received, ms. */
  available: LatencySummary;
}

/** What {@link runEvrLatency} measured. */
export interface EvrLatencyResult {
  cases: EvrLatencyCase[];
  /** One pass of the motion clip in EVR: bytes uploaded / bytes recorded (= what CVR would store). */
  bytes: { recorded: number; stored: number; ratio: number; recordings: number };
}

const GATE = { activationEvaluationWindow: 'PT1S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT10S', maximumActivationTime: 'PT60S' };
/** A door signal every 14 s: each opens its own recording (minimum 10 s + evaluation 1 s, with room). */
const SIGNAL_SPACING_MS = 14_000;

async function withStack<T>(dir: string, opts: Parameters<typeof startLocalStack>[0], body: (stack: LocalStack) => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const stack = await startLocalStack(opts);
  try {
    return await body(stack);
  } finally {
    await stack.stop();
  }
}

/**
 * EVR benchmarks, on the whole local stack (Azurite, aedes, the functions host, the agent):
 * 1. latency from a door signal (`POST /api/cameras/{id}/signals`) to `recording.started` and to `recording.available`
 *    (the first segment of its window indexed), as the integration events reach a subscriber of the local broker,
 *    at each segment length, against the target segment length + 2 s;
 * 2. bytes stored in EVR / bytes recorded (what CVR would store) over one pass of the motion clip played as a live
 *    camera, motion detection on, gate offset -PT5S, minimum PT10S, maximum PT60S.
 */
export async function runEvrLatency(o: EvrBenchOptions): Promise<EvrLatencyResult> {
  const ffmpegPath = resolveFfmpeg().path;
  const clip = ensureSimulatedCameraClip({ ffmpegPath, dir: path.join(o.workDir, 'simulated-camera'), width: 640, height: 360, fps: 15 });
  const cases: EvrLatencyCase[] = [];
  for (const segmentLength of o.segmentLengths) {
    const segmentMs = parseIsoDuration(segmentLength, 'segment length');
    const dir = path.join(o.workDir, `evr-latency-${segmentLength}`);
    const measured = await withStack(
      dir,
      {
        dataDir: dir,
        httpPort: 0,
        inMemoryStorage: true,
        cameras: [{ ...simulatedCamera('door', clip), mode: 'evr' }],
        segmentLength,
        agentConfig: { evrCacheHorizon: 'PT1M' },
        policies: { door: { mode: 'evr', retention: { archive: 'P7D' }, evr: { signals: [{ type: 'door' }], signalGate: GATE } } },
        print: () => {},
      },
      async (stack) => measureSignals(stack, o.signals, segmentMs),
    );
    const c = { segmentLength, segmentMs, started: summarize(measured.started), available: summarize(measured.available) };
    o.print(`segment ${segmentLength}: signal → recording.started p50 ${c.started.p50Ms.toFixed(0)} ms p95 ${c.started.p95Ms.toFixed(0)} ms; → recording.available p50 ${c.available.p50Ms.toFixed(0)} ms p95 ${c.available.p95Ms.toFixed(0)} ms (target ≤ ${segmentMs + EVR_LATENCY_TARGET_EXTRA_MS} ms, ${measured.available.length} signals)`);
    cases.push(c);
  }
  const bytes = await measureBytes(o);
  o.print(`EVR bytes stored / CVR bytes on ${path.basename(o.motionClip)}: ${bytes.stored} / ${bytes.recorded} = ${bytes.ratio.toFixed(3)} (${bytes.recordings} recordings)`);
  return { cases, bytes };
}

async function measureSignals(stack: LocalStack, count: number, segmentMs: number): Promise<{ started: number[]; available: number[] }> {
  const arrivals = new Map<string, { started?: number; available?: number }>();
  const cloud = await mqtt.connectAsync(stack.mqttUrl, { ...stack.cloudMqtt, clientId: 'bench-observer', protocolVersion: 4 });
  try {
    cloud.on('message', (topic, payload) => {
      const at = Date.now();
      const e = JSON.parse(payload.toString()) as { data?: { signals?: Array<{ id: string }> } };
      const id = e.data?.signals?.[0]?.id;
      if (!id) return;
      const a = arrivals.get(id) ?? {};
      if (topic.endsWith('/recording.started')) a.started ??= at;
      if (topic.endsWith('/recording.available')) a.available ??= at;
      arrivals.set(id, a);
    });
    await cloud.subscribeAsync('keepwatch-integration/#', { qos: 1 });
    // The pre-roll must be in the cache before the first signal: 5 s and a segment of recording.
    await new Promise((r) => setTimeout(r, 8000 + 2 * segmentMs));
    const sent = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const id = `bench-door-${i}`;
      const t = Date.now();
      const res = await fetch(`${stack.apiBase}/cameras/door/signals`, {
        method: 'POST',
        headers: { 'x-functions-key': stack.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ id, type: 'door', time: new Date(t).toISOString() }),
      });
      if (res.status !== 202) throw new Error(`signal refused: ${res.status} ${await res.text()}`);
      sent.set(id, t);
      await new Promise((r) => setTimeout(r, SIGNAL_SPACING_MS));
    }
    const deadline = Date.now() + 30_000 + 2 * segmentMs;
    while (Date.now() < deadline && [...sent.keys()].some((id) => arrivals.get(id)?.available === undefined)) await new Promise((r) => setTimeout(r, 250));
    const started: number[] = [];
    const available: number[] = [];
    for (const [id, t] of sent) {
      const a = arrivals.get(id);
      if (a?.started !== undefined) started.push(a.started - t);
      if (a?.available !== undefined) available.push(a.available - t);
    }
    if (available.length === 0) throw new Error('no recording.available arrived');
    return { started, available };
  } finally {
    await cloud.endAsync();
  }
}

async function measureBytes(o: EvrBenchOptions): Promise<EvrLatencyResult['bytes']> {
  const dir = path.join(o.workDir, 'evr-bytes');
  return withStack(
    dir,
    {
      dataDir: dir,
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ ...simulatedCamera('person', o.motionClip), mode: 'evr', motionDetection: {} }],
      segmentLength: 'PT2S',
      agentConfig: { evrCacheHorizon: 'PT30S' },
      policies: { person: { mode: 'evr', retention: { archive: 'P7D' }, evr: { signals: [{ type: 'motion' }], signalGate: GATE } } },
      agentLogLevel: 'debug',
      print: () => {},
    },
    async (stack) => {
      const startedMs = Date.now();
      await new Promise((r) => setTimeout(r, o.motionClipSeconds * 1000 + 4000));
      const endMs = Date.now();
      // Recordings close at most 60 s + 10 s after they open; wait for the last uploads.
      await new Promise((r) => setTimeout(r, 25_000));
      const recorded = stack.agentLog
        .map((l) => {
          try {
            return JSON.parse(l) as { msg?: string; cameraId?: string; segmentStartMs?: number; bytes?: number };
          } catch {
            return undefined;
          }
        })
        .filter((x) => x?.msg === 'segment recorded' && x.cameraId === 'person' && x.segmentStartMs! >= startedMs - 10_000 && x.segmentStartMs! < endMs);
      const starts = new Set(recorded.map((x) => x!.segmentStartMs!));
      const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(stack.container);
      let stored = 0;
      for await (const b of container.listBlobsFlat({ prefix: 'person/' })) {
        if (starts.has(Date.parse(path.basename(b.name, '.ts')))) stored += b.properties.contentLength ?? 0;
      }
      const res = await fetch(`${stack.apiBase}/cameras/person/recordings?${new URLSearchParams({ start: new Date(startedMs - 60_000).toISOString(), end: new Date(endMs).toISOString() })}`, { headers: { 'x-functions-key': stack.apiKey } });
      const recordings = res.ok ? ((await res.json()) as { recordings: unknown[] }).recordings.length : 0;
      const total = recorded.reduce((a, x) => a + (x!.bytes ?? 0), 0);
      return { recorded: total, stored, ratio: total ? stored / total : 0, recordings };
    },
  );
}
