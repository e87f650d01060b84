import { z } from 'zod';
import { ID_PATTERN } from '../../shared/ids';
import { GAP_CAUSES } from '../../shared/contracts/device-events';
import { streamInfoSchema } from '../../shared/contracts/stream-info';
import { cameraHealthSchema } from '../../shared/contracts/camera-health';
import { boxSchema, externalSignalSchema } from '../../shared/contracts/signals';
import { recordingPolicySchema } from '../../shared/schemas/recording-policy';
import { holdBodySchema } from '../../shared/schemas/hold';
import { shareBodySchema } from '../../shared/schemas/share';
import { exportJobBodySchema } from '../../shared/schemas/export-job';
import { deviceProvisionBodySchema, uploadUrlsBodySchema } from '../../shared/schemas/device';
import { pipelineBodySchema, topologyBodySchema } from '../../shared/pipelines/pipeline-bodies';
import type { AvailableMediaResponse } from '../cameras/available-media';
import type { CameraPolicyResponse } from '../cameras/camera-policy-response';
import type { CameraListItem } from '../cameras/cameras-list';
import type { GapItem } from '../cameras/gaps-list';
import type { DeviceResponse } from '../devices/device-response';
import type { UploadUrlsResponse } from '../devices/device-upload-urls';
import type { SignalAccepted } from '../evr/signals-create';
import type { SignalListResponse } from '../evr/signals-list';
import type { HoldResponse } from '../holds/hold-response';
import type { ShareResponse } from '../shares/share-response';
import type { ErrorBody } from '../http/http-errors';
import type { MediaErasureResponse } from '../erasure/media-delete';
import type { ExportJobResponse } from '../exports/export-job-response';
import type { PipelineResource, TopologyResource } from '../pipelines/pipeline-resources';
import type { PlaybackResponse } from '../playback/playback-answer';
import type { LiveResponse } from '../playback/live';
import type { PreviewListResponse } from '../playback/previews-list';
import type { RecordingResponse } from '../recordings/recording-response';
import type { OpenApiParameter } from './openapi';
import { errorAnswer, type ResponseSpec } from './route-spec';

/**
 * The named pieces of the OpenAPI document: the zod schemas of the HTTP bodies, each registered in zod's global
 * registry with its component id (`.meta({ id })`, or `named` for a schema of shared/ used as it is), and the shared
 * parameters and answers. The request bodies are the schemas the handlers parse with (shared/); the answers, which
 * the handlers build as TypeScript types, are written here as zod schemas, and {@link ResponseTypeChecks} fails the
 * build when a schema's output type and the handler's type disagree.
 */

/** Registers a schema of shared/ (its own instance, so every use of it becomes a `$ref`) under a component id. */
function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  z.globalRegistry.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}

/** An ISO 8601 date-time with a zone, as the handlers write them (`toIso`: UTC with ms). */
const dateTime = z.string().meta({ format: 'date-time' });
const id = z.string().regex(ID_PATTERN);

// --- request bodies (shared/: what the handlers parse) --------------------------------------------------------------

export const RecordingPolicy = named(
  'RecordingPolicy',
  recordingPolicySchema,
  'Per-camera recording policy: mode, retention and the EVR section (signal filters and AVA signal gate). Unknown keys are a 400 naming the key.',
);
export const SignalRequest = named('SignalRequest', externalSignalSchema);
export const HoldRequest = named('HoldRequest', holdBodySchema);
export const ShareRequest = named('ShareRequest', shareBodySchema);
export const DeviceRequest = named('DeviceRequest', deviceProvisionBodySchema);
export const UploadUrlsRequest = named('UploadUrlsRequest', uploadUrlsBodySchema);
export const PipelineTopologyRequest = named(
  'PipelineTopologyRequest',
  topologyBodySchema,
  "An AVA/LVA pipeline topology document (reference: Microsoft's sample topologies); `@apiVersion` and `systemData` are ignored, `name` must equal the route's.",
);
export const LivePipelineRequest = named(
  'LivePipelineRequest',
  pipelineBodySchema,
  "AVA livePipelineSet body; `@apiVersion`, `systemData` and `properties.state` are ignored, `name` must equal the route's.",
);

// --- answers ---------------------------------------------------------------------------------------------------------

