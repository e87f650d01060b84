import { ValidationError } from '../errors';
import { toIso, toIsoDuration } from '../time';

/**
 * Checks an IANA time zone name (`Europe/Berlin`) with Intl.
 * @returns the zone as Intl canonicalises it
 * @throws ValidationError `InvalidTimeZone` naming the parameter and value
 */
export function assertTimeZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError(`query parameter 'tz' ${JSON.stringify(tz)} is not an IANA time zone such as Europe/Berlin or UTC`, undefined, 'InvalidTimeZone');
  }
}

/**
 * The download file name of an MP4 export: `{cameraId}_{start}_{duration}.mp4`, the start to the second with `:`
 * replaced by `-` (file-system safe), e.g. `cam1_2026-11-21T10-00-00Z_PT30S.mp4`, or in a zone's local time with its
 * offset, e.g. `cam1_2026-11-21T11-00-00+01-00_PT30S.mp4` for `Europe/Berlin`.
 * @param startMs epoch ms UTC (milliseconds are dropped); durationMs in ms, written as ISO 8601 (`PT30S`)
 * @param timeZone a zone accepted by {@link assertTimeZone}; omitted = UTC with `Z`
 */
export function exportFileName(cameraId: string, startMs: number, durationMs: number, timeZone?: string): string {
  return `${cameraId}_${timeZone ? localStamp(startMs, timeZone) : `${toIso(startMs).slice(0, 19)}Z`}_${toIsoDuration(durationMs)}.mp4`.replace(/:/g, '-');
}

function localStamp(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // longOffset is `GMT+01:00`, `GMT-03:30`, or plain `GMT` at offset zero.
  const offset = get('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
}
