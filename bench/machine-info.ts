import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** The machine a benchmark ran on, as docs/benchmarks.md records it next to the figures. */
export interface MachineInfo {
  /** Logical CPUs (`nproc`). */
  cpus: number;
  cpuModel: string;
  /** Total memory, GiB (one decimal). */
  memoryGiB: number;
  node: string;
  /** First line of `ffmpeg -version`. */
  ffmpeg: string;
  /** 1-minute load average when read: other work on the machine skews wall-clock figures. */
  loadAverage1m: number;
}

/** Reads the machine's description; `ffmpegPath` is the binary the benchmarks run. */
export function machineInfo(ffmpegPath: string): MachineInfo {
  const version = spawnSync(ffmpegPath, ['-hide_banner', '-version'], { encoding: 'utf8' });
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    ffmpeg: (version.stdout ?? '').split('\n')[0].trim() || `unknown (${version.error?.message ?? `exit ${version.status}`})`,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** One line for the report, e.g. `2 CPUs (AMD EPYC), 23.4 GiB, node v20.20.2, ffmpeg version …, load 0.42`. */
export function formatMachineInfo(m: MachineInfo): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}, ${m.ffmpeg}, load average ${m.loadAverage1m}`;
}
