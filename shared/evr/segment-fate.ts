/** What an EVR camera's cached segment is for now (docs/contracts.md "EVR on the agent"). */
export type EvrSegmentFate = 'upload' | 'keep' | 'drop';

/** What the rule needs to know besides the segment (epoch ms UTC, ms). */
export interface EvrFateContext {
  /** Wall clock, epoch ms. */
  nowMs: number;
  /** `evrCacheHorizon`: how long a segment no window has claimed stays cached after its end, ms. */
  horizonMs: number;
  /** True while the broker is connected and the outbox is empty (the cloud has heard every `segment.recorded`). */
  cloudCaughtUp: boolean;
  /** Epoch ms of the last CONNACK; undefined before the first (then nothing is dropped). */
  connectedSinceMs: number | undefined;
}

/**
 * The EVR keep/drop rule, pure (docs/contracts.md "EVR on the agent"):
 * - `upload` when the segment overlaps an upload window;
 * - `drop` when it overlaps none, the cloud has caught up, and `horizonMs` has passed since both its end and the last
 *   (re)connect: the cloud has heard of it and had the horizon to decide (default `PT1M30S` = AVA's largest
 *   `activationSignalOffset` pre-roll, 1 min, docs/reference/ava-behaviour.md "Nodes", + 30 s);
 * - `keep` otherwise (offline, events still queued, or too young): it might still be needed.
 * @param seg `startMs` epoch ms UTC, `durationMs` ms
 */
export function evrSegmentFate(seg: { startMs: number; durationMs: number }, inWindow: boolean, ctx: EvrFateContext): EvrSegmentFate {
  if (inWindow) return 'upload';
  if (!ctx.cloudCaughtUp || ctx.connectedSinceMs === undefined) return 'keep';
  return ctx.nowMs >= Math.max(seg.startMs + seg.durationMs, ctx.connectedSinceMs) + ctx.horizonMs ? 'drop' : 'keep';
}
