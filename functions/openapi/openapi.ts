/**
 * The OpenAPI 3.1 document of Keepwatch's HTTP API, served by functions/openapi/openapi-json.ts at
 * `GET /api/openapi.json`. One typed object literal, so the compiler checks its shape and the tests
 * (test/integration/functions/openapi/openapi.test.ts) check it against the registered routes and their answers.
 *
 * Conventions: paths are relative to the server URL `/api` and written as the route templates of functions/app.ts
 * registrations (`/cameras/{cameraId}/playback`); `operationId` is the registered function's name; every operation
 * needs the function key (`x-functions-key` header or `code` query, the Azure Functions convention) unless its
 * `security` is `[]`. Schemas use the JSON Schema 2020-12 subset listed in {@link JsonSchema}.
 */

/** A JSON Schema `type` name. */
export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** The JSON Schema 2020-12 subset the document uses (and test/helpers/json-schema-check.ts understands). */
export interface JsonSchema {
  $ref?: string;
  /** One type, or several (`['integer', 'null']`: a nullable integer). */
  type?: JsonType | readonly JsonType[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: readonly (string | number)[];
  /** Only `date-time` (RFC 3339 with zone) and `duration` (ISO 8601) are checked by the tests. */
  format?: 'date-time' | 'duration' | 'uri';
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  examples?: readonly unknown[];
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description: string;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  /** Media type → schema; absent for bodiless answers (204). */
  content?: Record<string, { schema: JsonSchema }>;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  parameters?: readonly (OpenApiParameter | { $ref: string })[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  /** Status code → response or `$ref` to components.responses. */
  responses: Record<string, OpenApiResponse | { $ref: string }>;
  /** `[]` = anonymous; absent = the document's default (function key). */
  security?: readonly Record<string, readonly string[]>[];
}

export type HttpMethodName = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  jsonSchemaDialect: string;
  servers: readonly { url: string; description: string }[];
  security: readonly Record<string, readonly string[]>[];
  tags: readonly { name: string; description: string }[];
  paths: Record<string, Partial<Record<HttpMethodName, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, OpenApiParameter>;
    responses: Record<string, OpenApiResponse>;
    securitySchemes: Record<string, { type: 'apiKey'; in: 'header' | 'query'; name: string; description: string }>;
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const anonymous: readonly Record<string, readonly string[]>[] = [];
/** The standard error answers of a keyed route that reads storage. */
const keyedErrors = {
  '401': { $ref: '#/components/responses/Unauthorized' },
  '503': { $ref: '#/components/responses/ServiceUnavailable' },
} as const;
const errorResponse = (description: string): OpenApiResponse => ({ description, content: json(ref('ErrorBody')) });

/** An ISO 8601 date-time query parameter with a zone; `what` completes the description. */
function dateTimeQuery(name: string, required: boolean, what: string): OpenApiParameter {
  return { name, in: 'query', required, description: `${what}; ISO 8601 date-time with a zone (UTC \`Z\` or an offset), e.g. 2026-11-21T10:00:00Z`, schema: { type: 'string', format: 'date-time' } };
}

/** The document. Routes of other branches (availableMedia, export, policy, holds) are listed as they will be merged. */
export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Keepwatch API',
    version: '0.1.0',
    description:
      'Records surveillance-camera video into Azure. All times are UTC, ISO 8601 with milliseconds; ranges are half-open [start, end). ' +
      'Errors are `{"error":{"code","message","details"?}}`. An unknown route is a 404 `NotFound`, a known route with another method a 405 `MethodNotAllowed` with `Allow`.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  servers: [{ url: '/api', description: 'the Function App (locally http://127.0.0.1:7071/api)' }],
  security: [{ functionKeyHeader: [] }, { functionKeyQuery: [] }],
  tags: [
    { name: 'service', description: 'health and this document' },
    { name: 'cameras', description: 'cameras and their archives' },
    { name: 'playback', description: 'signed HLS playback and MP4 export' },
    { name: 'retention', description: 'retention policy and holds' },
    { name: 'recordings', description: 'EVR recordings (signal-gate windows), their playback and holds' },
    { name: 'viewer', description: 'the web viewer page and its static files' },
    { name: 'evr', description: 'event-based recording: signals' },
    { name: 'pipelines', description: 'AVA pipeline topologies and live pipelines per device (set, activate, deactivate, delete)' },
    { name: 'devices', description: 'device provisioning (API key) and device upload URLs (device secret); docs/devices.md' },
  ],
  paths: {
    '/health': {
      get: {
        operationId: 'health',
        summary: 'Liveness probe',
        tags: ['service'],
        security: anonymous,
        responses: { '200': { description: 'the app is up', content: json(ref('Health')) } },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi-json',
        summary: 'This OpenAPI 3.1 document',
        tags: ['service'],
        security: anonymous,
        responses: { '200': { description: 'the document', content: json({ type: 'object', required: ['openapi', 'info', 'paths'] }) } },
      },
    },
    '/cameras': {
      get: {
        operationId: 'cameras-list',
        summary: 'Cameras that have recorded, sorted by id',
        tags: ['cameras'],
        responses: { '200': { description: 'the cameras', content: json(ref('CameraList')) }, ...keyedErrors },
      },
    },
    '/cameras/{cameraId}/gaps': {
      get: {
        operationId: 'gaps-list',
        summary: "Gaps in a camera's recording, with their causes",
        description:
          'The gaps the device reported (camera down, cache eviction, agent stopped or killed, ffmpeg stall) that overlap [start, end), sorted, whole; at most 31 days per request.',
        tags: ['cameras'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, dateTimeQuery('start', true, 'range start'), dateTimeQuery('end', true, 'range end (exclusive)')],
        responses: {
          '200': { description: 'the gaps', content: json(ref('GapList')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/availableMedia': {
      get: {
        operationId: 'available-media',
        summary: "Stored time ranges of a camera's archive (AVA availableMedia)",
        description:
          'AVA rules (docs/reference/ava-behaviour.md, "Playback"): precision year (`YYYY`, start/end optional), month (`YYYY-MM`, ≤ 12 months), day (`YYYY-MM-DD`, ≤ 31 days), ' +
          'full (ISO date-time, start < end, ≤ 25 h); bounds inclusive, UTC; ranges clipped to the request and split at gaps; no data → empty list.',
        tags: ['cameras'],
        parameters: [
          { $ref: '#/components/parameters/cameraId' },
          { name: 'precision', in: 'query', required: true, description: 'granularity of the answer', schema: { type: 'string', enum: ['year', 'month', 'day', 'full'] } },
          { name: 'startTime', in: 'query', required: false, description: 'first instant, in the format of the precision (optional only for year)', schema: { type: 'string' } },
          { name: 'endTime', in: 'query', required: false, description: 'last instant, in the format of the precision (optional only for year)', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'the stored ranges', content: json(ref('TimeRanges')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/playback': {
      get: {
        operationId: 'playback',
        summary: 'A signed, expiring HLS playback URL for a time range',
        description:
          "AVA's time-range rules: start and end → that range, ≤ 24 h; start only → start..now, ≤ 24 h; end only → 400; neither → the most recent 4 h of the archive. A range partly in a gap is snapped to the stored media (`start`/`end` of the answer); wholly in a gap → 404 NoMediaInRange. The playlist covers every stored segment overlapping it, whole; gaps are `#EXT-X-DISCONTINUITY`.",
        tags: ['playback'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, dateTimeQuery('start', false, 'range start'), dateTimeQuery('end', false, 'range end (exclusive); needs start')],
        responses: {
          '200': { description: 'the playback URL', content: json(ref('Playback')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/playlist.m3u8': {
      get: {
        operationId: 'playlist',
        summary: 'The signed HLS VOD playlist (the `hlsUrl` of playback)',
        description: 'Opens without a key: `start`, `end`, `expires`, `kid` and `sig` are the token. Segment URLs are read-only SAS URLs that live at least as long as the playlist.',
        tags: ['playback'],
        security: anonymous,
        parameters: [
          { $ref: '#/components/parameters/cameraId' },
          dateTimeQuery('start', true, 'signed range start'),
          dateTimeQuery('end', true, 'signed range end'),
          { name: 'expires', in: 'query', required: true, description: 'expiry, epoch ms UTC', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
          { name: 'kid', in: 'query', required: false, description: 'id of the key that signed it (the current or, during a rotation, the previous playback key); absent in URLs issued before key ids', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{11}$' } },
          { name: 'sig', in: 'query', required: true, description: 'base64url HMAC-SHA256 of key id, camera, range and expiry', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
        ],
        responses: {
          '200': { description: 'RFC 8216 playlist', content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string', pattern: '^#EXTM3U' } } } },
          '400': { $ref: '#/components/responses/BadRequest' },
          '401': errorResponse('`InvalidPlaybackToken` or `PlaybackTokenExpired`'),
          '404': { $ref: '#/components/responses/NotFound' },
          '503': { $ref: '#/components/responses/ServiceUnavailable' },
        },
      },
    },
    '/cameras/{cameraId}/export.mp4': {
      get: {
        operationId: 'export-mp4',
        summary: 'One MP4 of a time range (codec copy), as a download',
        description: 'Capped in duration and bytes (400 above the cap). Gaps inside the range are listed in `Keepwatch-Gaps`.',
        tags: ['playback'],
        parameters: [
          { $ref: '#/components/parameters/cameraId' },
          dateTimeQuery('start', true, 'range start'),
          dateTimeQuery('end', true, 'range end (exclusive)'),
          { name: 'tz', in: 'query', required: false, description: 'IANA time zone of the file name (default UTC)', schema: { type: 'string', examples: ['Europe/Berlin'] } },
        ],
        responses: {
          '200': {
            description: 'the MP4, streamed',
            headers: {
              'Content-Disposition': { description: 'attachment with a file name like `cam1_2026-11-21T10-00-00Z_PT30S.mp4`', schema: { type: 'string' } },
              'Keepwatch-Gaps': { description: 'gaps inside the range, `start/end` ISO intervals separated by `, `', schema: { type: 'string' } },
            },
            content: { 'video/mp4': { schema: { type: 'string' } } },
          },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/policy': {
      get: {
        operationId: 'camera-policy-get',
        summary: "A camera's retention policy (the defaults when none is stored)",
        tags: ['retention'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }],
        responses: {
          '200': { description: 'the policy (or the defaults)', headers: { ETag: { description: 'version for If-Match; absent for the defaults', schema: { type: 'string' } } }, content: json(ref('CameraPolicy')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          ...keyedErrors,
        },
      },
      put: {
        operationId: 'camera-policy-put',
        summary: "Sets a camera's retention policy (idempotent)",
        tags: ['retention'],
        parameters: [
          { $ref: '#/components/parameters/cameraId' },
          { name: 'If-Match', in: 'header', required: false, description: 'ETag of the policy read; 412 when it changed since', schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: json(ref('RecordingPolicy')) },
        responses: {
          '200': { description: 'the stored policy', content: json(ref('CameraPolicy')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '412': errorResponse('the policy changed since the ETag given in If-Match'),
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/holds': {
      get: {
        operationId: 'holds-list',
        summary: "A camera's holds (time ranges retention never deletes)",
        tags: ['retention'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }],
        responses: {
          '200': { description: 'the holds', content: json({ type: 'object', required: ['holds'], properties: { holds: { type: 'array', items: ref('Hold') } } }) },
          '400': { $ref: '#/components/responses/BadRequest' },
          ...keyedErrors,
        },
      },
      post: {
        operationId: 'holds-create',
        summary: 'Puts a time range on hold',
        tags: ['retention'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }],
        requestBody: { required: true, content: json(ref('HoldRequest')) },
        responses: {
          '201': { description: 'the hold', content: json(ref('Hold')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/signals': {
      post: {
        operationId: 'signals-create',
        summary: 'Sends an external signal (a door sensor, an alarm) to the camera\'s EVR policy',
        description:
          'The signal goes to the camera\'s signal gate (AVA signal gate rules); a recording opens once the camera\'s media time passes it by the evaluation window. ' +
          '`recording` is false (nothing stored) when the camera\'s policy is not EVR or its filters do not count the signal. Idempotent on `id`.',
        tags: ['evr'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }],
        requestBody: { required: true, content: json(ref('SignalRequest')) },
        responses: {
          '202': { description: 'accepted', content: json(ref('SignalAccepted')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/holds/{holdId}': {
      delete: {
        operationId: 'holds-delete',
        summary: 'Releases a hold',
        tags: ['retention'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, { name: 'holdId', in: 'path', required: true, description: 'id of the hold', schema: { type: 'string' } }],
        responses: {
          '204': { description: 'released' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/recordings': {
      get: {
        operationId: 'recordings-list',
        summary: "A camera's EVR recordings overlapping a range",
        description:
          'Recordings (signal-gate windows, AVA clips) overlapping [start, end), sorted by start, whole; both parameters required, at most 31 days apart. ' +
          '`bytes` sums the stored segments overlapping each recording (whole). 404 CameraNotFound when the camera never recorded and has no recording in the range.',
        tags: ['recordings'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, dateTimeQuery('start', true, 'range start'), dateTimeQuery('end', true, 'range end (exclusive)')],
        responses: {
          '200': { description: 'the recordings', content: json(ref('RecordingList')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/recordings/{recordingId}': {
      get: {
        operationId: 'recording-get',
        summary: 'One EVR recording',
        tags: ['recordings'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, { $ref: '#/components/parameters/recordingId' }],
        responses: {
          '200': { description: 'the recording', content: json(ref('Recording')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': errorResponse('`RecordingNotFound`'),
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/recordings/{recordingId}/playback': {
      get: {
        operationId: 'recording-playback',
        summary: "A signed, expiring HLS playback URL for one recording's window",
        description: "Exactly the playback answer for the recording's [start, end): snapped to stored media; 404 NoMediaInRange while nothing of it is uploaded.",
        tags: ['recordings', 'playback'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, { $ref: '#/components/parameters/recordingId' }],
        responses: {
          '200': { description: 'the playback URL', content: json(ref('Playback')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': errorResponse('`RecordingNotFound` or `NoMediaInRange`'),
          ...keyedErrors,
        },
      },
    },
    '/cameras/{cameraId}/recordings/{recordingId}/hold': {
      post: {
        operationId: 'recording-hold-create',
        summary: "Holds a recording: retention keeps its segments (idempotent)",
        description:
          "A hold with id `rec-{recordingId}` on the recording's window (listed by GET /holds). 201 the first time, 200 after; holding again after the recording grew widens the hold.",
        tags: ['recordings', 'retention'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, { $ref: '#/components/parameters/recordingId' }],
        responses: {
          '201': { description: 'held', headers: { Location: { description: '`/api/cameras/{cameraId}/holds/rec-{recordingId}`', schema: { type: 'string' } } }, content: json(ref('Hold')) },
          '200': { description: 'already held (the hold, widened if the recording grew)', content: json(ref('Hold')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': errorResponse('`RecordingNotFound`'),
          ...keyedErrors,
        },
      },
      delete: {
        operationId: 'recording-hold-delete',
        summary: "Releases a recording's hold",
        tags: ['recordings', 'retention'],
        parameters: [{ $ref: '#/components/parameters/cameraId' }, { $ref: '#/components/parameters/recordingId' }],
        responses: {
          '204': { description: 'released' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': errorResponse('`HoldNotFound`: the recording is not held'),
          ...keyedErrors,
        },
      },
    },
    '/viewer': {
      get: {
        operationId: 'viewer-page',
        summary: 'The web viewer (asks for the key in the page, keeps it in sessionStorage)',
        tags: ['viewer'],
        security: anonymous,
        responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string', pattern: '^<!doctype html>' } } } } },
      },
    },
    '/viewer/{asset}': {
      get: {
        operationId: 'viewer-asset',
        summary: "A static file of the viewer (hls.js from the app's node_modules)",
        description: 'Long-cached (`max-age` one year, immutable): the page refers to each file with a `?v=` content version.',
        tags: ['viewer'],
        security: anonymous,
        parameters: [{ name: 'asset', in: 'path', required: true, description: 'file name', schema: { type: 'string', enum: ['viewer.js', 'viewer.css', 'hls.min.js'] } }],
        responses: {
          '200': { description: 'the file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/devices': {
      get: {
        operationId: 'devices-list',
        summary: 'Provisioned devices, sorted by id (never a secret or its hash)',
        tags: ['devices'],
        responses: { '200': { description: 'the devices', content: json({ type: 'object', required: ['devices'], additionalProperties: false, properties: { devices: { type: 'array', items: ref('Device') } } }) }, ...keyedErrors },
      },
      post: {
        operationId: 'devices-create',
        summary: 'Provisions a device: a new device secret, shown once, and the cameras it may record',
        description: 'The cloud stores only the secret\'s SHA-256. 409 `DeviceExists` when the id is taken, `CameraOwned` when another device records one of the cameras.',
        tags: ['devices'],
        requestBody: { required: true, content: json(ref('DeviceRequest')) },
        responses: {
          '201': { description: 'the device, with its secret (this answer only)', content: json(ref('ProvisionedDevice')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '409': errorResponse('`DeviceExists` or `CameraOwned`'),
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}': {
      get: {
        operationId: 'device-get',
        summary: 'One device (never its secret or the secret\'s hash)',
        tags: ['devices'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }],
        responses: {
          '200': { description: 'the device', content: json(ref('Device')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
      delete: {
        operationId: 'device-delete',
        summary: 'Revokes a device: its secret is refused from now on; upload URLs already issued live until they expire',
        tags: ['devices'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }],
        responses: {
          '204': { description: 'revoked' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}/secret': {
      post: {
        operationId: 'device-secret-rotate',
        summary: 'Rotates the device secret: a new one, shown once; the old one is refused from now on',
        tags: ['devices'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }],
        responses: {
          '200': { description: 'the new secret (this answer only)', content: json(ref('DeviceSecret')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}/upload-urls': {
      post: {
        operationId: 'device-upload-urls',
        summary: 'Create-only upload URLs for the segments a device is about to upload (device secret, not the API key)',
        description:
          'Authenticated by `Authorization: Bearer {deviceSecret}` (no function key). Every name must be a canonical segment blob name of a camera the device owns, else nothing is signed. ' +
          'Per name: a blob-scoped, create-only SAS URL (`sp=c`, `sr=b`, valid until `expiresOn`, `KEEPWATCH_DEVICE_SAS_TTL` default PT15M) to PUT with `If-None-Match: *`, ' +
          'or, when the blob exists already, `exists: true` with its size and the `sha256` metadata. 401 for a missing or wrong secret and for an unknown device alike; 403 `CameraNotOwned`.',
        tags: ['devices'],
        security: anonymous,
        parameters: [{ $ref: '#/components/parameters/deviceId' }],
        requestBody: { required: true, content: json(ref('UploadUrlsRequest')) },
        responses: {
          '200': { description: 'one entry per name, in request order', content: json(ref('UploadUrls')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '401': errorResponse('`Unauthorized`: the device secret is missing or wrong, or the device is unknown or disabled'),
          '403': errorResponse('`CameraNotOwned`: a name belongs to a camera this device does not record; nothing was signed'),
          '503': { $ref: '#/components/responses/ServiceUnavailable' },
        },
      },
    },
    '/devices/{deviceId}/pipelineTopologies': {
      get: {
        operationId: 'pipeline-topologies-list',
        summary: "A device's AVA pipeline topologies (AVA pipelineTopologyList)",
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }],
        responses: {
          '200': { description: 'the topologies, sorted by name', content: json({ type: 'object', required: ['value'], properties: { value: { type: 'array', items: ref('PipelineTopology') } } }) },
          '400': { $ref: '#/components/responses/BadRequest' },
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}/pipelineTopologies/{name}': {
      get: {
        operationId: 'pipeline-topology-get',
        summary: 'One pipeline topology (AVA pipelineTopologyGet)',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        responses: {
          '200': { description: 'the topology', content: json(ref('PipelineTopology')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
      put: {
        operationId: 'pipeline-topology-put',
        summary: 'Sets a pipeline topology (AVA pipelineTopologySet)',
        description:
          "Body: an LVA 1.0, LVA 2.0 or AVA 1.1 topology document as in Microsoft's samples (`@apiVersion` ignored). Checked with the topology import: unsupported nodes are refused with 400 `InvalidResource` whose `details` name them. " +
          'An update while live pipelines reference it: 409 `PipelineTopologyInUse` unless they are all inactive, every new parameter without a default is set by each, and no parameter they set was removed. At most 50 per device (409 `ModuleLimitExceeded`).',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        requestBody: { required: true, content: json(ref('PipelineTopologyRequest')) },
        responses: {
          '200': { description: 'updated', content: json(ref('PipelineTopology')) },
          '201': { description: 'created', content: json(ref('PipelineTopology')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '409': { $ref: '#/components/responses/PipelineConflict' },
          ...keyedErrors,
        },
      },
      delete: {
        operationId: 'pipeline-topology-delete',
        summary: 'Deletes a pipeline topology (AVA pipelineTopologyDelete)',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        responses: {
          '200': { description: 'deleted' },
          '204': { description: 'there was no such topology' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '409': { $ref: '#/components/responses/PipelineConflict' },
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}/livePipelines': {
      get: {
        operationId: 'live-pipelines-list',
        summary: "A device's live pipelines (AVA livePipelineList)",
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }],
        responses: {
          '200': { description: 'the live pipelines, sorted by name', content: json({ type: 'object', required: ['value'], properties: { value: { type: 'array', items: ref('LivePipeline') } } }) },
          '400': { $ref: '#/components/responses/BadRequest' },
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}/livePipelines/{name}': {
      get: {
        operationId: 'live-pipeline-get',
        summary: 'One live pipeline with its state (AVA livePipelineGet)',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        responses: {
          '200': { description: 'the live pipeline; SecretString parameters without value', content: json(ref('LivePipeline')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          ...keyedErrors,
        },
      },
      put: {
        operationId: 'live-pipeline-put',
        summary: 'Sets a live pipeline (AVA livePipelineSet)',
        description:
          'Creates it inactive (201) or updates it while inactive (200; 409 `OperationNotAllowedInState` otherwise). Revalidated on every set by importing the topology with the parameters: ' +
          'errors are 400 `InvalidResource` with the import\'s code in `details[0].code` (`MissingParameter`, `UndeclaredParameter`, `InvalidParameter`, `UnsupportedTopologyNode`). At most 1000 per device (409 `ModuleLimitExceeded`).',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        requestBody: { required: true, content: json(ref('LivePipelineRequest')) },
        responses: {
          '200': { description: 'updated', content: json(ref('LivePipeline')) },
          '201': { description: 'created, inactive', content: json(ref('LivePipeline')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '409': { $ref: '#/components/responses/PipelineConflict' },
          ...keyedErrors,
        },
      },
      delete: {
        operationId: 'live-pipeline-delete',
        summary: 'Deletes an inactive live pipeline (AVA livePipelineDelete)',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        responses: {
          '200': { description: 'deleted' },
          '204': { description: 'there was no such live pipeline' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '409': { $ref: '#/components/responses/PipelineConflict' },
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}/livePipelines/{name}/activate': {
      post: {
        operationId: 'live-pipeline-activate',
        summary: 'Activates a live pipeline on its device (AVA livePipelineActivate)',
        description:
          "Stores each camera's recording policy, gives a provisioned device the pipeline's cameras (409 `CameraOwned` when another device records one; nothing changed), sends the device the activate command (MQTT QoS 1) and waits up to `KEEPWATCH_PIPELINE_STATE_WAIT` (default PT30S) for its `pipeline.state` report: 200 once active, " +
          '202 with state `activating` when the device has not reported (it applies the command when it reconnects; GET shows the state). Idempotent on active; 409 `OperationNotAllowedInState` while deactivating. A body is ignored.',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        responses: {
          '200': { description: 'active', content: json(ref('LivePipeline')) },
          '202': { description: 'activating: the device has not reported yet', content: json(ref('LivePipeline')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          '409': { $ref: '#/components/responses/PipelineConflict' },
          ...keyedErrors,
        },
      },
    },
    '/devices/{deviceId}/livePipelines/{name}/deactivate': {
      post: {
        operationId: 'live-pipeline-deactivate',
        summary: 'Deactivates a live pipeline (AVA livePipelineDeactivate)',
        description:
          "Sends the device the deactivate command and waits up to `KEEPWATCH_PIPELINE_STATE_WAIT` for its report, which comes only once the pipeline's cameras stopped and their cached segments are uploaded: 200 once inactive, " +
          '202 with state `deactivating` otherwise. 200 at once when inactive; 409 `OperationNotAllowedInState` while activating. A body is ignored.',
        tags: ['pipelines'],
        parameters: [{ $ref: '#/components/parameters/deviceId' }, { $ref: '#/components/parameters/entityName' }],
        responses: {
          '200': { description: 'inactive', content: json(ref('LivePipeline')) },
          '202': { description: 'deactivating: the device has not reported yet', content: json(ref('LivePipeline')) },
          '400': { $ref: '#/components/responses/BadRequest' },
          '404': { $ref: '#/components/responses/NotFound' },
          '409': { $ref: '#/components/responses/PipelineConflict' },
          ...keyedErrors,
        },
      },
    },
  },
  components: {
    schemas: {
      ErrorBody: {
        type: 'object',
        description: 'Every error answer (docs/contracts.md, "HTTP API"); `code` is stable, `message` names the parameter, value and limit.',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string', pattern: '^[A-Z][A-Za-z]+$' }, message: { type: 'string', minLength: 1 }, details: {} },
          },
        },
      },
      Health: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { type: 'string', enum: ['ok'] } } },
      CameraId: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
      Camera: {
        type: 'object',
        required: ['id', 'deviceId', 'firstRecorded', 'lastRecorded'],
        additionalProperties: false,
        properties: {
          id: ref('CameraId'),
          deviceId: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
          firstRecorded: { type: 'string', format: 'date-time', description: 'start of the earliest stored segment' },
          lastRecorded: { type: 'string', format: 'date-time', description: 'end of the latest stored segment' },
          stream: ref('CameraStream'),
        },
      },
      CameraStream: {
        type: 'object',
        description: "What the camera sends, from its latest recording session's `session-established` diagnostics (the newest event wins); absent until a session reported it. Unknowns are null.",
        required: ['video', 'audio', 'since'],
        additionalProperties: false,
        properties: {
          video: {
            type: 'object',
            required: ['codec', 'profile', 'widthPx', 'heightPx', 'fps'],
            additionalProperties: false,
            properties: {
              codec: { type: 'string', pattern: '^[a-z0-9_]{1,32}$', description: "ffmpeg's codec name", examples: ['h264', 'hevc'] },
              profile: { type: ['string', 'null'], maxLength: 64, description: 'as ffmpeg names it', examples: ['High', 'Main', 'Constrained Baseline'] },
              widthPx: { type: ['integer', 'null'], minimum: 1, maximum: 16384, description: 'displayed width in pixels' },
              heightPx: { type: ['integer', 'null'], minimum: 1, maximum: 16384, description: 'displayed height in pixels' },
              fps: { type: ['number', 'null'], minimum: 0, maximum: 1000, description: 'frames per second as ffmpeg estimates it (29.83, 12.5)' },
            },
          },
          audio: {
            type: ['object', 'null'],
            description: 'null when the camera sends no audio',
            required: ['codec', 'profile', 'sampleRateHz', 'channels'],
            additionalProperties: false,
            properties: {
              codec: { type: 'string', pattern: '^[a-z0-9_]{1,32}$', description: "ffmpeg's codec name (pcm_mulaw and pcm_alaw are G.711)", examples: ['aac', 'pcm_mulaw', 'pcm_alaw'] },
              profile: { type: ['string', 'null'], maxLength: 64, examples: ['LC'] },
              sampleRateHz: { type: ['integer', 'null'], minimum: 1, maximum: 768000 },
              channels: { type: ['integer', 'null'], minimum: 1, maximum: 64 },
            },
          },
          since: { type: 'string', format: 'date-time', description: 'when the session that reported it started (its event time)' },
        },
      },
      CameraList: { type: 'object', required: ['cameras'], additionalProperties: false, properties: { cameras: { type: 'array', items: ref('Camera') } } },
      GapList: {
        type: 'object',
        required: ['gaps'],
        additionalProperties: false,
        properties: {
          gaps: {
            type: 'array',
            items: {
              type: 'object',
              required: ['start', 'end', 'cause'],
              additionalProperties: false,
              properties: {
                start: { type: 'string', format: 'date-time' },
                end: { type: 'string', format: 'date-time' },
                cause: { type: 'string', enum: ['camera-unavailable', 'ffmpeg-stall', 'eviction', 'agent-restart', 'agent-stopped', 'expired-offline'] },
              },
            },
          },
        },
      },
      TimeRange: {
        type: 'object',
        required: ['start', 'end'],
        additionalProperties: false,
        properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' } },
      },
      TimeRanges: {
        type: 'object',
        description: 'AVA availableMedia answer; at precision year/month/day `start`/`end` are `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (inclusive).',
        required: ['timeRanges'],
        additionalProperties: false,
        properties: {
          timeRanges: {
            type: 'array',
            items: { type: 'object', required: ['start', 'end'], additionalProperties: false, properties: { start: { type: 'string' }, end: { type: 'string' } } },
          },
        },
      },
      Playback: {
        type: 'object',
        required: ['hlsUrl', 'expiresAt', 'start', 'end', 'ranges'],
        properties: {
          hlsUrl: { type: 'string', format: 'uri', description: 'absolute signed playlist URL; opens without headers until expiresAt' },
          expiresAt: { type: 'string', format: 'date-time' },
          ranges: { type: 'array', items: ref('TimeRange'), description: 'stored ranges the playlist covers, segment-aligned' },
          start: { type: 'string', format: 'date-time', description: 'effective start after snapping to stored media (HLS by range)' },
          end: { type: 'string', format: 'date-time', description: 'effective end after snapping to stored media (HLS by range)' },
        },
      },
      RecordingPolicy: {
        type: 'object',
        description: 'Per-camera recording policy: mode, retention and the EVR section (signal filters and AVA signal gate). Unknown keys are a 400 naming the key.',
        required: ['retention'],
        properties: {
          mode: { type: 'string', enum: ['cvr', 'evr'], description: 'cvr (default when absent): every uploaded segment is kept; evr: signals open recordings through the signal gate and only their windows are uploaded' },
          evr: {
            type: 'object',
            description: 'EVR settings (defaults apply when absent)',
            properties: {
              signals: {
                type: 'array',
                description: 'signal filters, at most 32; a signal counts when it matches one (empty = every signal counts)',
                items: {
                  type: 'object',
                  required: ['type'],
                  properties: {
                    type: { type: 'string', pattern: '^[a-z][a-z0-9._-]{0,63}$' },
                    label: { type: 'string', maxLength: 128 },
                    minimumConfidence: { type: 'number', minimum: 0, maximum: 1 },
                    zone: { type: 'array', description: 'polygon [[x, y], …] in normalised 0..1 coordinates; a box centre must lie inside', items: { type: 'array', description: '[x, y]', items: { type: 'number', minimum: 0, maximum: 1 } } },
                  },
                },
              },
              signalGate: {
                type: 'object',
                description: "AVA's signal gate processor settings, ISO 8601 durations",
                properties: {
                  activationEvaluationWindow: { type: 'string', format: 'duration', description: 'PT0S..PT10S, default PT1S' },
                  activationSignalOffset: { type: 'string', description: '-PT1M..PT1M, default PT0S; negative = pre-roll' },
                  minimumActivationTime: { type: 'string', format: 'duration', description: 'PT1S..PT1H, default PT30S' },
                  maximumActivationTime: { type: 'string', format: 'duration', description: 'PT1S..PT1H, ≥ minimum, default PT30S' },
                },
              },
            },
          },
          retention: {
            type: 'object',
            required: ['archive'],
            properties: {
              archive: { type: 'string', format: 'duration', description: 'how long segments are kept after they end, ISO 8601 whole days P1D..P3650D, e.g. P7D (AVA ≤ 10 years)' },
              recordings: {
                type: 'string',
                format: 'duration',
                description: 'how long segments overlapping an EVR recording, and the recording rows, are kept after they end; ISO 8601 whole days P1D..P3650D; absent = archive',
              },
              maximumSizeMiB: { type: 'integer', minimum: 1, description: 'size cap of the archive, MiB (1024² bytes); oldest deleted first' },
            },
          },
        },
      },
      CameraPolicy: {
        type: 'object',
        required: ['cameraId', 'policy', 'isDefault'],
        additionalProperties: false,
        properties: {
          cameraId: ref('CameraId'),
          policy: ref('RecordingPolicy'),
          isDefault: { type: 'boolean', description: 'true when no policy is stored and the defaults apply' },
          updatedAt: { type: 'string', format: 'date-time', description: 'when the stored policy was last set' },
        },
      },
      SignalRequest: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'idempotency key; default a new `http-{uuid}`' },
          type: { type: 'string', pattern: '^[a-z][a-z0-9._-]{0,63}$', examples: ['door'] },
          time: { type: 'string', format: 'date-time', description: 'media time of the event; default the request time' },
          end: { type: 'string', format: 'date-time', description: 'when it ended, at most 1 h after time' },
          label: { type: 'string', minLength: 1, maxLength: 128 },
          confidence: { type: 'number', minimum: 0, maximum: 1 },
          properties: { type: 'object', description: 'anything else, at most 4 KiB of JSON' },
        },
      },
      SignalAccepted: {
        type: 'object',
        required: ['id', 'cameraId', 'type', 'time', 'recording'],
        properties: {
          id: { type: 'string' },
          cameraId: { type: 'string' },
          type: { type: 'string' },
          time: { type: 'string', format: 'date-time' },
          recording: { type: 'boolean', description: 'the camera is in EVR mode and the signal counts under its filters' },
        },
      },
      HoldRequest: {
        type: 'object',
        required: ['start', 'end'],
        additionalProperties: false,
        properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' }, reason: { type: 'string', maxLength: 1024 } },
      },
      DeviceRequest: {
        type: 'object',
        required: ['deviceId', 'cameras'],
        additionalProperties: false,
        properties: {
          deviceId: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
          cameras: { type: 'array', description: '1..64 camera ids, no duplicates; a camera belongs to one device', items: ref('CameraId') },
        },
      },
      Device: {
        type: 'object',
        required: ['deviceId', 'cameras', 'createdAt', 'secretSetAt', 'disabled'],
        additionalProperties: false,
        properties: {
          deviceId: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
          cameras: { type: 'array', items: ref('CameraId') },
          createdAt: { type: 'string', format: 'date-time' },
          secretSetAt: { type: 'string', format: 'date-time', description: 'when the current secret was set (provisioning or the last rotation)' },
          disabled: { type: 'boolean' },
        },
      },
      ProvisionedDevice: {
        type: 'object',
        description: 'A Device plus its secret (shown in this answer only).',
        required: ['deviceId', 'cameras', 'createdAt', 'secretSetAt', 'disabled', 'secret'],
        additionalProperties: false,
        properties: {
          deviceId: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
          cameras: { type: 'array', items: ref('CameraId') },
          createdAt: { type: 'string', format: 'date-time' },
          secretSetAt: { type: 'string', format: 'date-time' },
          disabled: { type: 'boolean' },
          secret: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: '256 random bits, base64url; send as `Authorization: Bearer {secret}`' },
        },
      },
      DeviceSecret: {
        type: 'object',
        required: ['deviceId', 'secret', 'secretSetAt'],
        additionalProperties: false,
        properties: {
          deviceId: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
          secret: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
          secretSetAt: { type: 'string', format: 'date-time' },
        },
      },
      UploadUrlsRequest: {
        type: 'object',
        required: ['blobs'],
        additionalProperties: false,
        properties: {
          blobs: {
            type: 'array',
            description: '1..100 segment blob names `{cameraId}/{yyyy}/{MM}/{dd}/{HH}/{startIso}.ts` (UTC), no duplicates',
            items: { type: 'string', pattern: '^[a-z0-9-]{1,32}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\.ts$', examples: ['cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts'] },
          },
        },
      },
      UploadUrls: {
        type: 'object',
        required: ['expiresOn', 'blobs'],
        additionalProperties: false,
        properties: {
          expiresOn: { type: 'string', format: 'date-time', description: 'every url works until then; the agent never uses one with less than 1 min left' },
          blobs: {
            type: 'array',
            items: {
              type: 'object',
              description: '`{ name, url }` to upload, or `{ name, exists: true, bytes, sha256? }` when the blob is stored already (sha256 absent when the blob has no such metadata)',
              required: ['name'],
              additionalProperties: false,
              properties: {
                name: { type: 'string' },
                url: { type: 'string', format: 'uri', description: 'the blob URL with a create-only SAS (`sp=c`, `sr=b`)' },
                exists: { type: 'boolean', description: 'present (true) only when the blob exists' },
                bytes: { type: 'integer', minimum: 0 },
                sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
              },
            },
          },
        },
      },
      SystemData: {
        type: 'object',
        required: ['createdAt', 'lastModifiedAt'],
        properties: { createdAt: { type: 'string', format: 'date-time' }, lastModifiedAt: { type: 'string', format: 'date-time' } },
      },
      PipelineTopologyRequest: {
        type: 'object',
        description: 'An AVA/LVA pipeline topology document (reference: Microsoft\'s sample topologies); `@apiVersion` and `systemData` are ignored, `name` must equal the route\'s.',
        required: ['properties'],
        properties: {
          '@apiVersion': { type: 'string' },
          name: { type: 'string' },
          properties: {
            type: 'object',
            required: ['sources', 'sinks'],
            properties: {
              description: { type: 'string' },
              parameters: { type: 'array', items: { type: 'object', required: ['name', 'type'], properties: { name: { type: 'string', maxLength: 64 }, type: { type: 'string' }, description: { type: 'string' }, default: { type: 'string' } } } },
              sources: { type: 'array', items: { type: 'object' } },
              processors: { type: 'array', items: { type: 'object' } },
              sinks: { type: 'array', items: { type: 'object' } },
            },
          },
        },
      },
      PipelineTopology: {
        type: 'object',
        required: ['name', 'properties', 'systemData'],
        properties: { name: { type: 'string' }, properties: { type: 'object', description: 'as set' }, systemData: ref('SystemData') },
      },
      LivePipelineRequest: {
        type: 'object',
        description: 'AVA livePipelineSet body; `@apiVersion`, `systemData` and `properties.state` are ignored, `name` must equal the route\'s.',
        required: ['properties'],
        properties: {
          '@apiVersion': { type: 'string' },
          name: { type: 'string' },
          properties: {
            type: 'object',
            required: ['topologyName'],
            properties: {
              topologyName: { type: 'string' },
              description: { type: 'string' },
              parameters: { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string' } } } },
            },
          },
        },
      },
      LivePipeline: {
        type: 'object',
        required: ['name', 'properties', 'systemData'],
        properties: {
          name: { type: 'string' },
          properties: {
            type: 'object',
            required: ['topologyName', 'parameters', 'state', 'cameraIds'],
            properties: {
              topologyName: { type: 'string' },
              description: { type: 'string' },
              parameters: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string', description: 'absent for SecretString parameters' } } } },
              state: { type: 'string', enum: ['inactive', 'activating', 'active', 'deactivating'] },
              cameraIds: { type: 'array', items: ref('CameraId') },
              stateMessage: { type: 'string', description: 'why the device could not activate it (its report); absent otherwise' },
            },
          },
          systemData: ref('SystemData'),
        },
      },
      Hold: {
        type: 'object',
        required: ['id', 'start', 'end', 'createdAt'],
        properties: {
          id: { type: 'string' },
          start: { type: 'string', format: 'date-time' },
          end: { type: 'string', format: 'date-time' },
          reason: { type: 'string', description: 'absent when none was given' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      Recording: {
        type: 'object',
        description: 'One EVR recording; times ISO 8601 UTC with ms, window [start, end) grows while state is recording.',
        required: ['id', 'start', 'end', 'state', 'signals', 'signalCount', 'bytes', 'available', 'held'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[0-9]{13}-[0-9a-f]{12}$' },
          start: { type: 'string', format: 'date-time' },
          end: { type: 'string', format: 'date-time' },
          state: { type: 'string', enum: ['recording', 'complete'] },
          signals: {
            type: 'array',
            description: 'the first 16 signals that opened or extended it',
            items: {
              type: 'object',
              required: ['id', 'type', 'time'],
              additionalProperties: false,
              properties: { id: { type: 'string' }, type: { type: 'string' }, time: { type: 'string', format: 'date-time' }, label: { type: 'string' } },
            },
          },
          signalCount: { type: 'integer', minimum: 0, description: 'all signals that opened or extended it' },
          bytes: { type: 'integer', minimum: 0, description: 'stored bytes of the segments overlapping it (whole)' },
          available: { type: 'boolean', description: 'a segment of it is indexed (recording.available was published)' },
          availableAt: { type: 'string', format: 'date-time' },
          held: { type: 'boolean', description: 'the hold rec-{id} exists' },
        },
      },
      RecordingList: { type: 'object', required: ['recordings'], additionalProperties: false, properties: { recordings: { type: 'array', items: ref('Recording') } } },
    },
    parameters: {
      entityName: { name: 'name', in: 'path', required: true, description: "AVA entity name: 1 to 32 letters, digits, '-' and '_', not starting or ending with '-' (400 `InvalidName` otherwise)", schema: { type: 'string', pattern: '^(?!-)[A-Za-z0-9_-]{1,32}(?<!-)$' } },
      cameraId: { name: 'cameraId', in: 'path', required: true, description: 'camera id, `[a-z0-9-]{1,32}` (400 `InvalidCameraId` otherwise)', schema: ref('CameraId') },
      deviceId: { name: 'deviceId', in: 'path', required: true, description: 'device id, `[a-z0-9-]{1,32}` (400 `InvalidDeviceId` otherwise)', schema: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' } },
      recordingId: { name: 'recordingId', in: 'path', required: true, description: 'recording id `{13-digit start ms}-{12 hex}` (400 `InvalidRecordingId` otherwise)', schema: { type: 'string', pattern: '^[0-9]{13}-[0-9a-f]{12}$' } },
    },
    responses: {
      BadRequest: errorResponse('bad input, nothing changed: e.g. `InvalidCameraId`, `MissingParameter`, `InvalidDateTime`, `InvalidRange`, `RangeTooLong`'),
      Unauthorized: errorResponse('`Unauthorized`: the function key is missing or wrong'),
      NotFound: errorResponse('e.g. `CameraNotFound` (never recorded), `NoMediaInRange`, `NotFound`'),
      PipelineConflict: errorResponse('AVA\'s 409 codes: `OperationNotAllowedInState`, `PipelineTopologyInUse`, `ModuleLimitExceeded`; `CameraOwned` (activate: another device records one of its cameras); `ActivationFailed` (activate: the device reported it could not apply the pipeline, its reason in the message); `DeviceNotProvisioned` (activate: the device is not provisioned, so its camera credentials could only travel in clear); `Conflict` (changed concurrently; retry)'),
      ServiceUnavailable: errorResponse('`ServiceUnavailable`: storage is unavailable; retry'),
    },
    securitySchemes: {
      functionKeyHeader: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'Azure Functions function key' },
      functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code', description: 'the same key as a query parameter' },
    },
  },
};