export const ErrorBodySchema = z
  .looseObject({
    error: z.looseObject({ code: z.string().regex(/^[A-Z][A-Za-z]+$/), message: z.string().min(1), details: z.unknown().optional() }),
  })
  .meta({ id: 'ErrorBody', description: 'Every error answer (docs/contracts.md, "HTTP API"); `code` is stable, `message` names the parameter, value and limit.' });

export const Health = z.strictObject({ status: z.enum(['ok']) }).meta({ id: 'Health' });

export const CameraId = id.meta({ id: 'CameraId' });

export const CameraStream = z
  .strictObject({
    video: streamInfoSchema.shape.video,
    audio: streamInfoSchema.shape.audio.meta({ description: 'null when the camera sends no audio' }),
    since: dateTime.meta({ description: 'when the session that reported it started (its event time)' }),
  })
  .meta({
    id: 'CameraStream',
    description: "What the camera sends, from its latest recording session's `session-established` diagnostics (the newest event wins); absent until a session reported it. Unknowns are null.",
  });

export const Camera = z
  .strictObject({
    id: CameraId,
    deviceId: id,
    firstRecorded: dateTime.meta({ description: 'start of the earliest stored segment' }),
    lastRecorded: dateTime.meta({ description: 'end of the latest stored segment' }),
    stream: CameraStream.optional(),
    health: cameraHealthSchema,
  })
  .meta({ id: 'Camera' });

export const CameraList = z.strictObject({ cameras: z.array(Camera) }).meta({ id: 'CameraList' });

const gap = z.strictObject({ start: dateTime, end: dateTime, cause: z.enum(GAP_CAUSES) });
export const GapList = z.strictObject({ gaps: z.array(gap) }).meta({ id: 'GapList' });

export const TimeRange = z.strictObject({ start: dateTime, end: dateTime }).meta({ id: 'TimeRange' });

export const TimeRanges = z
  .strictObject({ timeRanges: z.array(z.strictObject({ start: z.string(), end: z.string() })) })
  .meta({ id: 'TimeRanges', description: 'AVA availableMedia answer; at precision year/month/day `start`/`end` are `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (inclusive).' });

export const Playback = z
  .looseObject({
    hlsUrl: z.url().meta({ description: 'absolute signed playlist URL; opens without headers until expiresAt' }),
    expiresAt: dateTime,
    start: dateTime.meta({ description: 'effective start after snapping to stored media (HLS by range)' }),
    end: dateTime.meta({ description: 'effective end after snapping to stored media (HLS by range)' }),
    ranges: z.array(TimeRange).meta({ description: 'stored ranges the playlist covers, segment-aligned' }),
  })
  .meta({ id: 'Playback' });

export const Live = z
  .strictObject({
    hlsUrl: z.url().meta({ description: 'absolute signed live playlist URL (live.m3u8); players reload it; opens without headers until expiresAt' }),
    expiresAt: dateTime,
    mode: z.enum(['cvr', 'evr']).meta({ description: "the camera's recording mode (its policy)" }),
    coverage: z.enum(['continuous', 'while-watched']).meta({
      description: 'continuous (CVR: every segment reaches the cloud as it closes) or while-watched (EVR: the agent uploads each segment as it closes while someone reloads the live playlist, otherwise only recordings)',
    }),
  })
  .meta({ id: 'Live', description: 'A live (near-live) HLS playlist URL: latency about one segment length plus upload, index and reload (docs/live.md).' });

export const CameraPolicy = z
  .strictObject({
    cameraId: CameraId,
    policy: RecordingPolicy,
    isDefault: z.boolean().meta({ description: 'true when no policy is stored and the defaults apply' }),
    updatedAt: dateTime.meta({ description: 'when the stored policy was last set' }).optional(),
  })
  .meta({ id: 'CameraPolicy' });

export const SignalAcceptedSchema = z
  .looseObject({
    id: z.string(),
    cameraId: z.string(),
    type: z.string(),
    time: dateTime,
    recording: z.boolean().meta({ description: 'the camera records by signals (EVR, or CVR with signal recordings) and the signal counts under its filters' }),
  })
  .meta({ id: 'SignalAccepted' });

