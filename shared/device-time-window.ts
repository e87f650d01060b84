import { ValidationError } from './errors';
import { MINUTE_MS, toIso, toIsoDuration } from './time';

/**
 * How far ahead of the cloud's clock a device's instant may be: the agent's clock (NTP) and the muxer's anchoring to
 * UTC (docs/adr/0002-segment-timing.md) drift by seconds, never minutes; 5 min is the clock skew Kerberos and Azure
 * Storage's SAS `st` advice allow.
 */
export const DEVICE_CLOCK_SKEW_MS = 5 * MINUTE_MS;

/** The instants a device may speak of, epoch ms UTC, both inclusive. */
export interface DeviceTimeWindow {
  earliestMs: number;
  latestMs: number;
}

/**
 * The window of instants the cloud accepts from a device (docs/security.md, "Segment times are bounded"): from
 * `offlineHorizonMs` before now (the longest a device may cache segments and events and still deliver them,
 * `KEEPWATCH_OFFLINE_HORIZON`) to {@link DEVICE_CLOCK_SKEW_MS} after now. Without it one event dated 9999 made a
 * camera's `lastRecorded` 9999-12-31 and its default playback the forged segment.
 * @param nowMs the cloud's clock, epoch ms UTC
 */
export function deviceTimeWindow(nowMs: number, offlineHorizonMs: number): DeviceTimeWindow {
  return { earliestMs: nowMs - offlineHorizonMs, latestMs: nowMs + DEVICE_CLOCK_SKEW_MS };
}

/**
 * `details` of a `TimeOutOfRange` refusal (the HTTP error body's `error.details`): the window, ISO 8601 UTC with ms, both
 * inclusive. An instant before `earliest` is refused for good (the window only moves forward unless an operator raises
 * `KEEPWATCH_OFFLINE_HORIZON`); one after `latest` may be accepted later. The edge agent tells the two apart with it.
 */
export interface TimeOutOfRangeDetails {
  earliest: string;
  latest: string;
}

/**
 * Checks one instant a device sent against the window.
 * @param what names the instant in the message (`segment cam1/2026/…ts start`, `gap end`)
 * @throws ValidationError `TimeOutOfRange` naming the instant, its value and the window, with the window as
 *   {@link TimeOutOfRangeDetails}
 */
export function checkDeviceTime(ms: number, window: DeviceTimeWindow, what: string): void {
  if (ms >= window.earliestMs && ms <= window.latestMs) return;
  const side = ms < window.earliestMs ? `more than ${toIsoDuration(window.latestMs - DEVICE_CLOCK_SKEW_MS - window.earliestMs)} (KEEPWATCH_OFFLINE_HORIZON) in the past` : `more than ${toIsoDuration(DEVICE_CLOCK_SKEW_MS)} in the future`;
  const details: TimeOutOfRangeDetails = { earliest: toIso(window.earliestMs), latest: toIso(window.latestMs) };
  throw new ValidationError(`${what} ${safeIso(ms)} is ${side}: accepted ${details.earliest} .. ${details.latest}`, details, 'TimeOutOfRange');
}

function safeIso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? toIso(ms) : String(ms);
}
