import { z } from 'zod';
import type { RouteAccess } from '../auth/access';
import type { JsonSchema, OpenApiParameter } from './openapi';

/**
 * How an HTTP handler declares its operation, next to its code: each handler file exports `route: RouteSpec` and
 * registers with `registerHttp(route, handler)` (functions/app.ts), which takes the function name, method and route from
 * it and puts the handler behind its `access` (functions/auth/route-guard.ts); functions/openapi/routes.ts lists the same specs and functions/openapi/openapi.ts assembles the
 * OpenAPI document from them. Schemas are zod schemas (converted by functions/openapi/components.ts; the named ones
 * become `#/components/schemas/...` references) or, for non-JSON media, a literal {@link JsonSchema}.
 */

/** A body schema: a zod schema (JSON) or a literal JSON Schema (text, HTML, MP4). */
export type SchemaSpec = z.ZodType | JsonSchema;

/** A `$ref` to `#/components/parameters/...` or `#/components/responses/...`. */
export interface Ref {
  $ref: string;
}

/** One answer: description, headers, and body schema per media type (absent for bodiless answers such as 204). */
export interface ResponseSpec {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, { schema: SchemaSpec }>;
}

/** An HTTP operation as its handler file declares it. */
export interface RouteSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The route template below `/api`, with a leading `/`: `/cameras/{cameraId}/playback`. */
  path: string;
  /** The registered function's name. */
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  parameters?: readonly (OpenApiParameter | Ref)[];
  /** A JSON body (always `required: true`), converted with zod's input type. */
  requestBody?: z.ZodType;
  /** Status code → answer or `$ref`; JSON bodies are converted with zod's output type. */
  responses: Record<string, ResponseSpec | Ref>;
  /**
   * Who may call it (functions/auth/access.ts `ACCESS`): `ACCESS.viewer`, `.operator`, `.admin`, `.signals` (a bearer
   * token with one of the roles, or the administrator's key; camera scope from the path), `.anyone`, `.playbackToken`,
   * `.deviceSecret`. Required, so a route cannot be added without deciding it; enforced by functions/app.ts
   * `registerHttp`, written into the OpenAPI document and checked against docs/security.md by the tests.
   */
  access: RouteAccess;
}

/** `{ 'application/json': { schema } }`. */
export const json = (schema: SchemaSpec): Record<string, { schema: SchemaSpec }> => ({ 'application/json': { schema } });

/** A `$ref` to a shared parameter of components.parameters (functions/openapi/components.ts). */
export const parameterRef = (name: 'cameraId' | 'deviceId' | 'recordingId' | 'entityName'): Ref => ({ $ref: `#/components/parameters/${name}` });

/** A `$ref` to a shared answer of components.responses (functions/openapi/components.ts). */
export const responseRef = (name: 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'PipelineConflict' | 'ServiceUnavailable'): Ref => ({
  $ref: `#/components/responses/${name}`,
});

/** The error body (`ErrorBody` component), described by `description` (e.g. the error codes of a 409). */
export const errorAnswer = (description: string): ResponseSpec => ({ description, content: json({ $ref: '#/components/schemas/ErrorBody' }) });

/** The standard error answers of a keyed route that reads storage: 401 and 503 (a `roles` route also gets 403 `Forbidden`, added by functions/openapi/openapi.ts). */
export const KEYED_ERRORS = { '401': responseRef('Unauthorized'), '503': responseRef('ServiceUnavailable') } as const;

const SHARED_ERRORS = { 400: responseRef('BadRequest'), 404: responseRef('NotFound'), 409: responseRef('PipelineConflict') } as const;

/**
 * The shared error answers of a keyed route: {@link KEYED_ERRORS} and, per status given, 400 `BadRequest`, 404
 * `NotFound`, 409 `PipelineConflict` (components.responses).
 */
export function keyedErrors(...statuses: (keyof typeof SHARED_ERRORS)[]): Record<string, Ref> {
  return { ...Object.fromEntries(statuses.map((s) => [String(s), SHARED_ERRORS[s]])), ...KEYED_ERRORS };
}

/** An ISO 8601 date-time query parameter with a zone; `what` completes the description. */
export function dateTimeQuery(name: string, required: boolean, what: string): OpenApiParameter {
  return { name, in: 'query', required, description: `${what}; ISO 8601 date-time with a zone (UTC \`Z\` or an offset), e.g. 2026-11-21T10:00:00Z`, schema: { type: 'string', format: 'date-time' } };
}

/** `cameraId` path and a required `[start, end)` of date-time query parameters. */
export const CAMERA_RANGE_PARAMETERS: readonly (OpenApiParameter | Ref)[] = [parameterRef('cameraId'), dateTimeQuery('start', true, 'range start'), dateTimeQuery('end', true, 'range end (exclusive)')];
