import { cameraScopeRule } from '../auth/access';
import { PARAMETERS, RESPONSES } from './components';
import { ZodSchemaConverter } from './json-schemas';
import type { Ref, ResponseSpec, RouteSpec } from './route-spec';
import { HTTP_ROUTES } from './routes';

/**
 * The OpenAPI 3.1 document of Keepwatch's HTTP API, served by functions/openapi/openapi-json.ts at
 * `GET /api/openapi.json`, assembled from the route specs each handler file exports (functions/openapi/route-spec.ts,
 * listed in functions/openapi/routes.ts); the body schemas are generated from zod (functions/openapi/components.ts,
 * json-schemas.ts). The tests (test/integration/functions/openapi/openapi.test.ts) check it against the registered
 * routes and their answers; test/unit/functions/openapi/openapi-equivalence.test.ts against the hand-written
 * document it replaced (test/fixtures/openapi/openapi-before.json).
 *
 * Conventions: paths are relative to the server URL `/api` and written as the route templates of functions/app.ts
 * registrations (`/cameras/{cameraId}/playback`); `operationId` is the registered function's name. Each operation
 * states its access (functions/auth/access.ts): `security` (a bearer JWT or the administrator's key in `x-functions-key`
 * or `code`; the device's secret; `[]` for none or a signed URL), `x-keepwatch-access` (the access kind),
 * `x-keepwatch-roles` (the app roles any one of which it needs) and `x-keepwatch-camera-scope` (`path`, `listing`,
 * `all`), and a role route answers 403 `Forbidden`. Schemas use the JSON Schema 2020-12 subset listed in {@link JsonSchema}.
 */

/** A JSON Schema `type` name. */
export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/**
 * The JSON Schema 2020-12 subset the document uses (and test/helpers/json-schema-check.ts understands); zod's output
 * is brought into it by functions/openapi/json-schemas.ts.
 */
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
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  /** A schema every key of an object must match (only `type: 'string'` with `maxLength` here). */
  propertyNames?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  examples?: readonly unknown[];
  /** The value a request body's absent key takes (annotation only). */
  default?: unknown;
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
  /** The credentials any one of which is accepted; `[]` = none (or a signed URL). */
  security?: readonly Record<string, readonly string[]>[];
  /** functions/auth/access.ts `RouteAccess` kind: `roles`, `anyone`, `playbackToken`, `deviceSecret`. */
  'x-keepwatch-access'?: string;
  /** For `roles`: the app roles (the token's `roles` claim), any one of which the route needs. */
  'x-keepwatch-roles'?: readonly string[];
  /** For `roles`: how the camera scope applies: the path's camera, a filtered listing, or every camera. */
  'x-keepwatch-camera-scope'?: 'path' | 'listing' | 'all';
}

/** A security scheme of components.securitySchemes. */
export type OpenApiSecurityScheme =
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; description: string }
  | { type: 'http'; scheme: 'bearer'; bearerFormat?: string; description: string };

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
    securitySchemes: Record<string, OpenApiSecurityScheme>;
  };
}

/** The document's fixed part: everything but `paths` and `components.schemas` (generated from the routes). */
const DOCUMENT_HEAD = {
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
  security: [{ bearerToken: [] }, { functionKeyHeader: [] }, { functionKeyQuery: [] }],
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
  securitySchemes: {
    bearerToken: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'An OAuth 2.0 access token (JWT) of the configured OpenID Connect issuer (Microsoft Entra ID in Azure, the development issuer locally) whose `roles` claim holds a Keepwatch app role; `cameras` (or a mapped `groups`) limits the cameras (docs/security.md)',
    },
    functionKeyHeader: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: "the administrator's key (KEEPWATCH_ADMIN_KEY): every route, every camera" },
    functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code', description: 'the same key as a query parameter' },
    deviceSecret: { type: 'http', scheme: 'bearer', description: "a device's own secret (docs/devices.md), `Authorization: Bearer {deviceSecret}`" },
  },
} as const;

/** What each access kind puts in `security` (functions/auth/access.ts). */
const SECURITY_OF = {
  roles: [{ bearerToken: [] }, { functionKeyHeader: [] }, { functionKeyQuery: [] }],
  deviceSecret: [{ deviceSecret: [] }],
  playbackToken: [],
  anyone: [],
} as const;

/** The document, assembled from the route specs the handler files export (functions/openapi/routes.ts). */
export const OPENAPI_DOCUMENT: OpenApiDocument = buildOpenApiDocument(HTTP_ROUTES);

/**
 * Assembles the document: one operation per route spec (paths in the order given), JSON bodies converted from zod
 * (functions/openapi/json-schemas.ts), the shared parameters and answers of functions/openapi/components.ts.
 * @throws Error when two specs share a method and path or an operationId, or a zod schema cannot be converted
 */
export function buildOpenApiDocument(routes: readonly RouteSpec[]): OpenApiDocument {
  const schemas = new ZodSchemaConverter();
  const convertResponse = (r: ResponseSpec | Ref): OpenApiResponse | Ref => {
    if ('$ref' in r) return r;
    if (!r.content) return r as OpenApiResponse;
    const content = Object.fromEntries(Object.entries(r.content).map(([media, { schema }]) => [media, { schema: schemas.convert(schema, 'output') }]));
    return { ...r, content };
  };
  const paths: OpenApiDocument['paths'] = {};
  const ids = new Set<string>();
  for (const route of routes) {
    const method = route.method.toLowerCase() as HttpMethodName;
    const item = (paths[route.path] ??= {});
    if (item[method]) throw new Error(`route ${route.method} ${route.path} is declared twice`);
    if (ids.has(route.operationId)) throw new Error(`operationId '${route.operationId}' is declared twice`);
    ids.add(route.operationId);
    const op: OpenApiOperation = { operationId: route.operationId, summary: route.summary, tags: route.tags, responses: {} };
    if (route.description !== undefined) op.description = route.description;
    op.security = SECURITY_OF[route.access.kind];
    op['x-keepwatch-access'] = route.access.kind;
    if (route.access.kind === 'roles') {
      op['x-keepwatch-roles'] = route.access.anyOf;
      op['x-keepwatch-camera-scope'] = cameraScopeRule(route.path, route.access) as 'path' | 'listing' | 'all';
    }
    if (route.parameters !== undefined) op.parameters = route.parameters;
    if (route.requestBody !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: schemas.convert(route.requestBody, 'input') } } };
    for (const [status, r] of Object.entries(route.responses)) op.responses[status] = convertResponse(r);
    if (route.access.kind === 'roles') {
      op.responses['401'] ??= { $ref: '#/components/responses/Unauthorized' };
      op.responses['403'] ??= { $ref: '#/components/responses/Forbidden' };
    }
    item[method] = op;
  }
  const responses = Object.fromEntries(Object.entries(RESPONSES).map(([name, r]) => [name, convertResponse(r) as OpenApiResponse]));
  const { securitySchemes, ...head } = DOCUMENT_HEAD;
  const document: OpenApiDocument = { ...head, paths, components: { schemas: {}, parameters: PARAMETERS, responses, securitySchemes } };
  document.components.schemas = schemas.components(document);
  return JSON.parse(JSON.stringify(document)) as OpenApiDocument;
}
