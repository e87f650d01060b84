import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { startAzurite } from '../local/azurite';
import { startLocalBroker } from '../local/broker';
import { ensureSimulatedCameraClip, simulatedCamera } from '../local/simulated-camera';
import { parseCameraEventsTopic } from '../shared/topics';
import { killTree, stopChild, track } from './child-processes';
import { cpuBetween, ownPercentOfOneCore, processTree, treeCpuSnapshot, type CpuUse } from './process-tree-cpu';

/** Options of {@link runRecordingOverhead}; defaults in {@link RECORDING_DEFAULTS}. */
export interface RecordingOverheadOptions {
  /** Camera counts measured against the baseline (default 1, 4, 16). */
  cameraCounts: number[];
  /** Measured window of each run, s (default 60). */
  seconds: number;
  /** Time between the last ffmpeg starting and the window opening, s. */
  warmupSeconds: number;
  /** Cameras of the capacity run (agent only); 0 skips it. */
  capacityCameras: number;
  /** Measured window of the capacity run, s. */
  capacitySeconds: number;
  /** Folder for the simulated camera's clip and the runs' segment files (emptied of run files afterwards). */
  workDir: string;
  print: (line: string) => void;
}

export const RECORDING_DEFAULTS = {
  cameraCounts: [1, 4, 16],
  seconds: 60,
  warmupSeconds: 5,
  capacityCameras: 64,
  capacitySeconds: 30,
} as const;

/** Targets (docs/benchmarks.md): agent CPU ≤ 1.10 × bare ffmpeg; ≥ 64 cameras under 50 % of the machine. */
export const RECORDING_TARGETS = { maxRatio: 1.1, minCamerasUnderHalfMachine: 64, machineShare: 0.5 } as const;

/** One measured run: either N bare ffmpeg processes or the agent recording N cameras. */
export interface RecordingRun {
  kind: 'baseline' | 'agent';
  cameras: number;
  cpu: CpuUse;
  /** percentOfOneCore / cameras. */
  percentOfOneCorePerCamera: number;
  /** Share of the whole machine (all cores), percent. */
  percentOfMachine: number;
  /** Agent: `segment.uploaded` events the broker received inside the window; baseline: segment files written in the whole run. */
  segments: number;
  /** Processes in the measured tree(s) at the end of the window. */
  processes: number;
  /** Agent: ffmpeg processes that were replaced during the window (restarts); baseline: 0. */
  ffmpegRestarts: number;
  /** Agent: warn/error log lines over the whole run. */
  agentWarnings: number;
  /** Agent: CPU of the agent's Node process alone (the rest of `cpu` is its ffmpeg children), percent of one core. */
  agentNodePercentOfOneCore?: number;
  /** CPU of Azurite (the upload target) during the window, percent of one core; not part of the figures. */
  uploadTargetPercentOfOneCore?: number;
}

/** What {@link runRecordingOverhead} measured. */
export interface RecordingOverheadResult {
  runs: RecordingRun[];
  /** Agent CPU / baseline CPU per camera count. */
  ratios: Array<{ cameras: number; ratio: number }>;
  capacity?: {
    /** The capacity run itself. */
    measured: RecordingRun;
    /** Least-squares line through every agent run: CPU % of one core = fixed + perCamera × N. */
    fit: { fixedPercentOfOneCore: number; perCameraPercentOfOneCore: number };
    /** Largest N whose fitted CPU stays under 50 % of the machine. */
    estimatedMaxCameras: number;
  };
}

const DEVICE_ID = 'bench-device';
const CONTAINER = 'recordings';
const SEGMENT_LENGTH_S = 10;
/** The agent drains uploads for up to 20 s and gives each ffmpeg 10 s to close its segment (edge-agent/agent.ts). */
const AGENT_STOP_TIMEOUT_MS = 60_000;
const FFMPEG_STOP_TIMEOUT_MS = 10_000;
const TAIL_LINES = 40;

