import { OPENAPI_DOCUMENT, type HttpMethodName, type JsonSchema, type OpenApiDocument, type OpenApiParameter } from '../../functions/openapi/openapi';

/** One operation of the OpenAPI document, flattened for test harnesses that must cover every route. */
export interface ApiOperation {
  operationId: string;
  /** Upper-case HTTP method. */
  method: string;
  /** Path template relative to `/api`, e.g. `/cameras/{cameraId}/holds/{holdId}`. */
  template: string;
  pathParams: OpenApiParameter[];
  queryParams: OpenApiParameter[];
  /** The JSON request body's schema, when the operation takes one. */
  body?: JsonSchema;
  /** True when the operation takes no administrator's key or bearer token (`x-keepwatch-access` other than `roles`). */
  anonymous: boolean;
  /** `x-keepwatch-access` (functions/auth/access.ts): `roles`, `anyone`, `playbackToken` or `deviceSecret`. */
  access: string;
  /** `x-keepwatch-roles`: for `roles` operations, the app roles any one of which it needs; else empty. */
  roles: string[];
  /** `x-keepwatch-camera-scope` of `roles` operations: `path`, `listing` or `all`. */
  cameraScope?: string;
}

/**
 * Every operation of the served OpenAPI document (functions/openapi/openapi.ts), `$ref` parameters resolved. Harnesses
 * enumerate routes from here, so a route added later with its document entry is covered without editing them.
 */
export function apiOperations(doc: OpenApiDocument = OPENAPI_DOCUMENT): ApiOperation[] {
  const out: ApiOperation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item) as Array<[HttpMethodName, NonNullable<(typeof item)[HttpMethodName]>]>) {
      const params = (op.parameters ?? []).map((p) => ('$ref' in p ? doc.components.parameters[p.$ref.replace('#/components/parameters/', '')] : p));
      const body = op.requestBody?.content['application/json']?.schema;
      out.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        ...(body ? { body } : {}),
        anonymous: op['x-keepwatch-access'] !== 'roles',
        access: op['x-keepwatch-access'] ?? 'undeclared',
        roles: [...(op['x-keepwatch-roles'] ?? [])],
        ...(op['x-keepwatch-camera-scope'] ? { cameraScope: op['x-keepwatch-camera-scope'] } : {}),
      });
    }
  }
  return out;
}

/** True for a path parameter that names an entity (camera, hold, recording ...): `id` or ending in `Id`. */
export function isIdParam(name: string): boolean {
  return name === 'id' || /Id$/.test(name);
}

/** `template` with each `{name}` replaced by `values[name]` (already encoded by the caller), prefixed with `/api`. */
export function fillPath(template: string, values: Record<string, string>): string {
  return `/api${template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for path parameter ${name} of ${template}`);
    return values[name];
  })}`;
}
