import { z } from 'zod';
import { GAP_CAUSES } from './device-events';
import { streamInfoSchema } from './stream-info';
import { RECORDING_ID_PATTERN } from './upload-window';
import { ID_PATTERN } from '../ids';
import { HOUR_MS } from '../time';
import { isoDateTimeSchema } from '../validation/iso-date-time';

/**
 * The JSON asset manifest, a contract (docs/contracts.md "Asset manifests"): what one closed hour of a camera's archive
 * holds, written by the cloud beside the media (shared/contracts/manifest-naming.ts) with an HLS media playlist of
 * relative URIs. Enough to play a copied folder without Keepwatch, to verify every stored byte, and to rebuild the
 * segment index (`keepwatch-admin rebuild-index`). Immutable: a re-opened hour gets a new version under a new name.
 */

/** `kind` of an archive hour's manifest. */
export const ARCHIVE_HOUR_MANIFEST = 'keepwatch.archive-hour';
/** `kind` of an EVR recording's manifest. */
export const RECORDING_MANIFEST = 'keepwatch.recording';
/** Format version of the JSON; a reader refuses others. */
export const MANIFEST_FORMAT = 1;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');

/**
 * One stored segment: `uri` relative to the manifest (`./{start}.ts`), `start` (ISO 8601 UTC with ms), `durationMs`,
 * `bytes` and `sha256` of the blob as storage holds it (read back and hashed by the cloud when the manifest was
 * written: never the device's claim), and where its index row came from: `deviceId`, `eventId` (the
 * `segment.uploaded` CloudEvent; `rebuilt-…` for a row rebuilt from a blob alone).
 */
export const manifestSegmentSchema = z.strictObject({
  uri: z.string().regex(/^\.\/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\.ts$/, 'expected ./{segment start ISO}.ts'),
  start: isoDateTimeSchema,
  durationMs: z.number().int().min(1).max(HOUR_MS),
  bytes: z.number().int().min(0).max(2 ** 40),
  sha256: sha256Schema,
  deviceId: z.string().regex(ID_PATTERN),
  eventId: z.string().min(1).max(128),
});
export type ManifestSegment = z.output<typeof manifestSegmentSchema>;

/** A stretch of the hour without media that an agent reported (`gap` events, clipped to the hour), with its cause. */
export const manifestGapSchema = z.strictObject({
  start: isoDateTimeSchema,
  end: isoDateTimeSchema,
  cause: z.enum(GAP_CAUSES),
});

/**
 * An archive hour's manifest (`kind` `keepwatch.archive-hour`, `format` 1): `cameraId`, the hour `[start, end)`, the
 * manifest `version` (1, +1 per re-opening), `writtenAt`, `playlist` (the HLS media playlist's file name beside it),
 * `segments` (every segment whose start lies in the hour, by start), `gaps` and `stream` (the camera's latest stream
 * info when written: codecs, profile, size, frame rate; null when unknown).
 */
export const archiveHourManifestSchema = z.strictObject({
  kind: z.literal(ARCHIVE_HOUR_MANIFEST),
  format: z.literal(MANIFEST_FORMAT),
  cameraId: z.string().regex(ID_PATTERN),
  start: isoDateTimeSchema,
  end: isoDateTimeSchema,
  version: z.number().int().min(1).max(9999),
  writtenAt: isoDateTimeSchema,
  playlist: z.string().regex(/^manifest-v\d{4}\.m3u8$/),
  segments: z.array(manifestSegmentSchema).max(36_000),
  gaps: z.array(manifestGapSchema),
  stream: streamInfoSchema.nullable(),
});
export type ArchiveHourManifest = z.output<typeof archiveHourManifestSchema>;

/** A segment in a recording's manifest: as in an hour's, with its URI relative to the recording's folder. */
export const recordingManifestSegmentSchema = manifestSegmentSchema.extend({
  uri: z.string().regex(/^\.\.\/\.\.\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\.ts$/, 'expected ../../{yyyy}/{MM}/{dd}/{HH}/{segment start ISO}.ts'),
});

/**
 * An EVR recording's manifest (`kind` `keepwatch.recording`, `format` 1): the recording (`id`, `gateRecordingId`, its
 * window `[start, end)`, the signals that opened or extended it — the first 16 — and how many in all), and the stored
 * segments overlapping the window with their stored hashes, the gaps in it and the stream, as an hour's manifest has
 * them. Written once the recording is complete and its window's segments are in (functions/manifests/).
 */
export const recordingManifestSchema = z.strictObject({
  kind: z.literal(RECORDING_MANIFEST),
  format: z.literal(MANIFEST_FORMAT),
  cameraId: z.string().regex(ID_PATTERN),
  recording: z.strictObject({
    id: z.string().regex(RECORDING_ID_PATTERN),
    gateRecordingId: z.string().min(1).max(128),
    start: isoDateTimeSchema,
    end: isoDateTimeSchema,
    signals: z.array(z.strictObject({ id: z.string().min(1).max(128), type: z.string().min(1).max(64), at: isoDateTimeSchema, label: z.string().max(256).optional() })).max(16),
    signalCount: z.number().int().min(0),
  }),
  version: z.number().int().min(1).max(9999),
  writtenAt: isoDateTimeSchema,
  playlist: z.string().regex(/^manifest-v\d{4}\.m3u8$/),
  segments: z.array(recordingManifestSegmentSchema).max(36_000),
  gaps: z.array(manifestGapSchema),
  stream: streamInfoSchema.nullable(),
});
export type RecordingManifest = z.output<typeof recordingManifestSchema>;
