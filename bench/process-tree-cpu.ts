import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One process as `/proc/{pid}/stat` describes it (proc(5)). */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** Executable name as the kernel keeps it (at most 15 characters), e.g. `ffmpeg`, `node`. */
  comm: string;
  /** utime + stime of the process itself, clock ticks. */
  ownTicks: number;
  /** cutime + cstime: CPU of its children that exited and were waited for, clock ticks. */
  reapedChildTicks: number;
}

/** CPU of one process tree at one instant. */
export interface TreeCpuSnapshot {
  /** `performance.now()` when the snapshot was read, ms. */
  atMs: number;
  /** Σ own + reaped-children ticks of every process in the tree. */
  ticks: number;
  /** The processes in the tree (roots included). */
  processes: ProcStat[];
}

let clockTicksPerSecond: number | undefined;

/** `sysconf(_SC_CLK_TCK)`, the unit of the tick counts in `/proc/{pid}/stat` (100 on every Linux we meet). */
export function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/**
 * Parses one `/proc/{pid}/stat` line. The command name sits in parentheses and may itself hold spaces or `)`, so
 * the fields are counted from the last `)` (proc(5): state is field 3, ppid 4, utime 14, stime 15, cutime 16,
 * cstime 17).
 * @returns `undefined` for a line that is not a stat line
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = line.slice(close + 2).trim().split(/\s+/);
  if (f.length < 15) return undefined;
  const n = (i: number) => Number(f[i]);
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid: n(1),
    comm: line.slice(open + 1, close),
    ownTicks: n(11) + n(12),
    reapedChildTicks: n(13) + n(14),
  };
}

/** Every process visible in `/proc` right now (processes that vanish while being read are skipped). */
export function readAllProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let line: string;
    try {
      line = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    const p = parseProcStat(line);
    if (p) out.push(p);
  }
  return out;
}

/** The processes of the trees rooted at `rootPids` (roots included), from one read of `/proc`. */
export function processTree(rootPids: readonly number[], all: readonly ProcStat[] = readAllProcesses()): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  const byPid = new Map<number, ProcStat>();
  for (const p of all) {
    byPid.set(p.pid, p);
    const siblings = byParent.get(p.ppid) ?? [];
    siblings.push(p);
    byParent.set(p.ppid, siblings);
  }
  const seen = new Set<number>();
  const tree: ProcStat[] = [];
  const stack = rootPids.filter((pid) => byPid.has(pid));
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    tree.push(byPid.get(pid)!);
    for (const c of byParent.get(pid) ?? []) stack.push(c.pid);
  }
  return tree;
}

/**
 * Reads the CPU used so far by the trees rooted at `rootPids`. The sum of own ticks plus reaped-children ticks over
 * the tree only grows: when a child exits and its parent waits for it (Node does at once), its ticks move from the
 * child's own count into the parent's cutime/cstime. So the difference of two snapshots is the tree's CPU between
 * them, also when an ffmpeg restarts in between (its ticks before the first snapshot are then counted again, a
 * slight overcount the benchmark accepts).
 */
export function treeCpuSnapshot(rootPids: readonly number[]): TreeCpuSnapshot {
  const atMs = performance.now();
  const processes = processTree(rootPids);
  const ticks = processes.reduce((sum, p) => sum + p.ownTicks + p.reapedChildTicks, 0);
  return { atMs, ticks, processes };
}

/** CPU between two snapshots of the same trees. */
export interface CpuUse {
  /** CPU seconds (user + system). */
  cpuSeconds: number;
  /** Wall-clock seconds between the snapshots. */
  wallSeconds: number;
  /** cpuSeconds / wallSeconds × 100: percent of one core (200 = two cores busy). */
  percentOfOneCore: number;
}

/**
 * CPU of process `pid` itself (not its children) between two snapshots, percent of one core; 0 when it is missing
 * from either.
 */
export function ownPercentOfOneCore(before: TreeCpuSnapshot, after: TreeCpuSnapshot, pid: number): number {
  const a = before.processes.find((p) => p.pid === pid);
  const b = after.processes.find((p) => p.pid === pid);
  if (!a || !b) return 0;
  return ((b.ownTicks - a.ownTicks) / clockTicks() / ((after.atMs - before.atMs) / 1000)) * 100;
}

/** CPU used between `before` and `after`. */
export function cpuBetween(before: TreeCpuSnapshot, after: TreeCpuSnapshot): CpuUse {
  const cpuSeconds = (after.ticks - before.ticks) / clockTicks();
  const wallSeconds = (after.atMs - before.atMs) / 1000;
  return { cpuSeconds, wallSeconds, percentOfOneCore: (cpuSeconds / wallSeconds) * 100 };
}
