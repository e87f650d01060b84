import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Name of the file in a camera's cache folder holding the pid of its running ffmpeg. */
export const FFMPEG_PID_FILE = 'ffmpeg.pid';

/** Records the pid of a camera's ffmpeg session in `{cameraDir}/ffmpeg.pid`. */
export function writeFfmpegPid(cameraDir: string, pid: number): void {
  writeFileSync(path.join(cameraDir, FFMPEG_PID_FILE), `${pid}\n`);
}

/** Removes the pid file once the session's ffmpeg exited. */
export function clearFfmpegPid(cameraDir: string): void {
  rmSync(path.join(cameraDir, FFMPEG_PID_FILE), { force: true });
}

/**
 * Kills the ffmpeg a previous agent left running in `cameraDir` (the agent was SIGKILLed: its
 * children live on and keep writing segments nobody will list). The pid is trusted only while
 * `/proc/{pid}/cmdline` still names this camera folder, so a recycled pid is never killed.
 * Linux only (`/proc`); elsewhere the pid file is just removed.
 * @returns the pid killed, or undefined
 */
export async function killOrphanFfmpeg(cameraDir: string): Promise<number | undefined> {
  const file = path.join(cameraDir, FFMPEG_PID_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  rmSync(file, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const cmdline = `/proc/${pid}/cmdline`;
  let args = '';
  try {
    args = readFileSync(cmdline, 'utf8');
  } catch {
    return undefined; // gone already
  }
  if (!args.includes(cameraDir)) return undefined;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return undefined;
  }
  for (let i = 0; i < 50 && existsSync(cmdline); i++) await new Promise((r) => setTimeout(r, 20));
  return pid;
}