export const SignalList = z
  .strictObject({
    signals: z.array(
      z.strictObject({
        id: z.string(),
        type: z.string().meta({ description: 'motion, inference, or an external type (door, …)' }),
        origin: z.string().meta({ description: 'device (the agent), mqtt or http (external)' }),
        time: dateTime.meta({ description: 'media time of the signal' }),
        end: dateTime.optional(),
        label: z.string().optional(),
        confidence: z.number().optional(),
        boxes: z.array(boxSchema).optional().meta({ description: 'normalised boxes (AVA l, t, w, h in 0..1)' }),
        properties: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
    next: z.string().optional().meta({ description: 'present when more signals follow: the after of the next page' }),
  })
  .meta({ id: 'SignalList' });

const deviceFields = {
  deviceId: id,
  cameras: z.array(CameraId),
  createdAt: dateTime,
  secretSetAt: dateTime,
  disabled: z.boolean(),
};
const deviceSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const Device = z
  .strictObject({ ...deviceFields, secretSetAt: dateTime.meta({ description: 'when the current secret was set (provisioning or the last rotation)' }) })
  .meta({ id: 'Device' });

export const ProvisionedDevice = z
  .strictObject({ ...deviceFields, secret: deviceSecret.meta({ description: '256 random bits, base64url; send as `Authorization: Bearer {secret}`' }) })
  .meta({ id: 'ProvisionedDevice', description: 'A Device plus its secret (shown in this answer only).' });

export const DeviceSecret = z.strictObject({ deviceId: id, secret: deviceSecret, secretSetAt: dateTime }).meta({ id: 'DeviceSecret' });

export const UploadUrls = z
  .strictObject({
    expiresOn: dateTime.meta({ description: 'every url works until then; the agent never uses one with less than 1 min left' }),
    blobs: z.array(
      z
        .strictObject({
          name: z.string(),
          url: z.url().meta({ description: 'the blob URL with a create-only SAS (`sp=c`, `sr=b`)' }).optional(),
          exists: z.boolean().meta({ description: 'present (true) only when the blob exists' }).optional(),
          bytes: z.number().int().min(0).optional(),
          sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
        })
        .meta({
          description:
            '`{ name, url }` to upload, or `{ name, exists: true, bytes, sha256? }` when the blob is stored already (sha256 absent when the blob has no such metadata)',
        }),
    ),
  })
  .meta({ id: 'UploadUrls' });

export const SystemData = z.looseObject({ createdAt: dateTime, lastModifiedAt: dateTime }).meta({ id: 'SystemData' });

export const PipelineTopology = z
  .looseObject({ name: z.string(), properties: z.record(z.string(), z.unknown()).meta({ description: 'as set' }), systemData: SystemData })
  .meta({ id: 'PipelineTopology' });

export const LivePipeline = z
  .looseObject({
    name: z.string(),
    properties: z.looseObject({
      topologyName: z.string(),
      description: z.string().optional(),
      parameters: z.array(z.looseObject({ name: z.string(), value: z.string().meta({ description: 'absent for SecretString parameters' }).optional() })),
      state: z.enum(['inactive', 'activating', 'active', 'deactivating']),
      cameraIds: z.array(CameraId),
      stateMessage: z.string().meta({ description: 'why the device could not activate it (its report); absent otherwise' }).optional(),
    }),
    systemData: SystemData,
  })
  .meta({ id: 'LivePipeline' });

export const HoldSchema = z
  .looseObject({
    id: z.string(),
    start: dateTime,
    end: dateTime,
    reason: z.string().meta({ description: 'absent when none was given' }).optional(),
    createdAt: dateTime,
  })
  .meta({ id: 'Hold' });

export const ShareSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
    cameraId: id,
    url: z.string().meta({ format: 'uri', description: 'the read-only page of the shared range, opened without an account; absent once expired or revoked' }).optional(),
    start: dateTime,
    end: dateTime,
    expiresAt: dateTime,
    createdAt: dateTime,
    createdBy: z.string().meta({ description: "a token's `sub`, or `admin key`" }),
    label: z.string().optional(),
    status: z.enum(['active', 'expired', 'revoked']),
    revokedAt: dateTime.optional(),
  })
  .meta({ id: 'Share', description: 'A share link of a time range of one camera; times ISO 8601 UTC with ms.' });

const recordingId = z.string().regex(/^[0-9]{13}-[0-9a-f]{12}$/);

export const Recording = z
  .strictObject({
    id: recordingId,
    start: dateTime,
    end: dateTime,
    state: z.enum(['recording', 'complete']),
    signals: z
      .array(z.strictObject({ id: z.string(), type: z.string(), time: dateTime, label: z.string().optional() }))
      .meta({ description: 'the first 16 signals that opened or extended it' }),
    signalCount: z.number().int().min(0).meta({ description: 'all signals that opened or extended it' }),
    bytes: z.number().int().min(0).meta({ description: 'stored bytes of the segments overlapping it (whole)' }),
    available: z.boolean().meta({ description: 'a segment of it is indexed (recording.available was published)' }),
    availableAt: dateTime.optional(),
    held: z.boolean().meta({ description: 'the hold rec-{id} exists' }),
  })
  .meta({ id: 'Recording', description: 'One EVR recording; times ISO 8601 UTC with ms, window [start, end) grows while state is recording.' });

export const RecordingList = z.strictObject({ recordings: z.array(Recording) }).meta({ id: 'RecordingList' });

export const PreviewList = z
  .strictObject({
    previews: z
      .array(
        z.strictObject({
          time: dateTime.meta({ description: "the instant the thumbnail shows: a segment's first frame (a keyframe)" }),
          url: z.url().meta({ description: 'absolute signed URL of its preview image (GET …/preview.jpg); opens without headers until expiresAt' }),
        }),
      )
      .meta({ description: 'ascending; at most one per interval step, none for a step without media' }),
    expiresAt: dateTime,
  })
  .meta({ id: 'PreviewList', description: 'Thumbnails along a range, for a timeline.' });
const timeRange = z.strictObject({ start: dateTime, end: dateTime });

export const MediaErasure = z
  .strictObject({
    erasureId: z.string().meta({ description: 'UUID; the `media.erased` event carries it' }),
    cameraId: id,
    requested: timeRange.meta({ description: 'the range asked for' }),
    covered: timeRange.meta({ description: 'the requested range widened to the whole segments deleted: no media is left in it' }),
    segments: z.number().int().min(0).meta({ description: 'segments deleted (blob and index row)' }),
    bytes: z.number().int().min(0).meta({ description: 'their stored bytes' }),
    recordingsDeleted: z.number().int().min(0).meta({ description: 'EVR recording rows whose whole window lay inside `covered`' }),
    requestedAt: dateTime,
    resumed: z.boolean().meta({ description: 'this answer finished an erasure an earlier request had started' }),
  })
  .meta({ id: 'MediaErasure', description: 'What an erasure on demand deleted; times ISO 8601 UTC with ms, half-open ranges.' });

export const ExportJobRequest = named('ExportJobRequest', exportJobBodySchema);

export const ExportJob = z
  .strictObject({
    id: z.string().meta({ description: 'UUID' }),
    cameraId: id,
    start: dateTime,
    end: dateTime,
    recordingId: z.string().optional(),
    state: z.enum(['queued', 'running', 'done', 'failed']),
    progress: z.number().min(0).max(1),
    segmentsDone: z.number().int().min(0),
    segmentsTotal: z.number().int().min(0),
    bytesDone: z.number().int().min(0),
    bytesTotal: z.number().int().min(0),
    createdAt: dateTime,
    updatedAt: dateTime,
    downloadUrl: z.string().meta({ description: 'when done: read-only SAS URL of the bundle (tar)' }).optional(),
    expiresAt: dateTime.optional(),
    bundleBytes: z.number().int().min(0).optional(),
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'ExportJob', description: 'An evidence export job; times ISO 8601 UTC with ms.' });

/** Answers of the list routes that have no component of their own. */
export const HoldList = z.looseObject({ holds: z.array(HoldSchema) });
export const ShareList = z.strictObject({ shares: z.array(ShareSchema) });
export const DeviceList = z.strictObject({ devices: z.array(Device) });
export const PipelineTopologyList = z.looseObject({ value: z.array(PipelineTopology) });
export const LivePipelineList = z.looseObject({ value: z.array(LivePipeline) });

// --- the zod answers against the handlers' types ---------------------------------------------------------------------

/** True when A and B are assignable both ways. */
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** True when every B fits A (the upload-urls entries: a union of two shapes, one object with optional keys in zod). */
type Fits<A, B> = [B] extends [A] ? true : false;
/** T without the `[key: string]: unknown` of zod's loose objects (open to more keys, as the document had them). */
type Known<T> = T extends readonly (infer E)[] ? Known<E>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> } : T;
type Check<T extends true> = T;

