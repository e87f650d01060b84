import { readFileSync, readdirSync } from 'node:fs';

/** One process as Linux's /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot (/proc/{pid}/stat field 22): with the pid, names one process even if the pid is reused. */
  startTicks: number;
  /** State letter: R, S, D, Z (zombie) … */
  state: string;
  /** The command line, arguments joined by spaces. */
  command: string;
}

/** /proc/{pid}'s view of one process, or undefined when it is gone. */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: the fields after its last ')' are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid: Number(rest[1]), startTicks: Number(rest[19]), state: rest[0], command };
  } catch {
    return undefined;
  }
}

/** Every process that descends from `root` now (children, their children …), not `root` itself. */
export function descendants(root: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => processInfo(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const found: ProcessInfo[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

/**
 * Those of `seen` that still run: the same pid with the same start time, not a zombie (a zombie has exited; its parent
 * has yet to reap it).
 */
export function stillRunning(seen: readonly ProcessInfo[]): ProcessInfo[] {
  return seen.filter((p) => {
    const now = processInfo(p.pid);
    return now !== undefined && now.startTicks === p.startTicks && now.state !== 'Z';
  });
}
