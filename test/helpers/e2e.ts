import type { LocalStack } from '../../local/stack';

/** One segment the agent of a local stack reported as complete (its debug log line `segment recorded`). */
export interface AgentSegment {
  /** UTC start, epoch ms. */
  startMs: number;
  durationMs: number;
  bytes: number;
  /** Wall clock when the agent had the complete segment (the log line's time). */
  loggedAtMs: number;
}

/** The segments of `cameraId` the stack's agent recorded so far (JSON pino lines at level debug), sorted by start. */
export function agentSegments(stack: LocalStack, cameraId: string): AgentSegment[] {
  return stack.agentLog
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((o): o is Record<string, unknown> => o?.msg === 'segment recorded' && o.cameraId === cameraId)
    .map((o) => ({ startMs: Number(o.segmentStartMs), durationMs: Number(o.durationMs), bytes: Number(o.bytes), loggedAtMs: Date.parse(String(o.time)) }))
    .sort((a, b) => a.startMs - b.startMs);
}
