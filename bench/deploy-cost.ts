import { mkdirSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { startLocalStack } from '../local/stack';
import { simulatedCamera } from '../local/simulated-camera';
import { atBitrate, estimateCost, formatCostTables, formatCounts, type CameraHourCounts, type CostAssumptions, type CostEstimate } from './cost-model';
import { UNIT_PRICES } from './cost-prices';
import { startCountingStorageProxy, type CountingStorageProxy, type OperationCount } from './counting-storage-proxy';
import { countFunctionInvocations, type FunctionCount } from './function-invocation-counter';

/** Options of {@link runDeployCost}; defaults in {@link COST_BENCH_DEFAULTS}. */
export interface CostBenchOptions {
  /** Counted window, s (after the warm-up). */
  seconds: number;
  /** Recording before the window opens (first segments, tables created), s. */
  warmupSeconds: number;
  /** Agent segment length, ISO 8601. */
  segmentLength: string;
  /**
   * `cvr`: every segment is uploaded. `evr`: motion detection on, the camera's policy opens a recording around motion
   * (gate: pre-roll 5 s, minimum 10 s, maximum 60 s, as `bench/evr-latency.ts`), so signals, upload commands and
   * recording integration events are counted too. Default `cvr`.
   */
  mode?: 'cvr' | 'evr';
  /** Clip played as a live camera (`-re -stream_loop -1`). */
  clip: string;
  workDir: string;
  print: (line: string) => void;
}

export const COST_BENCH_DEFAULTS = { seconds: 180, warmupSeconds: 25, segmentLength: 'PT10S' } as const;

/** Counted window of the EVR pass, s: one loop of `one-by-one-person-detection.mp4` (139.4 s). */
export const COST_EVR_SECONDS = 140;

/** The EVR pass's gate (the EVR latency benchmark's). */
const EVR_GATE = { activationEvaluationWindow: 'PT1S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT10S', maximumActivationTime: 'PT60S' };

/**
 * The model's assumptions for docs/deploy.md (each explained there): 7-day retention (the deployment default), 730
 * hours a month, 2 GB instances (infra/modules/functions.bicep), Application Insights records of about 1 KB per
 * execution and 0.5 KB of envelope per trace, one checkpoint blob write per ingest batch, and retention's requests as
 * functions/retention/retention.ts makes them (rows in ≤ 100-row transactions, blobs in ≤ 256-delete batches, one journal write
 * per 1,024 segments, rollup and camera row per camera and run).
 */
export const COST_ASSUMPTIONS: CostAssumptions = {
  retentionDays: 7,
  hoursPerMonth: 730,
  instanceMemoryGb: 2,
  requestRecordBytes: 1000,
  traceEnvelopeBytes: 500,
  checkpointWritesPerIngest: 1,
  retentionPerSegment: { tableTransactions: 1 / 100, blobBatches: 1 / 256, blobWrites: 1 / 1024 },
  retentionTableTransactionsPerCameraRun: 2,
};

/** Fleet sizes the fixed costs are shared by. */
export const COST_FLEETS = [10, 100] as const;

/** What {@link runDeployCost} measured. */
export interface CostBenchResult {
  windowSeconds: number;
  counts: CameraHourCounts;
  storage: OperationCount[];
  functions: FunctionCount[];
  mqttByTopicKind: Record<string, { messages: number; bytes: number }>;
  estimate: CostEstimate;
  /** The same counts for a camera of {@link REFERENCE_BITRATE} bit/s. */
  referenceEstimate: CostEstimate;
}

/** A typical 1080p H.264 surveillance stream, bit/s: the second table of docs/deploy.md. */
export const REFERENCE_BITRATE = 2_000_000;

/**
 * Counting run of docs/deploy.md "Cost per camera-month": the local stack (Azurite behind a counting proxy, aedes,
 * the functions host, the agent) records one camera — a clip of test/fixtures/media played in real time — in CVR for
 * `seconds` after a warm-up, and counts storage requests by operation and billing class, function executions by
 * function (and their active time), the MQTT messages at the broker (a cloud subscriber on `keepwatch/#` and
 * `keepwatch-integration/#`), device events and log lines; then scales them to one camera-hour and prices them.
 * The counts stop before the stack does, so shutdown traffic is not counted.
 */
export async function runDeployCost(o: CostBenchOptions): Promise<CostBenchResult> {
  const dir = path.join(o.workDir, `deploy-cost-${o.mode ?? 'cvr'}`);
  mkdirSync(dir, { recursive: true });
  const invocations = countFunctionInvocations();
  let proxy: CountingStorageProxy | undefined;
  let logLines = 0;
  let logBytes = 0;
  const mqttCounts: Record<string, { messages: number; bytes: number }> = {};
  try {
    const stack = await startLocalStack({
      dataDir: dir,
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [o.mode === 'evr' ? { ...simulatedCamera('cam-1', o.clip), mode: 'evr', motionDetection: {} } : simulatedCamera('cam-1', o.clip)],
      segmentLength: o.segmentLength,
      ...(o.mode === 'evr'
        ? {
            agentConfig: { evrCacheHorizon: 'PT30S' },
            policies: { 'cam-1': { mode: 'evr', retention: { archive: 'P7D' }, evr: { signals: [{ type: 'motion' }], signalGate: EVR_GATE } } },
          }
        : {}),
      // Function log lines (they carry functionName=) are what Application Insights would ingest as traces.
      print: (line) => {
        if (line.includes(' functionName=')) {
          logLines += 1;
          logBytes += Buffer.byteLength(line);
        }
      },
      storageFront: async (azurite) => (proxy = await startCountingStorageProxy(azurite)),
    });
    try {
      const observer = await mqtt.connectAsync(stack.mqttUrl, { ...stack.cloudMqtt, clientId: 'bench-cost-observer', protocolVersion: 4 });
      observer.on('message', (topic, payload, packet) => {
        if (packet.retain) return; // a retained status replayed to the observer, not a new publish
        const kind = topic.startsWith('keepwatch-integration/') ? 'integration' : /^keepwatch\/[^/]+\/commands\//.test(topic) ? 'command' : `device ${topic.split('/')[2] ?? ''} ${cloudEventType(payload)}`;
        const c = (mqttCounts[kind] ??= { messages: 0, bytes: 0 });
        c.messages += 1;
        c.bytes += payload.length;
      });
      await observer.subscribeAsync(['keepwatch/#', 'keepwatch-integration/#'], { qos: 1 });
      o.print(`warming up ${o.warmupSeconds} s (camera cam-1: ${path.basename(o.clip)}, ${(o.mode ?? 'cvr').toUpperCase()}, ${o.segmentLength} segments)`);
      await sleep(o.warmupSeconds * 1000);
      proxy!.reset();
      invocations.reset();
      for (const k of Object.keys(mqttCounts)) delete mqttCounts[k];
      logLines = 0;
      logBytes = 0;
      const t0 = Date.now();
      o.print(`counting for ${o.seconds} s`);
      await sleep(o.seconds * 1000);
      // To 0.1 s: the window is a timer's length, and its few ms of lateness would only blur the per-hour figures.
      const windowSeconds = Math.round((Date.now() - t0) / 100) / 10;
      const storage = proxy!.snapshot();
      const fn = invocations.snapshot();
      const mqttSnapshot = JSON.parse(JSON.stringify(mqttCounts)) as typeof mqttCounts;
      const lines = { logLines, logBytes };
      await observer.endAsync();
      const counts = toCameraHour(windowSeconds, storage.operations, storage.entityBytesByTable, fn, mqttSnapshot, lines);
      const estimate = estimateCost(counts, UNIT_PRICES, COST_ASSUMPTIONS, COST_FLEETS);
      const referenceEstimate = estimateCost(atBitrate(counts, REFERENCE_BITRATE), UNIT_PRICES, COST_ASSUMPTIONS, COST_FLEETS);
      return { windowSeconds, counts, storage: storage.operations, functions: fn.functions, mqttByTopicKind: mqttSnapshot, estimate, referenceEstimate };
    } finally {
      await stack.stop();
    }
  } finally {
    invocations.restore();
  }
}

/** Scales one window's counts to one camera-hour (the run records one camera). */
export function toCameraHour(
  windowSeconds: number,
  storage: OperationCount[],
  entityBytesByTable: Record<string, number>,
  fn: { functions: FunctionCount[]; activeMs: number },
  mqttByKind: Record<string, { messages: number; bytes: number }>,
  log: { logLines: number; logBytes: number },
): CameraHourCounts {
  const k = 3600 / windowSeconds;
  const blobOf = (cls: string) => storage.filter((s) => s.service === 'blob' && s.billingClass === cls).reduce((a, s) => a + s.requests, 0) * k;
  const putBlob = storage.find((s) => s.service === 'blob' && s.operation === 'PutBlob');
  const device = Object.entries(mqttByKind).filter(([kind]) => kind.startsWith('device '));
  const commands = mqttByKind.command?.messages ?? 0;
  return {
    segments: (putBlob?.requests ?? 0) * k,
    blob: { write: blobOf('write'), list: blobOf('list'), read: blobOf('read'), other: blobOf('other'), delete: blobOf('delete'), batch: blobOf('batch') },
    blobBytes: (putBlob?.requestBytes ?? 0) * k,
    tableTransactions: storage.filter((s) => s.service === 'table' && s.billingClass === 'transaction').reduce((a, s) => a + s.requests, 0) * k,
    tableBytes: Object.values(entityBytesByTable).reduce((a, b) => a + b, 0) * k,
    functionExecutions: fn.functions.reduce((a, f) => a + f.executions, 0) * k,
    ingestExecutions: fn.functions.filter((f) => f.kind === 'eventHub').reduce((a, f) => a + f.executions, 0) * k,
    functionActiveSeconds: (Math.round(fn.activeMs) / 1000) * k,
    deviceEvents: device.reduce((a, [, c]) => a + c.messages, 0) * k,
    deviceEventBytes: device.reduce((a, [, c]) => a + c.bytes, 0) * k,
    integrationEvents: (mqttByKind.integration?.messages ?? 0) * k,
    mqttPublishesIn: (device.reduce((a, [, c]) => a + c.messages, 0) + commands) * k,
    mqttDeliveriesOut: commands * k,
    logLines: log.logLines * k,
    logBytes: log.logBytes * k,
  };
}

/** Prints the run's raw counts, the per-camera-hour counts and the cost tables. */
export function printDeployCost(r: CostBenchResult, print: (line: string) => void): void {
  print(`window ${r.windowSeconds.toFixed(1)} s; raw counts in the window:`);
  for (const s of [...r.storage].sort((a, b) => a.service.localeCompare(b.service) || b.requests - a.requests)) {
    print(`  storage ${s.service} ${s.operation} (${s.billingClass}): ${s.requests} requests${s.subRequests ? `, ${s.subRequests} sub-requests` : ''}, ${s.requestBytes} body bytes`);
  }
  for (const f of r.functions) print(`  function ${f.name} (${f.kind}): ${f.executions} executions, ${f.totalMs.toFixed(0)} ms${f.events ? `, ${f.events} events` : ''}`);
  for (const [kind, c] of Object.entries(r.mqttByTopicKind)) print(`  mqtt ${kind}: ${c.messages} messages, ${c.bytes} bytes`);
  print('\nper camera-hour:');
  print(formatCounts(r.counts));
  print(`counts (JSON, for docs/deploy.md and test/unit/bench/cost-model.test.ts): ${JSON.stringify(r.counts)}`);
  print(`\nper camera-month at ${COST_ASSUMPTIONS.retentionDays}-day retention (prices: bench/cost-prices.ts, docs/deploy.md):`);
  print(formatCostTables(r.estimate));
  print(`\nthe same for a ${REFERENCE_BITRATE / 1e6} Mbit/s camera (only the stored bytes change):`);
  print(formatCostTables(r.referenceEstimate));
}

/** The CloudEvent `type` of a device message, for the breakdown of device events; `?` when it has none. */
function cloudEventType(payload: Buffer): string {
  try {
    const t = (JSON.parse(payload.toString('utf8')) as { type?: unknown }).type;
    return typeof t === 'string' ? t : '?';
  } catch {
    return '?';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
