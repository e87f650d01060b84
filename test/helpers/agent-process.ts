import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The agent's CLI in the build (dist/edge-agent/cli.js). */
export const AGENT_CLI = path.resolve(__dirname, '..', '..', 'edge-agent', 'cli.js');

/** An agent running as its own process, as an operator starts it. */
export interface AgentProcess {
  child: ChildProcess;
  /** Its JSON (pino) log records so far. */
  lines: Array<Record<string, unknown>>;
  exited: Promise<void>;
}

/** Starts `keepwatch-agent --config {configFile}`; its log records are collected, its stderr goes to the test's. */
export function startAgentProcess(configFile: string): AgentProcess {
  const child = spawn(process.execPath, [AGENT_CLI, '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not a log record
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, lines, exited };
}
