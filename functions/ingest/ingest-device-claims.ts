import { checkDeviceTime, DEVICE_CLOCK_SKEW_MS, deviceTimeWindow, type DeviceTimeWindow } from '../../shared/device-time-window';
import { ValidationError } from '../../shared/errors';
import type { BlobSegmentStat, StoredSegmentBlob } from '../adapters/blob/blob-segment-stat';
import { eventCameras, type DeviceEvent, type GapRecord, type SegmentRecord } from '../../shared/contracts/device-events';
import { toIso } from '../../shared/time';
import type { FunctionsSettings } from '../settings';
import type { DecodedMessage } from './ingest-decode';

/** What {@link checkDeviceClaims} needs: the offline horizon, the cloud's clock and the blobs' properties. */
export interface DeviceClaimsDeps {
  settings: Pick<FunctionsSettings, 'offlineHorizonMs'>;
  segmentBlobStat: BlobSegmentStat;
  now(): number;
}

/**
 * Checks what a device's events claim against what the cloud knows itself (docs/security.md, "The cloud never
 * deletes on a device's word"), after decoding and before anything is indexed:
 * - every instant an event names (a segment's start, a signal's time and end, a gap's and a diagnostics event's
 *   `time`) lies within [now − `KEEPWATCH_OFFLINE_HORIZON`, now + 5 min] (shared/device-time-window.ts): one event
 *   dated 9999 made a camera's `lastRecorded` 9999-12-31. A gap's range may lie before the window, never after it
 *   ({@link checkGapRange});
 * - a `segment.uploaded` names a stored block blob of exactly the claimed size whose `sha256` metadata (when set) is
 *   the claimed SHA-256, and the segment ended before storage created the blob (+ 5 min of clock skew). Sizes drive
 *   retention's size cap, so the index keeps storage's size, never the device's: one event claiming 1 TiB made the
 *   next retention run delete every older segment of its camera. A page blob (creatable through a create-only SAS,
 *   which cannot restrict the blob type) is refused here; nothing is deleted.
 * A failed check turns the message into a dead letter with its reason; the other messages are returned as they were.
 * @param decoded the batch's decoded messages, in order (functions/ingest/ingest-decode.ts)
 * @returns one entry per message, in order: unchanged, or `{ ok: false }` with `TimeOutOfRange`, `SegmentBlobMissing`,
 *   `SegmentBlobType`, `SegmentSizeMismatch` or `SegmentHashMismatch`
 * @throws TransientError when the blobs' properties cannot be read (the batch is retried)
 */
export async function checkDeviceClaims(decoded: readonly DecodedMessage[], deps: DeviceClaimsDeps): Promise<DecodedMessage[]> {
  const window = deviceTimeWindow(deps.now(), deps.settings.offlineHorizonMs);
  const timed = decoded.map((d) => (d.ok === true ? refuseOutsideWindow(d, window) : d));
  const names = [...new Set(timed.flatMap((d) => (d.ok === true && d.event.kind === 'segment.uploaded' ? [d.event.segment.blobName] : [])))];
  const stats = names.length > 0 ? await deps.segmentBlobStat.stat(names) : [];
  const byName = new Map(names.map((n, i) => [n, stats[i]]));
  return timed.map((d) => {
    if (d.ok !== true || d.event.kind !== 'segment.uploaded') return d;
    const problem = blobProblem(d.event.segment, byName.get(d.event.segment.blobName));
    return problem ? refused(d.event, problem.code, problem.message) : d;
  });
}

/** The message, or its dead letter when one of its instants is outside the window. */
function refuseOutsideWindow(d: Extract<DecodedMessage, { ok: true }>, window: DeviceTimeWindow): DecodedMessage {
  try {
    for (const [ms, what] of instants(d.event)) checkDeviceTime(ms, window, `CloudEvent ${d.event.event.id}: ${what}`);
    if (d.event.kind === 'gap') checkGapRange(d.event.gap, window, `CloudEvent ${d.event.event.id}`);
    return d;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return refused(d.event, err.code, err.message);
  }
}

/** The instants an event names that must lie in the window, with what each is (a gap's range: {@link checkGapRange}). */
function instants(e: DeviceEvent): Array<[number, string]> {
  switch (e.kind) {
    case 'segment.uploaded':
      return [[e.segment.startMs, `segment start`]];
    case 'segment.recorded':
      return [[e.recorded.startMs, 'segment start']];
    case 'gap':
      return [[Date.parse(e.event.time), 'time']];
    case 'signal':
      return e.signal.endMs === undefined ? [[e.signal.atMs, 'signal time']] : [[e.signal.atMs, 'signal time'], [e.signal.endMs, 'signal end']];
    case 'diagnostics':
      return [[Date.parse(e.event.time), 'time']];
    case 'pipeline.state':
      return [];
  }
}

/**
 * A gap's range, [start, end): its end no later than the window's end (now + 5 min), its start not before 1970 (the
 * row key, shared/index-keys.ts); it may lie before the window (docs/security.md "Times are bounded"). An agent back
 * after more than `KEEPWATCH_OFFLINE_HORIZON` reports the segments upload-urls refused as too old (cause
 * `expired-offline`), and a gap row hides or changes no media: only the gaps listing (functions/cameras/gaps-list.ts) reads it,
 * never availability, playback, export, retention or the camera's recorded instants.
 * @param what names the event in the message
 * @throws ValidationError `TimeOutOfRange`
 */
function checkGapRange(gap: GapRecord, window: DeviceTimeWindow, what: string): void {
  if (gap.endMs > window.latestMs) checkDeviceTime(gap.endMs, window, `${what}: gap end`);
  if (gap.startMs < 0) throw new ValidationError(`${what}: gap start ${toIso(gap.startMs)} is before 1970-01-01`, undefined, 'TimeOutOfRange');
}

/** Why a `segment.uploaded` disagrees with its stored blob, or `undefined` when it agrees. */
function blobProblem(s: SegmentRecord, blob: StoredSegmentBlob | undefined): { code: string; message: string } | undefined {
  const what = `segment ${s.blobName}`;
  if (!blob) return { code: 'SegmentBlobMissing', message: `${what}: no blob of that name is stored (an event follows its upload)` };
  if (blob.blobType !== 'BlockBlob') return { code: 'SegmentBlobType', message: `${what}: the stored blob is a ${blob.blobType ?? 'blob of unknown type'}, not a BlockBlob` };
  if (blob.bytes !== s.bytes) return { code: 'SegmentSizeMismatch', message: `${what}: the event claims ${s.bytes} bytes, the stored blob has ${blob.bytes}` };
  if (blob.sha256 !== undefined && blob.sha256 !== s.sha256) return { code: 'SegmentHashMismatch', message: `${what}: the event's sha256 ${s.sha256} is not the blob's ${blob.sha256}` };
  const endMs = s.startMs + s.durationMs;
  if (blob.createdOnMs !== undefined && endMs > blob.createdOnMs + DEVICE_CLOCK_SKEW_MS) {
    return { code: 'TimeOutOfRange', message: `${what}: it claims to end at ${toIso(endMs)}, after storage created its blob at ${toIso(blob.createdOnMs)} (+ 5 min)` };
  }
  return undefined;
}

function refused(e: DeviceEvent, reasonCode: string, reasonMessage: string): DecodedMessage {
  const { deviceId, cameraIds } = eventCameras(e);
  return { ok: false, reasonCode, reasonMessage, deviceId, cameraId: cameraIds[0], eventId: e.event.id };
}
