import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { recorderArgs, sessionOutputPattern } from '../edge-agent/recorder/ffmpeg-args';
import { resolveFfmpeg, type RecorderFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { startAzurite, type AzuriteInstance } from '../local/azurite';
import { startLocalBroker } from '../local/broker';
import { ensureSimulatedCameraClip } from '../local/simulated-camera';
import { parseCameraConfig } from '../shared/schemas/agent-config';
import { parseCameraEventsTopic } from '../shared/contracts/topics';
import { startRtspServer, type RtspServer } from '../testbed/rtsp-server';
import { killTree, stopChild, track } from './child-processes';
import { plainUploadTarget, startPlainBaselineCamera, type PlainBaselineCamera } from './plain-uploader-baseline';
import { cpuBetween, ownPercentOfOneCore, processTree, treeCpuSnapshot, type CpuUse } from './process-tree-cpu';
import { treeMemory, type ProcessMemory } from './process-tree-memory';

/** Options of {@link runRecordingOverhead}; defaults in {@link RECORDING_DEFAULTS}. */
export interface RecordingOverheadOptions {
  /** Camera counts measured against the baseline (default 16, 64). */
  cameraCounts: number[];
  /** Measured window of each run, s (default 60). */
  seconds: number;
  /**
   * Time between the last ffmpeg starting and the window opening, s (default 60): RTSP sessions connect and probe,
   * and the agent's JavaScript reaches its steady state (V8 still compiles its hot paths for a minute or so after the
   * first segments: with 10 s the window measured about a third more agent Node CPU, docs/benchmarks.md).
   */
  warmupSeconds: number;
  /**
   * Camera counts whose share of the machine is reported (default 64, 128): the agent runs of `cameraCounts` are
   * reused, the other counts run the agent alone. Empty: no capacity runs.
   */
  capacityCameras: number[];
  /** Measured window of the agent-only capacity runs, s. */
  capacitySeconds: number;
  /** Folder for the runs' segment files and agent caches (deleted afterwards). */
  workDir: string;
  print: (line: string) => void;
}

export const RECORDING_DEFAULTS = {
  cameraCounts: [16, 64],
  seconds: 60,
  warmupSeconds: 60,
  capacityCameras: [64, 128],
  capacitySeconds: 60,
} as const;

/** Targets (issue "Record every camera"): agent CPU ≤ 1.10 × the baseline; 128 cameras under 50 % of the machine. */
export const RECORDING_TARGETS = { maxRatio: 1.1, capacityCameras: 128, machineShare: 0.5 } as const;

/** The simulated camera: a short 1080p H.264 clip served live and looped by one shared RTSP server. */
export const RECORDING_CLIP = { width: 1920, height: 1080, fps: 25, seconds: 20 } as const;

/** Where the clip is cached between runs (made once, about 12 s of one core). */
export const RECORDING_CLIP_DIR = path.join(os.tmpdir(), 'keepwatch-bench-media');

/** Memory of a run's processes at the end of its window. */
export interface RunMemory {
  /** Σ RSS of every process in the measured trees, bytes. */
  rssBytes: number;
  /** Σ PSS (shared pages divided among their users), bytes. */
  pssBytes: number;
  /** RSS / PSS of the ffmpeg processes alone. */
  ffmpegRssBytes: number;
  ffmpegPssBytes: number;
  /** The ffmpeg processes counted. */
  ffmpegProcesses: number;
}

/** One measured run: the baseline (ffmpeg + plain uploader per camera) or the agent recording N cameras. */
export interface RecordingRun {
  kind: 'baseline' | 'agent';
  cameras: number;
  cpu: CpuUse;
  /** percentOfOneCore / cameras. */
  percentOfOneCorePerCamera: number;
  /** Share of the whole machine (all cores), percent. */
  percentOfMachine: number;
  /** Segments stored inside the window: agent `segment.uploaded` events; baseline `201` answers to its curl PUTs. */
  uploads: number;
  /** Uploads that failed inside the window (baseline: any answer but 201). */
  uploadsFailed: number;
  memory: RunMemory;
  /** Processes in the measured tree(s) at the end of the window. */
  processes: number;
  /** Agent: ffmpeg processes replaced during the window (restarts); baseline: 0. */
  ffmpegRestarts: number;
  /** Agent: warn/error log lines over the whole run. */
  agentWarnings: number;
  /** Agent: CPU of its Node process alone (the rest of `cpu` is its ffmpeg children), percent of one core. */
  agentNodePercentOfOneCore?: number;
  /** Agent: the ffmpeg version its log names (`recording with ffmpeg`). */
  agentFfmpegVersion?: string;
  /** CPU of the shared RTSP server during the window, percent of one core; counted on neither side. */
  cameraServerPercentOfOneCore: number;
  /** CPU of Azurite (the upload target) during the window, percent of one core; counted on neither side. */
  uploadTargetPercentOfOneCore: number;
}

/** What {@link runRecordingOverhead} measured. */
export interface RecordingOverheadResult {
  ffmpeg: Pick<RecorderFfmpeg, 'path' | 'version' | 'source' | 'startGuard'>;
  /** One line naming the simulated cameras' source, as printed. */
  source: string;
  runs: RecordingRun[];
  /** Agent CPU / baseline CPU per camera count. */
  ratios: Array<{ cameras: number; ratio: number }>;
  /** The agent runs of the capacity counts, by camera count. */
  capacity: RecordingRun[];
  /** Least-squares line through every agent run: CPU % of one core = fixed + perCamera × N; undefined with < 2 counts. */
  fit?: { fixedPercentOfOneCore: number; perCameraPercentOfOneCore: number; estimatedMaxCameras: number };
}

const DEVICE_ID = 'bench-device';
const CONTAINER = 'recordings';
const SEGMENT_LENGTH_S = 10;
const MOUNT = '/camera';
/** The agent drains uploads for up to 20 s and gives each ffmpeg 10 s to close its segment (edge-agent/agent.ts). */
const AGENT_STOP_TIMEOUT_MS = 60_000;
/** A baseline camera: ffmpeg closes its segment, the last curl uploads it. */
const BASELINE_STOP_TIMEOUT_MS = 20_000;
const TAIL_LINES = 40;

/**
 * Recording overhead, memory and capacity of the edge agent, each against a baseline measured in the same run on the
 * same machine (docs/benchmarks.md "Recording overhead").
 *
 * - Cameras: one GStreamer RTSP server (testbed/rtsp-server.py) serves a 1920×1080 25 fps H.264 clip (20 s,
 *   libx264, a keyframe every second, 2 Mb/s, looped live) on one shared mount; every camera of both sides is an RTSP
 *   session on it over TCP. The server's CPU is printed and counted on neither side, so the source costs both sides
 *   the same, and both run the RTSP path a real camera takes, start guard included.
 * - Baseline, per camera: ffmpeg with the agent's own arguments (edge-agent/recorder/ffmpeg-args.ts `recorderArgs`:
 *   codec copy, PT10S MPEG-TS segments, segment list on fd 3, progress on fd 4, the RTSP start guard of this ffmpeg)
 *   piped into a plain uploader (bench/plain-uploader.sh: `curl -T` of each finished segment to the same Azurite,
 *   the agent's blob names, If-None-Match: *).
 * - Agent: the real CLI (`node dist/edge-agent/cli.js --config …`), segmentLength PT10S, uploading to Azurite and
 *   publishing `segment.uploaded` to the embedded broker (local/broker.ts, in this process, not counted).
 * - Each run gets a fresh in-memory Azurite; runs are sequential (baseline then agent for each N), so they never
 *   compete for the CPUs. A run waits until its N ffmpeg processes run, then `warmupSeconds`, then measures CPU
 *   (user + system of its process trees, /proc) over `seconds`, and reads RSS and PSS at the window's end.
 * - Capacity: the agent's share of the machine at each `capacityCameras` count (measured; a line fitted through the
 *   agent runs is printed beside it, for information).
 *
 * @throws Error when a process dies during a run (with its last output), or Azurite, the broker or the RTSP server
 *   do not start
 */
export async function runRecordingOverhead(opts: RecordingOverheadOptions): Promise<RecordingOverheadResult> {
  const { print } = opts;
  const ffmpeg = resolveFfmpeg();
  const cpus = os.availableParallelism();
  print(`ffmpeg: ${ffmpeg.version} (${ffmpeg.source}, ${ffmpeg.path}), RTSP start guard ${ffmpeg.startGuard}`);
  const { width, height, fps, seconds: clipSeconds } = RECORDING_CLIP;
  const clip = ensureSimulatedCameraClip({ ffmpegPath: ffmpeg.path, dir: RECORDING_CLIP_DIR, width, height, fps, seconds: clipSeconds });
  const runsDir = path.join(opts.workDir, 'recording-runs');
  rmSync(runsDir, { recursive: true, force: true });

  const server = await startRtspServer({ mounts: { [MOUNT]: clip } });
  const source =
    `one shared GStreamer RTSP server (testbed/rtsp-server.py, pid ${server.pid}) serving ${clip} ` +
    `(${width}x${height} ${fps} fps H.264, ${clipSeconds} s looped live); every camera is an RTSP/TCP session on it; its CPU counts on neither side`;
  print(`cameras: ${source}`);
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
    const ctx: RunContext = {
      ffmpeg,
      cameraUrl: server.urls[MOUNT],
      server,
      runsDir,
      cpus,
      warmupSeconds: opts.warmupSeconds,
      brokerUrl: broker.url,
      devicePassword,
      uploadedEvents: () => uploadedEvents,
    };
    const runs: RecordingRun[] = [];
    const ratios: RecordingOverheadResult['ratios'] = [];
    print(`each run: a fresh Azurite, all ffmpeg running + ${opts.warmupSeconds} s warm-up, then ${opts.seconds} s measured; ` +
      'CPU = user + system of the measured process trees, % of one core; memory at the end of the window');
    print(header());
    for (const n of opts.cameraCounts) {
      const base = await measureBaseline(ctx, n, opts.seconds);
      runs.push(base);
      print(row(base, opts.seconds));
      const agent = await measureAgent(ctx, n, opts.seconds);
      runs.push(agent);
      print(row(agent, opts.seconds));
      const ratio = agent.cpu.percentOfOneCore / base.cpu.percentOfOneCore;
      ratios.push({ cameras: n, ratio });
      print(
        `  ${n} camera${n === 1 ? '' : 's'}: agent / baseline CPU = ${ratio.toFixed(2)} (target ≤ ${RECORDING_TARGETS.maxRatio.toFixed(2)}: ` +
          `${ratio <= RECORDING_TARGETS.maxRatio ? 'met' : 'MISSED'}); memory per camera: agent ${mib(agent.memory.rssBytes / n)} MiB RSS, ` +
          `${mib(agent.memory.pssBytes / n)} MiB PSS; baseline ${mib(base.memory.rssBytes / n)} MiB RSS, ${mib(base.memory.pssBytes / n)} MiB PSS`,
      );
    }

    const capacity: RecordingRun[] = [];
    for (const n of opts.capacityCameras) {
      let run = runs.find((r) => r.kind === 'agent' && r.cameras === n);
      if (!run) {
        print(`capacity: the agent alone with ${n} cameras, ${opts.capacitySeconds} s measured`);
        run = await measureAgent(ctx, n, opts.capacitySeconds);
        runs.push(run);
        print(row(run, opts.capacitySeconds));
      }
      capacity.push(run);
    }
    for (const run of capacity) {
      const under = run.percentOfMachine < RECORDING_TARGETS.machineShare * 100;
      print(
        `  capacity: ${run.cameras} cameras use ${run.percentOfMachine.toFixed(1)} % of this ${cpus}-CPU machine (${under ? 'under' : 'NOT under'} ` +
          `${RECORDING_TARGETS.machineShare * 100} %; goal: ${RECORDING_TARGETS.capacityCameras} cameras under ${RECORDING_TARGETS.machineShare * 100} %), ` +
          `${run.uploads} segments stored in the window, ${mib(run.memory.rssBytes / run.cameras)} MiB RSS per camera`,
      );
    }
    const agentRuns = runs.filter((r) => r.kind === 'agent');
    let fit: RecordingOverheadResult['fit'];
    if (new Set(agentRuns.map((r) => r.cameras)).size >= 2) {
      const line = fitLine(agentRuns.map((r) => [r.cameras, r.cpu.percentOfOneCore]));
      const budget = cpus * 100 * RECORDING_TARGETS.machineShare;
      const estimatedMaxCameras = line.perCameraPercentOfOneCore > 0 ? Math.floor((budget - line.fixedPercentOfOneCore) / line.perCameraPercentOfOneCore) : Infinity;
      fit = { ...line, estimatedMaxCameras };
      print(
        `  fitted over the agent runs (information): ${line.fixedPercentOfOneCore.toFixed(2)} + ${line.perCameraPercentOfOneCore.toFixed(3)} × N % of one core ` +
          `→ largest N under ${RECORDING_TARGETS.machineShare * 100} % of the machine ≈ ${estimatedMaxCameras}`,
      );
    }
    return { ffmpeg: { path: ffmpeg.path, version: ffmpeg.version, source: ffmpeg.source, startGuard: ffmpeg.startGuard }, source, runs, ratios, capacity, fit };
  } finally {
    await broker.close().catch(() => {});
    await server.stop();
    rmSync(runsDir, { recursive: true, force: true });
  }
}

