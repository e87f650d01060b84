import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, type RouteSpec } from './route-spec';
import type { OpenApiDocument } from './openapi';

/**
 * `GET /api/openapi.json` → `200` the OpenAPI 3.1 document of functions/openapi/openapi.ts (`application/json`).
 * Anonymous: it describes the API, it grants nothing. Cached for 5 minutes (changes only with a deployment).
 */
export async function openapiJson(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: openapiDocument(), headers: { 'cache-control': 'public, max-age=300' } };
}

/**
 * The document, loaded on first use: it is assembled from every route's spec, this one's included, so importing it
 * while this module loads would make the two load each other (and read this `route` before it exists).
 */
function openapiDocument(): OpenApiDocument {
  return (require('./openapi') as typeof import('./openapi')).OPENAPI_DOCUMENT;
}

/** `GET /api/openapi.json`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/openapi.json',
  operationId: 'openapi-json',
  summary: 'This OpenAPI 3.1 document',
  tags: ['service'],
  access: ACCESS.anyone,
  responses: { '200': { description: 'the document', content: json({ type: 'object', required: ['openapi', 'info', 'paths'] }) } },
};

registerHttp(route, openapiJson);