/**
 * Recording overhead: total CPU (user + system, from /proc) of the edge agent's process tree —
 * the `keepwatch-agent` Node process and its ffmpeg children — recording N simulated 1080p cameras, against bare
 * `ffmpeg -c copy -f segment` processes on the same input, in the same run, on the same machine.
 *
 * - Camera: local/simulated-camera.ts, a 60 s 1920×1080 25 fps H.264 clip (keyframe every second, ~2 Mb/s) read
 *   in real time in a loop (`-re -stream_loop -1`), the same input for every camera.
 * - Baseline, per camera: `ffmpeg -hide_banner -nostdin -re -stream_loop -1 -i clip -map 0 -c copy -f segment
 *   -segment_time 10 -segment_format mpegts out/%06d.ts`.
 * - Agent: the real CLI (`node dist/edge-agent/cli.js --config …`) with segmentLength PT10S, uploading to Azurite
 *   (in memory) and publishing `segment.uploaded` to the embedded broker (local/broker.ts, MQTT 3.1.1); so its
 *   figure includes hashing, uploading and publishing every segment. Azurite and the broker are not measured.
 * - Each run: start, wait until every ffmpeg runs plus `warmupSeconds`, measure `seconds`, stop. Runs are
 *   sequential, baseline then agent for each N, so they do not compete for the CPUs.
 * - Capacity: the agent alone with `capacityCameras` for `capacitySeconds`, measured; and a line fitted through all
 *   agent runs gives the largest camera count under 50 % of the machine.
 *
 * @throws Error when a process dies during a run (with its last output), or Azurite/the broker do not start
 */
export async function runRecordingOverhead(opts: RecordingOverheadOptions): Promise<RecordingOverheadResult> {
  const { print } = opts;
  const ffmpegPath = resolveFfmpeg().path;
  const cpus = os.availableParallelism();
  print(`making/finding the simulated camera clip (1920x1080, 25 fps, 60 s) in ${path.join(opts.workDir, 'media')}`);
  const clip = ensureSimulatedCameraClip({ ffmpegPath, dir: path.join(opts.workDir, 'media'), width: 1920, height: 1080, fps: 25, seconds: 60 });
  const runsDir = path.join(opts.workDir, 'recording-runs');
  rmSync(runsDir, { recursive: true, force: true });

  const azurite = await startAzurite();
  let uploadedEvents = 0;
  const devicePassword = randomBytes(18).toString('base64url');
  const broker = await startLocalBroker({
    port: 0,
    devices: { [DEVICE_ID]: devicePassword },
    onMessage: (m) => {
      if (parseCameraEventsTopic(m.topic)) uploadedEvents++;
    },
  });
  try {
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER).createIfNotExists();
    const ctx: RunContext = {
      ffmpegPath,
      clip,
      runsDir,
      cpus,
      warmupSeconds: opts.warmupSeconds,
      azuritePid: azurite.pid,
      brokerUrl: broker.url,
      devicePassword,
      connectionString: azurite.connectionString,
      uploadedEvents: () => uploadedEvents,
    };
    const runs: RecordingRun[] = [];
    const ratios: RecordingOverheadResult['ratios'] = [];
    print(`each run: ${opts.warmupSeconds} s warm-up, then ${opts.seconds} s measured; CPU = user + system of the measured process tree, % of one core`);
    print(header());
    for (const n of opts.cameraCounts) {
      const base = await measureBaseline(ctx, n, opts.seconds);
      runs.push(base);
      print(row(base, opts.seconds));
      const agent = await measureAgent(ctx, n, opts.seconds);
      runs.push(agent);
      const ratio = agent.cpu.cpuSeconds / agent.cpu.wallSeconds / (base.cpu.cpuSeconds / base.cpu.wallSeconds);
      ratios.push({ cameras: n, ratio });
      print(row(agent, opts.seconds));
      print(`  ${n} camera${n === 1 ? '' : 's'}: agent / bare ffmpeg = ${ratio.toFixed(2)} (target ≤ ${RECORDING_TARGETS.maxRatio.toFixed(2)}: ${ratio <= RECORDING_TARGETS.maxRatio ? 'met' : 'MISSED'})`);
    }

    let capacity: RecordingOverheadResult['capacity'];
    if (opts.capacityCameras > 0) {
      print(`capacity run: the agent alone with ${opts.capacityCameras} cameras, ${opts.capacitySeconds} s measured`);
      const measured = await measureAgent(ctx, opts.capacityCameras, opts.capacitySeconds);
      runs.push(measured);
      print(row(measured, opts.capacitySeconds));
      const fit = fitLine(runs.filter((r) => r.kind === 'agent').map((r) => [r.cameras, r.cpu.percentOfOneCore]));
      const budget = cpus * 100 * RECORDING_TARGETS.machineShare;
      const estimatedMaxCameras = fit.perCameraPercentOfOneCore > 0 ? Math.floor((budget - fit.fixedPercentOfOneCore) / fit.perCameraPercentOfOneCore) : Infinity;
      capacity = { measured, fit, estimatedMaxCameras };
      const under = measured.percentOfMachine < RECORDING_TARGETS.machineShare * 100;
      print(
        `  measured: ${measured.cameras} cameras use ${measured.percentOfMachine.toFixed(1)} % of this ${cpus}-CPU machine ` +
          `(${under ? 'under' : 'NOT under'} ${RECORDING_TARGETS.machineShare * 100} %)`,
      );
      print(
        `  fitted over all agent runs: ${fit.fixedPercentOfOneCore.toFixed(2)} + ${fit.perCameraPercentOfOneCore.toFixed(3)} × N % of one core ` +
          `→ largest N under ${RECORDING_TARGETS.machineShare * 100} % of the machine ≈ ${estimatedMaxCameras} ` +
          `(target ≥ ${RECORDING_TARGETS.minCamerasUnderHalfMachine}: ${estimatedMaxCameras >= RECORDING_TARGETS.minCamerasUnderHalfMachine ? 'met' : 'MISSED'})`,
      );
    }
    return { runs, ratios, capacity };
  } finally {
    await broker.close().catch(() => {});
    await azurite.stop();
    rmSync(runsDir, { recursive: true, force: true });
  }
}

