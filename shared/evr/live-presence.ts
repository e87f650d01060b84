import { SECOND_MS, MINUTE_MS } from '../time';

/** How far ahead of now a live viewer's upload window reaches: the agent keeps uploading this long after the last reload. */
export const LIVE_PRESENCE_LEAD_MS = MINUTE_MS;
/** The window is extended once less than this is left (so a viewer reloading every few seconds renews every ~30 s). */
export const LIVE_PRESENCE_RENEW_MS = 30 * SECOND_MS;
/** How far back a new window starts: it covers the segment being recorded and the one just closed (windows overlap half-open). */
export const LIVE_PRESENCE_PREROLL_MS = 10 * SECOND_MS;
/** Longest span of one window; then a new one starts (an upload-window command carries at most 61 min, shared/contracts/upload-window.ts). */
export const LIVE_PRESENCE_MAX_SPAN_MS = 60 * MINUTE_MS;

/**
 * A live viewer's presence on an EVR camera, as the cloud remembers it: the upload window it asked the agent for (the
 * EVR `command.upload-window`, with an id of its own that no recording has). Epoch ms UTC, `[startMs, endMs)`.
 */
export interface LivePresence {
  /** The window's id, in the recording-id format the command carries (`{13 digits}-{12 hex}`), not a recording. */
  windowId: string;
  startMs: number;
  endMs: number;
  /** 0 for the opening command, +1 per extension (the agent keeps the highest). */
  sequence: number;
}

/**
 * What a live playlist reload of an EVR camera asks of the agent (docs/live.md "What live costs"): while someone
 * watches, an upload window reaching {@link LIVE_PRESENCE_LEAD_MS} ahead, so each segment is uploaded as it closes;
 * nobody watching, the window runs out and the camera is EVR again (only recordings are uploaded).
 * - no presence, or it ran out (`endMs ≤ nowMs`), or it would span more than {@link LIVE_PRESENCE_MAX_SPAN_MS}: a new
 *   window `[nowMs − preroll, nowMs + lead)` with `newWindowId`, sequence 0;
 * - less than {@link LIVE_PRESENCE_RENEW_MS} left: the same window extended to `nowMs + lead`, sequence + 1;
 * - otherwise nothing (most reloads send no command).
 * @param newWindowId an id for a new window, `{13-digit nowMs}-{12 random hex}` (randomness stays with the caller)
 * @returns the presence to store and send, or undefined when nothing changes
 */
export function livePresenceStep(current: LivePresence | undefined, nowMs: number, newWindowId: string): LivePresence | undefined {
  const endMs = nowMs + LIVE_PRESENCE_LEAD_MS;
  if (!current || current.endMs <= nowMs || endMs - current.startMs > LIVE_PRESENCE_MAX_SPAN_MS) {
    return { windowId: newWindowId, startMs: nowMs - LIVE_PRESENCE_PREROLL_MS, endMs, sequence: 0 };
  }
  if (current.endMs - nowMs < LIVE_PRESENCE_RENEW_MS) return { ...current, endMs, sequence: current.sequence + 1 };
  return undefined;
}
