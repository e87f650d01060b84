import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { OPENAPI_DOCUMENT } from './openapi';

/**
 * `GET /api/openapi.json` → `200` the OpenAPI 3.1 document of functions/openapi/openapi.ts (`application/json`).
 * Anonymous: it describes the API, it grants nothing. Cached for 5 minutes (changes only with a deployment).
 */
export async function openapiJson(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: OPENAPI_DOCUMENT, headers: { 'cache-control': 'public, max-age=300' } };
}

registerHttp('openapi-json', { methods: ['GET'], route: 'openapi.json', authLevel: 'anonymous', handler: openapiJson });