/** Fails the build when an answer's zod schema and the type its handler builds disagree. */
export type ResponseTypeChecks = [
  Check<Agree<Known<z.output<typeof ErrorBodySchema>>, ErrorBody>>,
  Check<Agree<z.output<typeof Camera>, CameraListItem>>,
  Check<Agree<z.output<typeof GapList>['gaps'][number], GapItem & { cause: (typeof GAP_CAUSES)[number] }>>,
  Check<Agree<z.output<typeof TimeRanges>, AvailableMediaResponse>>,
  Check<Agree<Known<z.output<typeof Playback>>, PlaybackResponse>>,
  Check<Agree<z.output<typeof Live>, LiveResponse>>,
  Check<Agree<z.output<typeof PreviewList>, PreviewListResponse>>,
  Check<Agree<z.output<typeof CameraPolicy>, CameraPolicyResponse>>,
  Check<Agree<Known<z.output<typeof SignalAcceptedSchema>>, SignalAccepted>>,
  Check<Agree<z.output<typeof SignalList>, SignalListResponse>>,
  Check<Agree<z.output<typeof Device>, DeviceResponse>>,
  Check<Agree<Known<z.output<typeof HoldSchema>>, HoldResponse>>,
  Check<Agree<z.output<typeof ShareSchema>, ShareResponse>>,
  Check<Agree<Known<z.output<typeof PipelineTopology>>, TopologyResource>>,
  Check<Agree<Known<z.output<typeof LivePipeline>>, PipelineResource>>,
  Check<Agree<z.output<typeof Recording>, RecordingResponse>>,
  Check<Agree<z.output<typeof MediaErasure>, MediaErasureResponse>>,
  Check<Agree<z.output<typeof ExportJob>, ExportJobResponse>>,
  // One way: the handler's entries are a union of two shapes; the schema, one object with optional keys.
  Check<Fits<z.output<typeof UploadUrls>, UploadUrlsResponse>>,
];

