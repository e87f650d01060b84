import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, type RouteSpec } from '../openapi/route-spec';
import { Health } from '../openapi/components';

/** `GET /api/health` → `200 { status: 'ok' }`. Anonymous: it reveals nothing and touches no storage (a liveness probe). */
export async function health(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: { status: 'ok' }, headers: { 'cache-control': 'no-store' } };
}

/** `GET /api/health`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/health',
  operationId: 'health',
  summary: 'Liveness probe',
  tags: ['service'],
  access: ACCESS.anyone,
  responses: { '200': { description: 'the app is up', content: json(Health) } },
};

registerHttp(route, health);
