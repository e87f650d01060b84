import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { stopChild, track } from './child-processes';
import { cpuBetween, ownPercentOfOneCore, treeCpuSnapshot, type CpuUse } from './process-tree-cpu';

/** Options of {@link runMotionCpu}; defaults in {@link MOTION_CPU_DEFAULTS}. */
export interface MotionCpuOptions {
  /** Measured window of each run, s. */
  seconds: number;
  /** Time after the first output before the window opens, s. */
  warmupSeconds: number;
  /** The clip, read in real time in a loop (default test/fixtures/media/one-by-one-person-detection.mp4). */
  clip: string;
  /** Folder for the runs' segment files (removed afterwards). */
  workDir: string;
  print: (line: string) => void;
}

/** `--only motion` runs 2 × (3 + 20) s plus start-up: under a minute. */
export const MOTION_CPU_DEFAULTS = { seconds: 20, warmupSeconds: 3 } as const;

/** Target (docs/benchmarks.md): motion CPU per camera ≤ 1.25 × ffmpeg decode + scale alone. */
export const MOTION_CPU_TARGET_RATIO = 1.25;

/** What {@link runMotionCpu} measured. */
export interface MotionCpuResult {
  baseline: CpuUse;
  agent: CpuUse;
  /** CPU of the agent's Node process alone (detector, pipes, timeline), % of one core. */
  agentNodePercentOfOneCore: number;
  ratio: number;
  frames: number;
  signals: number;
  dropped: number;
}

/**
 * Motion CPU per camera: CPU (user + system, /proc) of the agent's recorder with motion
 * detection — a Node process (bench/motion-cpu-child.ts: CameraRecorder + MotionPipeline) and its one ffmpeg, which
 * writes codec-copy segments and 320 px, 5 fps grey frames — against bare ffmpeg doing the same decode + scale with
 * the same copy output: `ffmpeg -re -stream_loop -1 -i clip -map 0:v:0 -c copy -f segment -segment_time 10
 * -segment_format mpegts out/%06d.ts -map 0:v:0 -vf scale=320:-2,fps=5,format=gray -f null -`.
 * Same clip, same machine, one run after the other. The ratio is agent / baseline CPU per wall second.
 * @throws Error when a process dies during a run
 */
export async function runMotionCpu(opts: MotionCpuOptions): Promise<MotionCpuResult> {
  const { print } = opts;
  const ffmpegPath = resolveFfmpeg().path;
  const dir = path.join(opts.workDir, 'motion-runs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'baseline'), { recursive: true });
  try {
    print(`clip ${path.basename(opts.clip)} in real time, looped; each run ${opts.warmupSeconds} s warm-up, ${opts.seconds} s measured`);
    const baselineArgs = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', opts.clip,
      '-map', '0:v:0', '-c', 'copy', '-f', 'segment', '-segment_time', '10', '-segment_format', 'mpegts', path.join(dir, 'baseline', '%06d.ts'),
      '-map', '0:v:0', '-vf', 'scale=320:-2,fps=5,format=gray', '-f', 'null', '-'];
    const baseChild = track(spawn(ffmpegPath, baselineArgs, { stdio: ['ignore', 'ignore', 'pipe'] }));
    const baseline = await measure(baseChild, opts, async () => {
      await sleep(1000);
    });
    print(`  ffmpeg copy + decode + scale:     ${baseline.percentOfOneCore.toFixed(1)} % of one core`);
    await stopChild(baseChild, 'SIGTERM', 10_000);

    const child = track(spawn(process.execPath, [path.join(__dirname, 'motion-cpu-child.js'), ffmpegPath, opts.clip, path.join(dir, 'agent')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const lines = createInterface({ input: child.stdout! });
    const firstFrame = new Promise<void>((resolve) => lines.on('line', (l) => l === 'frame' && resolve()));
    const done = new Promise<{ frames: number; signals: number; dropped: number }>((resolve) =>
      lines.on('line', (l) => l.startsWith('done ') && resolve(JSON.parse(l.slice(5)) as { frames: number; signals: number; dropped: number })),
    );
    let nodeShare = 0;
    const agent = await measure(child, opts, () => firstFrame, (before, after) => (nodeShare = ownPercentOfOneCore(before, after, child.pid!)));
    child.kill('SIGTERM');
    const stats = await Promise.race([done, sleep(15_000).then(() => ({ frames: 0, signals: 0, dropped: 0 }))]);
    await stopChild(child, 'SIGKILL', 5000);
    const ratio = agent.percentOfOneCore / baseline.percentOfOneCore;
    print(`  agent recorder + motion detector: ${agent.percentOfOneCore.toFixed(1)} % of one core (Node ${nodeShare.toFixed(1)} %), ${stats.frames} frames, ${stats.signals} signals, ${stats.dropped} dropped`);
    print(`  ratio ${ratio.toFixed(2)} (target ≤ ${MOTION_CPU_TARGET_RATIO}: ${ratio <= MOTION_CPU_TARGET_RATIO ? 'met' : 'MISSED'})`);
    return { baseline, agent, agentNodePercentOfOneCore: nodeShare, ratio, ...stats };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits for `ready`, the warm-up, then measures the child's process tree for `seconds`. */
async function measure(
  child: ChildProcess,
  opts: MotionCpuOptions,
  ready: () => Promise<void>,
  also?: (before: ReturnType<typeof treeCpuSnapshot>, after: ReturnType<typeof treeCpuSnapshot>) => void,
): Promise<CpuUse> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const died = new Promise<never>((_r, reject) => child.once('exit', (code) => reject(new Error(`process exited (${code}) during the run: ${stderr}`))));
  await Promise.race([ready(), died]);
  await Promise.race([sleep(opts.warmupSeconds * 1000), died]);
  const before = treeCpuSnapshot([child.pid!]);
  await Promise.race([sleep(opts.seconds * 1000), died]);
  const after = treeCpuSnapshot([child.pid!]);
  also?.(before, after);
  child.removeAllListeners('exit');
  return cpuBetween(before, after);
}