// --- shared parameters and answers -----------------------------------------------------------------------------------

/** components.parameters: the path parameters several routes share. */
export const PARAMETERS: Record<string, OpenApiParameter> = {
  entityName: {
    name: 'name',
    in: 'path',
    required: true,
    description: "AVA entity name: 1 to 32 letters, digits, '-' and '_', not starting or ending with '-' (400 `InvalidName` otherwise)",
    schema: { type: 'string', pattern: '^(?!-)[A-Za-z0-9_-]{1,32}(?<!-)$' },
  },
  cameraId: { name: 'cameraId', in: 'path', required: true, description: 'camera id, `[a-z0-9-]{1,32}` (400 `InvalidCameraId` otherwise)', schema: { $ref: '#/components/schemas/CameraId' } },
  deviceId: { name: 'deviceId', in: 'path', required: true, description: 'device id, `[a-z0-9-]{1,32}` (400 `InvalidDeviceId` otherwise)', schema: { type: 'string', pattern: ID_PATTERN.source } },
  recordingId: {
    name: 'recordingId',
    in: 'path',
    required: true,
    description: 'recording id `{13-digit start ms}-{12 hex}` (400 `InvalidRecordingId` otherwise)',
    schema: { type: 'string', pattern: '^[0-9]{13}-[0-9a-f]{12}$' },
  },
};

/** components.responses: the error answers several routes share. */
export const RESPONSES: Record<string, ResponseSpec> = {
  BadRequest: errorAnswer('bad input, nothing changed: e.g. `InvalidCameraId`, `MissingParameter`, `InvalidDateTime`, `InvalidRange`, `RangeTooLong`'),
  Unauthorized: errorAnswer(
    "`Unauthorized`: no bearer token and no administrator's key, or a wrong key; `InvalidToken`: the bearer token does not verify (signature, algorithm, issuer, audience, expiry, a required claim). With `WWW-Authenticate: Bearer`",
  ),
  Forbidden: errorAnswer('`Forbidden`: the bearer token lacks the role this route needs (the message names it) or access to the camera; nothing else is said'),
  NotFound: errorAnswer('e.g. `CameraNotFound` (never recorded), `NoMediaInRange`, `NotFound`'),
  PipelineConflict: errorAnswer(
    "AVA's 409 codes: `OperationNotAllowedInState`, `PipelineTopologyInUse`, `ModuleLimitExceeded`; `CameraOwned` (activate: another device records one of its cameras); `ActivationFailed` (activate: the device reported it could not apply the pipeline, its reason in the message); `DeviceNotProvisioned` (activate: the device is not provisioned, so its camera credentials could only travel in clear); `Conflict` (changed concurrently; retry)",
  ),
  ServiceUnavailable: errorAnswer('`ServiceUnavailable`: storage is unavailable; retry'),
};