interface RunContext {
  ffmpeg: RecorderFfmpeg;
  cameraUrl: string;
  server: RtspServer;
  runsDir: string;
  cpus: number;
  warmupSeconds: number;
  brokerUrl: string;
  devicePassword: string;
  uploadedEvents: () => number;
}

/** A fresh in-memory Azurite with the recordings container, for one run (so the runs' blobs never pile up in memory). */
async function withStorage<T>(body: (azurite: AzuriteInstance) => Promise<T>): Promise<T> {
  const azurite = await startAzurite();
  try {
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER).createIfNotExists();
    return await body(azurite);
  } finally {
    await azurite.stop();
  }
}

/** What one measured window saw. */
interface Window {
  cpu: CpuUse;
  processes: ReturnType<typeof processTree>;
  memory: RunMemory;
  serverPercent: number;
  azuritePercent: number;
  startMs: number;
  endMs: number;
}

/** Measures the trees rooted at `roots` over `seconds`, with the RTSP server and Azurite beside them. */
async function measureWindow(roots: number[], ctx: RunContext, azurite: AzuriteInstance, seconds: number, check: () => void): Promise<Window & { before: ReturnType<typeof treeCpuSnapshot>; after: ReturnType<typeof treeCpuSnapshot> }> {
  const before = treeCpuSnapshot(roots);
  const sBefore = treeCpuSnapshot([ctx.server.pid]);
  const aBefore = treeCpuSnapshot([azurite.pid]);
  const startMs = Date.now();
  await sleep(seconds * 1000);
  const after = treeCpuSnapshot(roots);
  const sAfter = treeCpuSnapshot([ctx.server.pid]);
  const aAfter = treeCpuSnapshot([azurite.pid]);
  const endMs = Date.now();
  check();
  const memory = sumMemory(treeMemory(roots, after.processes));
  return {
    before,
    after,
    cpu: cpuBetween(before, after),
    processes: after.processes,
    memory,
    serverPercent: cpuBetween(sBefore, sAfter).percentOfOneCore,
    azuritePercent: cpuBetween(aBefore, aAfter).percentOfOneCore,
    startMs,
    endMs,
  };
}