interface RunContext {
  ffmpegPath: string;
  clip: string;
  runsDir: string;
  cpus: number;
  warmupSeconds: number;
  azuritePid: number;
  brokerUrl: string;
  devicePassword: string;
  connectionString: string;
  uploadedEvents: () => number;
}

/** N bare `ffmpeg -c copy -f segment` processes, started by this process; their own CPU is measured. */
async function measureBaseline(ctx: RunContext, n: number, seconds: number): Promise<RecordingRun> {
  const dir = path.join(ctx.runsDir, `baseline-${n}`);
  const children: Array<{ child: ChildProcess; tail: string[]; outDir: string }> = [];
  try {
    for (let i = 0; i < n; i++) {
      const outDir = path.join(dir, cameraId(i));
      mkdirSync(outDir, { recursive: true });
      const args = ['-hide_banner', '-nostdin', '-re', '-stream_loop', '-1', '-i', ctx.clip, '-map', '0', '-c', 'copy',
        '-f', 'segment', '-segment_time', String(SEGMENT_LENGTH_S), '-segment_format', 'mpegts', path.join(outDir, '%06d.ts')];
      const child = track(spawn(ctx.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
      children.push({ child, tail: keepTail(child.stderr!), outDir });
    }
    const pids = children.map((c) => c.child.pid!);
    await sleep(ctx.warmupSeconds * 1000);
    const assertRunning = () => {
      const dead = children.find((c) => c.child.exitCode !== null || c.child.signalCode !== null);
      if (dead) throw new Error(`baseline ffmpeg exited during the run (code ${dead.child.exitCode}):\n${dead.tail.join('\n')}`);
    };
    assertRunning();
    const before = treeCpuSnapshot(pids);
    const azBefore = treeCpuSnapshot([ctx.azuritePid]);
    await sleep(seconds * 1000);
    const after = treeCpuSnapshot(pids);
    const azAfter = treeCpuSnapshot([ctx.azuritePid]);
    assertRunning();
    await Promise.all(children.map((c) => stopChild(c.child, 'SIGINT', FFMPEG_STOP_TIMEOUT_MS)));
    const segments = children.reduce((sum, c) => sum + countFiles(c.outDir, '.ts'), 0);
    return result('baseline', n, ctx.cpus, cpuBetween(before, after), segments, after.processes.length, 0, 0, cpuBetween(azBefore, azAfter).percentOfOneCore);
  } finally {
    await Promise.all(children.map((c) => stopChild(c.child, 'SIGKILL', 1000)));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The agent CLI recording N simulated cameras; the agent process and its descendants are measured. */
async function measureAgent(ctx: RunContext, n: number, seconds: number): Promise<RecordingRun> {
  const dir = path.join(ctx.runsDir, `agent-${n}`);
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'agent.json');
  const config = {
    deviceId: DEVICE_ID,
    cameras: Array.from({ length: n }, (_, i) => simulatedCamera(cameraId(i), ctx.clip)),
    segmentLength: `PT${SEGMENT_LENGTH_S}S`,
    localMediaCachePath: path.join(dir, 'cache'),
    // Secrets are referenced (`${env:NAME}`, edge-agent/config/load-config.ts), not written into the file.
    broker: { url: ctx.brokerUrl, password: '${env:KEEPWATCH_BENCH_DEVICE_PASSWORD}', protocolVersion: 4 },
    upload: { connectionString: '${env:KEEPWATCH_BENCH_DEVICE_STORAGE}', container: CONTAINER },
    ffmpegPath: ctx.ffmpegPath,
    logLevel: 'info',
  };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const cli = path.join(__dirname, '..', 'edge-agent', 'cli.js');
  const agent = track(
    spawn(process.execPath, [cli, '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KEEPWATCH_BENCH_DEVICE_PASSWORD: ctx.devicePassword, KEEPWATCH_BENCH_DEVICE_STORAGE: ctx.connectionString },
    }),
  );
  const tail = keepTail(agent.stdout!, agent.stderr!);
  let warnings = 0;
  createInterface({ input: agent.stdout! }).on('line', (line) => {
    if (/"level":(4|5|6)\d/.test(line)) warnings++;
  });
  const agentPid = agent.pid!;
  const ffmpegPids = () => new Set(processTree([agentPid]).filter((p) => p.comm.startsWith('ffmpeg')).map((p) => p.pid));
  const assertRunning = (what: string) => {
    if (agent.exitCode !== null || agent.signalCode !== null) {
      throw new Error(`the agent exited ${what} (code ${agent.exitCode}, signal ${agent.signalCode}):\n${tail.join('\n')}`);
    }
  };
  let leftovers: number[] = [];
  try {
    const startDeadline = Date.now() + 30_000 + n * 500;
    while (ffmpegPids().size < n) {
      assertRunning('before all its ffmpeg processes ran');
      if (Date.now() > startDeadline) throw new Error(`the agent did not start ${n} ffmpeg processes in time:\n${tail.join('\n')}`);
      await sleep(200);
    }
    await sleep(ctx.warmupSeconds * 1000);
    assertRunning('during the warm-up');
    const before = treeCpuSnapshot([agentPid]);
    const azBefore = treeCpuSnapshot([ctx.azuritePid]);
    const eventsBefore = ctx.uploadedEvents();
    const ffmpegBefore = ffmpegPids();
    await sleep(seconds * 1000);
    const after = treeCpuSnapshot([agentPid]);
    const azAfter = treeCpuSnapshot([ctx.azuritePid]);
    const events = ctx.uploadedEvents() - eventsBefore;
    assertRunning('during the measured window');
    const ffmpegAfter = after.processes.filter((p) => p.comm.startsWith('ffmpeg')).map((p) => p.pid);
    const restarts = ffmpegAfter.filter((pid) => !ffmpegBefore.has(pid)).length;
    leftovers = ffmpegAfter;
    const stopped = await stopChild(agent, 'SIGTERM', AGENT_STOP_TIMEOUT_MS);
    if (stopped.killed) warnings++;
    const run = result('agent', n, ctx.cpus, cpuBetween(before, after), events, after.processes.length, restarts, warnings, cpuBetween(azBefore, azAfter).percentOfOneCore);
    return { ...run, agentNodePercentOfOneCore: ownPercentOfOneCore(before, after, agentPid) };
  } finally {
    // On an error the agent is still running: end it with its ffmpeg children, which would otherwise record on.
    if (agent.exitCode === null && agent.signalCode === null) killTree(agentPid);
    await stopChild(agent, 'SIGKILL', 1000);
    // ffmpeg children the agent did not stop (it was killed after the timeout) would be orphans: end them.
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function result(
  kind: RecordingRun['kind'],
  cameras: number,
  cpus: number,
  cpu: CpuUse,
  segments: number,
  processes: number,
  ffmpegRestarts: number,
  agentWarnings: number,
  uploadTargetPercentOfOneCore: number,
): RecordingRun {
  return {
    kind,
    cameras,
    cpu,
    percentOfOneCorePerCamera: cpu.percentOfOneCore / cameras,
    percentOfMachine: cpu.percentOfOneCore / cpus,
    segments,
    processes,
    ffmpegRestarts,
    agentWarnings,
    uploadTargetPercentOfOneCore: kind === 'agent' ? uploadTargetPercentOfOneCore : undefined,
  };
}

/** Ordinary least squares through (x, y) points; with one point (or one distinct x), a line through the origin. */
export function fitLine(points: ReadonlyArray<readonly [number, number]>): { fixedPercentOfOneCore: number; perCameraPercentOfOneCore: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return { fixedPercentOfOneCore: 0, perCameraPercentOfOneCore: my / mx };
  const slope = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { fixedPercentOfOneCore: my - slope * mx, perCameraPercentOfOneCore: slope };
}

function header(): string {
  return ['run', 'cameras', 'CPU s', '% core', '% core/cam', '% machine', 'segments', 'procs', 'notes'].map((h, i) => (i === 0 ? h.padEnd(9) : h.padStart(i === 8 ? 0 : 11))).join(' ');
}

function row(r: RecordingRun, seconds: number): string {
  const expected = Math.floor(seconds / SEGMENT_LENGTH_S) * r.cameras;
  const notes = r.kind === 'agent'
    ? [`uploaded in window (≈${expected} expected)`, `agent node ${r.agentNodePercentOfOneCore?.toFixed(2)} % core, its ffmpegs ${(r.cpu.percentOfOneCore - (r.agentNodePercentOfOneCore ?? 0)).toFixed(2)}`, `Azurite ${r.uploadTargetPercentOfOneCore?.toFixed(1)} % core (not counted)`,
      r.ffmpegRestarts ? `${r.ffmpegRestarts} ffmpeg restarts` : '', r.agentWarnings ? `${r.agentWarnings} agent warnings` : ''].filter(Boolean).join('; ')
    : 'written in the whole run';
  return [
    r.kind.padEnd(9),
    String(r.cameras).padStart(11),
    r.cpu.cpuSeconds.toFixed(2).padStart(11),
    r.cpu.percentOfOneCore.toFixed(2).padStart(11),
    r.percentOfOneCorePerCamera.toFixed(3).padStart(11),
    r.percentOfMachine.toFixed(2).padStart(11),
    String(r.segments).padStart(11),
    String(r.processes).padStart(11),
    ` ${notes}`,
  ].join(' ');
}

function cameraId(i: number): string {
  return `cam-${String(i + 1).padStart(3, '0')}`;
}

function countFiles(dir: string, ext: string): number {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).length : 0;
}

/** Keeps the last lines of the given streams (and drains them: a full pipe would stall the child). */
function keepTail(...streams: NodeJS.ReadableStream[]): string[] {
  const tail: string[] = [];
  for (const s of streams) {
    createInterface({ input: s }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    });
  }
  return tail;
}
