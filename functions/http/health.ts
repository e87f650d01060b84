import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';

/** `GET /api/health` → `200 { status: 'ok' }`. Anonymous: it reveals nothing and touches no storage (a liveness probe). */
export async function health(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: { status: 'ok' }, headers: { 'cache-control': 'no-store' } };
}

registerHttp('health', { methods: ['GET'], route: 'health', authLevel: 'anonymous', handler: health });