function sumMemory(procs: ProcessMemory[]): RunMemory {
  const ff = procs.filter((p) => p.comm.startsWith('ffmpeg'));
  const sum = (list: ProcessMemory[], k: 'rssBytes' | 'pssBytes') => list.reduce((s, p) => s + p[k], 0);
  return { rssBytes: sum(procs, 'rssBytes'), pssBytes: sum(procs, 'pssBytes'), ffmpegRssBytes: sum(ff, 'rssBytes'), ffmpegPssBytes: sum(ff, 'pssBytes'), ffmpegProcesses: ff.length };
}

/** Waits until the trees rooted at `roots` hold `n` ffmpeg processes. */
async function waitForFfmpeg(roots: number[], n: number, check: (what: string) => void, tail: () => string): Promise<void> {
  const deadline = Date.now() + 30_000 + n * 500;
  while (processTree(roots).filter((p) => p.comm.startsWith('ffmpeg')).length < n) {
    check('before all its ffmpeg processes ran');
    if (Date.now() > deadline) throw new Error(`${n} ffmpeg processes did not start in time:\n${tail()}`);
    await sleep(200);
  }
}

/** N baseline cameras: ffmpeg with the agent's arguments, each piped into a plain curl uploader. */
function measureBaseline(ctx: RunContext, n: number, seconds: number): Promise<RecordingRun> {
  return withStorage(async (azurite) => {
    const dir = path.join(ctx.runsDir, `baseline-${n}`);
    const target = plainUploadTarget(azurite.blobEndpoint, azurite.accountName, azurite.accountKey, CONTAINER);
    const uploads: Array<{ status: number; atMs: number }> = [];
    const cameras: PlainBaselineCamera[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const cameraDir = path.join(dir, cameraId(i));
        mkdirSync(cameraDir, { recursive: true });
        const camera = parseCameraConfig({ id: cameraId(i), url: ctx.cameraUrl }, `baseline camera ${cameraId(i)}`);
        const args = recorderArgs(camera, SEGMENT_LENGTH_S * 1000, sessionOutputPattern(cameraDir, 'baseline'), ctx.ffmpeg.startGuard);
        cameras.push(startPlainBaselineCamera({ cameraId: camera.id, dir: cameraDir, target, command: [ctx.ffmpeg.path, ...args], onUpload: (u) => uploads.push(u) }));
      }
      const roots = cameras.map((c) => c.child.pid!);
      const check = (what = 'during the measured window') => {
        const dead = cameras.find((c) => c.child.exitCode !== null || c.child.signalCode !== null);
        if (dead) {
          throw new Error(`a baseline camera ended ${what} (exit ${dead.child.exitCode}, signal ${dead.child.signalCode}; ` +
            `rerun its ffmpeg by hand to see why):\n${dead.tail.join('\n')}`);
        }
      };
      await waitForFfmpeg(roots, n, check, () => cameras.flatMap((c) => c.tail).join('\n'));
      await sleep(ctx.warmupSeconds * 1000);
      check('during the warm-up');
      const w = await measureWindow(roots, ctx, azurite, seconds, check);
      const inWindow = uploads.filter((u) => u.atMs >= w.startMs && u.atMs <= w.endMs);
      await Promise.all(cameras.map((c) => c.stop(BASELINE_STOP_TIMEOUT_MS)));
      return run('baseline', n, ctx, w, inWindow.filter((u) => u.status === 201).length, inWindow.filter((u) => u.status !== 201).length, 0, 0);
    } finally {
      for (const c of cameras) if (c.child.exitCode === null && c.child.signalCode === null && c.child.pid) killTree(c.child.pid);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** The agent CLI recording N cameras; the agent process and its descendants are measured. */
function measureAgent(ctx: RunContext, n: number, seconds: number): Promise<RecordingRun> {
  return withStorage(async (azurite) => {
    const dir = path.join(ctx.runsDir, `agent-${n}`);
    mkdirSync(dir, { recursive: true });
    const configFile = path.join(dir, 'agent.json');
    const config = {
      deviceId: DEVICE_ID,
      cameras: Array.from({ length: n }, (_, i) => ({ id: cameraId(i), url: ctx.cameraUrl })),
      segmentLength: `PT${SEGMENT_LENGTH_S}S`,
      localMediaCachePath: path.join(dir, 'cache'),
      // Secrets are referenced (`${env:NAME}`, edge-agent/config/load-config.ts), not written into the file.
      broker: { url: ctx.brokerUrl, password: '${env:KEEPWATCH_BENCH_DEVICE_PASSWORD}', protocolVersion: 4 },
      upload: { connectionString: '${env:KEEPWATCH_BENCH_DEVICE_STORAGE}', container: CONTAINER },
      ffmpegPath: ctx.ffmpeg.path,
      logLevel: 'info',
    };
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    const cli = path.join(__dirname, '..', 'edge-agent', 'cli.js');
    const agent = track(
      spawn(process.execPath, [cli, '--config', configFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KEEPWATCH_BENCH_DEVICE_PASSWORD: ctx.devicePassword, KEEPWATCH_BENCH_DEVICE_STORAGE: azurite.connectionString },
      }),
    );
    const tail = keepTail(agent.stdout!, agent.stderr!);
    let warnings = 0;
    let ffmpegVersion: string | undefined;
    createInterface({ input: agent.stdout! }).on('line', (line) => {
      if (/"level":(4|5|6)\d/.test(line)) warnings++;
      if (ffmpegVersion === undefined && line.includes('"event":"ffmpeg"')) {
        try {
          ffmpegVersion = (JSON.parse(line) as { version?: string }).version;
        } catch {
          // not JSON: leave it unknown
        }
      }
    });
    const agentPid = agent.pid!;
    const ffmpegPids = () => new Set(processTree([agentPid]).filter((p) => p.comm.startsWith('ffmpeg')).map((p) => p.pid));
    const check = (what = 'during the measured window') => {
      if (agent.exitCode !== null || agent.signalCode !== null) {
        throw new Error(`the agent exited ${what} (code ${agent.exitCode}, signal ${agent.signalCode}):\n${tail.join('\n')}`);
      }
    };
    let leftovers: number[] = [];
    try {
      await waitForFfmpeg([agentPid], n, check, () => tail.join('\n'));
      await sleep(ctx.warmupSeconds * 1000);
      check('during the warm-up');
      const eventsBefore = ctx.uploadedEvents();
      const ffmpegBefore = ffmpegPids();
      const w = await measureWindow([agentPid], ctx, azurite, seconds, check);
      const events = ctx.uploadedEvents() - eventsBefore;
      const ffmpegAfter = w.processes.filter((p) => p.comm.startsWith('ffmpeg')).map((p) => p.pid);
      const restarts = ffmpegAfter.filter((pid) => !ffmpegBefore.has(pid)).length;
      leftovers = ffmpegAfter;
      const stopped = await stopChild(agent, 'SIGTERM', AGENT_STOP_TIMEOUT_MS);
      if (stopped.killed) warnings++;
      return {
        ...run('agent', n, ctx, w, events, 0, restarts, warnings),
        agentNodePercentOfOneCore: ownPercentOfOneCore(w.before, w.after, agentPid),
        agentFfmpegVersion: ffmpegVersion,
      };
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
  });
}

function run(kind: RecordingRun['kind'], cameras: number, ctx: RunContext, w: Window, uploads: number, uploadsFailed: number, ffmpegRestarts: number, agentWarnings: number): RecordingRun {
  return {
    kind,
    cameras,
    cpu: w.cpu,
    percentOfOneCorePerCamera: w.cpu.percentOfOneCore / cameras,
    percentOfMachine: w.cpu.percentOfOneCore / ctx.cpus,
    uploads,
    uploadsFailed,
    memory: w.memory,
    processes: w.processes.length,
    ffmpegRestarts,
    agentWarnings,
    cameraServerPercentOfOneCore: w.serverPercent,
    uploadTargetPercentOfOneCore: w.azuritePercent,
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

const COLUMNS = ['run', 'cameras', '% core', '% core/cam', '% machine', 'stored', 'RSS MiB/cam', 'PSS MiB/cam', 'notes'];

function header(): string {
  return COLUMNS.map((h, i) => (i === 0 ? h.padEnd(9) : i === COLUMNS.length - 1 ? ` ${h}` : h.padStart(11))).join(' ');
}

function row(r: RecordingRun, seconds: number): string {
  const expected = Math.floor(seconds / SEGMENT_LENGTH_S) * r.cameras;
  const m = r.memory;
  const notes = [
    `≈${expected} expected`,
    r.uploadsFailed ? `${r.uploadsFailed} uploads FAILED` : '',
    r.kind === 'agent'
      ? `agent node ${r.agentNodePercentOfOneCore?.toFixed(2)} % core, ${mib(m.rssBytes - m.ffmpegRssBytes)} MiB RSS; its ffmpegs ${(r.cpu.percentOfOneCore - (r.agentNodePercentOfOneCore ?? 0)).toFixed(2)} % core`
      : '',
    `ffmpeg ${mib(m.ffmpegRssBytes / Math.max(1, m.ffmpegProcesses))} MiB RSS, ${mib(m.ffmpegPssBytes / Math.max(1, m.ffmpegProcesses))} MiB PSS each`,
    `RTSP server ${r.cameraServerPercentOfOneCore.toFixed(1)} %, Azurite ${r.uploadTargetPercentOfOneCore.toFixed(1)} % core (not counted)`,
    r.ffmpegRestarts ? `${r.ffmpegRestarts} ffmpeg restarts` : '',
    r.agentWarnings ? `${r.agentWarnings} agent warnings` : '',
    r.agentFfmpegVersion ? `agent logged ffmpeg ${r.agentFfmpegVersion}` : '',
  ].filter(Boolean).join('; ');
  return [
    r.kind.padEnd(9),
    String(r.cameras).padStart(11),
    r.cpu.percentOfOneCore.toFixed(2).padStart(11),
    r.percentOfOneCorePerCamera.toFixed(3).padStart(11),
    r.percentOfMachine.toFixed(2).padStart(11),
    String(r.uploads).padStart(11),
    mib(m.rssBytes / r.cameras).padStart(11),
    mib(m.pssBytes / r.cameras).padStart(11),
    ` ${notes}`,
  ].join(' ');
}

/** Bytes → MiB with one decimal. */
function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}

function cameraId(i: number): string {
  return `cam-${String(i + 1).padStart(3, '0')}`;
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

