import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Pids of the ffmpeg processes (an executable whose name contains `ffmpeg`, other than this process) with an argument
 * naming a file inside `cameraDir`: the sessions a previous agent started there (its output pattern
 * `{cameraDir}/{session}-%06d.ts`). Another program reading the folder (a `tail`, a backup) is never listed.
 * Read from `/proc/{pid}/cmdline`; empty where there is no `/proc` (not Linux).
 */
export function processesWritingInto(cameraDir: string): number[] {
  const prefix = path.resolve(cameraDir) + path.sep;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (/ffmpeg/i.test(path.basename(argv[0] ?? '')) && argv.some((a) => a.startsWith(prefix))) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Kills (SIGKILL) every ffmpeg a previous agent left running in `cameraDir`: when an agent is SIGKILLed
 * its children live on and keep writing segments nobody lists (ffmpeg ignores SIGPIPE). Found by a scan
 * of `/proc` rather than a pid file, so a kill at any moment of the previous start-up (even between
 * spawning ffmpeg and recording its pid) leaves nothing behind. Call before this agent starts its own
 * recorders. Waits up to 1 s for them to be gone. Linux only; elsewhere it finds nothing.
 * @returns the pids killed
 */
export async function killOrphanFfmpeg(cameraDir: string): Promise<number[]> {
  const killed: number[] = [];
  for (const pid of processesWritingInto(cameraDir)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  for (let i = 0; i < 50 && processesWritingInto(cameraDir).some((p) => killed.includes(p)); i++) await new Promise((r) => setTimeout(r, 20));
  return killed;
}
