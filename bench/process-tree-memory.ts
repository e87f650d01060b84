import { readFileSync } from 'node:fs';
import { processTree, type ProcStat } from './process-tree-cpu';

/** Memory of one process, from `/proc/{pid}/smaps_rollup` (proc(5); Linux ≥ 4.14). */
export interface ProcessMemory {
  pid: number;
  /** Executable name as the kernel keeps it, e.g. `ffmpeg`, `node`. */
  comm: string;
  /** Resident set size, bytes: every page in RAM the process maps, shared library pages counted in full. */
  rssBytes: number;
  /**
   * Proportional set size, bytes: each resident page divided by the number of processes mapping it, so the PSS of
   * 64 ffmpeg processes adds up to what they cost together (their shared libraries counted once).
   */
  pssBytes: number;
}

/**
 * Reads `Rss:` and `Pss:` (kB) from the text of `/proc/{pid}/smaps_rollup`.
 * @returns bytes; undefined when either line is missing (not a smaps_rollup text)
 */
export function parseSmapsRollup(text: string): { rssBytes: number; pssBytes: number } | undefined {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const rssBytes = kb('Rss');
  const pssBytes = kb('Pss');
  return rssBytes === undefined || pssBytes === undefined ? undefined : { rssBytes, pssBytes };
}

/**
 * Memory of every process in the trees rooted at `rootPids` (roots included) right now; processes that exit while
 * being read, or whose smaps_rollup cannot be read, are left out.
 */
export function treeMemory(rootPids: readonly number[], tree: readonly ProcStat[] = processTree(rootPids)): ProcessMemory[] {
  const out: ProcessMemory[] = [];
  for (const p of tree) {
    let text: string;
    try {
      text = readFileSync(`/proc/${p.pid}/smaps_rollup`, 'utf8');
    } catch {
      continue;
    }
    const m = parseSmapsRollup(text);
    if (m) out.push({ pid: p.pid, comm: p.comm, ...m });
  }
  return out;
}
